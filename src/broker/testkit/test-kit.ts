// The test kit on the request path: each request is matched against the injected faults
// (an error in its matching slots, a delay, a dropped connection) and written to the
// trace with its answer. A broker not started for testing has none, and its requests go
// straight to their handlers.
import type { ApiKey, RequestOf, ResponseOf } from '../../protocol/messages/index.js';
import { type Api, CLOSE_CONNECTION, type HandlerResult, NO_RESPONSE, type RequestContext } from '../api.js';
import { errorName } from '../../protocol/errors.js';
import { type Fault, FaultRegistry } from './faults.js';
import { errorResponse, mergeResponses, splitRequest } from '../request-slots.js';
import { type Captured, capture, Trace } from './trace.js';

type Result<K extends ApiKey> = HandlerResult<ResponseOf<K>>;
type Run<K extends ApiKey> = (req: RequestOf<K>) => Result<K> | Promise<Result<K>>;

const PRODUCE = 0;

/** `result`, answered `ms` later. */
function delayed<R>(result: R | Promise<R>, ms: number): Promise<R> {
  return Promise.resolve(result).then((res) => new Promise<R>((resolve) => setTimeout(() => resolve(res), ms)));
}

/** The name Kafka gives an API, from its request's declaration ("Produce"). */
export const apiName = (api: Api): string => api.schemas.request.name.replace(/Request$/, '');

export class TestKit {
  readonly trace: Trace;

  constructor(
    private readonly brokerId: number,
    /** Shared by every broker of an in-process cluster, each matching its own id. */
    readonly faults: FaultRegistry = new FaultRegistry(),
    traceSize = 1000,
    /** A topic's id, for faults on requests that name topics by id. */
    private readonly topicIdOf: (topic: string) => string | undefined = () => undefined,
  ) {
    this.trace = new Trace(traceSize);
  }

  /** Handles `req` as `run` would, with the first fault that matches it applied, and traces it. */
  handle<K extends ApiKey>(api: Api<K>, req: RequestOf<K>, ctx: RequestContext, run: Run<K>): Result<K> | Promise<Result<K>> {
    const started = performance.now();
    // Taken now: the request's bytes are the broker's to reuse once it has handled them (trace.ts).
    const request = this.trace.size > 0 ? capture(api.schemas.request, ctx.version, req) : null;
    const applied = this.match(api, ctx, req);
    let result = applied ? this.apply(api, ctx, req, applied.fault, applied.hit, applied.keep, run) : run(req);
    const rtt = this.faults.rtt.get(this.brokerId) ?? 0;
    if (rtt > 0) result = delayed(result, rtt);
    if (request === null) return result;
    const done = (res: Result<K>): Result<K> => {
      this.record(api, ctx, request, res, started, applied?.fault ?? null);
      return res;
    };
    return result instanceof Promise ? result.then(done) : done(result);
  }

  private match<K extends ApiKey>(api: Api<K>, ctx: RequestContext, req: RequestOf<K>): { fault: Fault; hit: RequestOf<K>; keep: RequestOf<K> | null } | null {
    for (const fault of this.faults.candidates(api.apiKey, this.brokerId, ctx.header.clientId)) {
      const filter = fault.topic === undefined ? fault : { ...fault, topicId: this.topicIdOf(fault.topic) };
      const { hit, keep } = splitRequest(api.schemas.request, ctx.version, req, filter);
      if (hit === null) continue;
      this.faults.spend(fault);
      return { fault, hit, keep };
    }
    return null;
  }

  private apply<K extends ApiKey>(api: Api<K>, ctx: RequestContext, req: RequestOf<K>, fault: Fault, hit: RequestOf<K>, keep: RequestOf<K> | null, run: Run<K>): Result<K> | Promise<Result<K>> {
    let result: Result<K> | Promise<Result<K>>;
    if (fault.disconnect) {
      result = CLOSE_CONNECTION;
    } else if (fault.error === undefined) {
      result = run(req);
    } else {
      const errors = errorResponse(api.schemas.request, api.schemas.response, ctx.version, hit, fault.error) as ResponseOf<K>;
      // A produce with acks=0 has no answer to carry an error: as in Kafka, its connection closes.
      const silent = api.apiKey === PRODUCE && (req as RequestOf<0>).acks === 0;
      if (keep === null) {
        result = silent ? CLOSE_CONNECTION : errors;
      } else {
        result = Promise.resolve(run(keep)).then((res) => (res === NO_RESPONSE || res === CLOSE_CONNECTION ? CLOSE_CONNECTION : mergeResponses(res, errors)));
      }
    }
    return fault.delayMs ? delayed(result, fault.delayMs) : result;
  }

  private record(api: Api, ctx: RequestContext, request: Captured, res: HandlerResult<unknown>, started: number, fault: Fault | null): void {
    const software = ctx.connection.clientSoftware;
    const answered = res !== NO_RESPONSE && res !== CLOSE_CONNECTION;
    this.trace.push({
      at: Date.now(),
      broker: this.brokerId,
      connectionId: ctx.connection.id,
      clientId: ctx.header.clientId,
      principal: ctx.connection.principal,
      clientSoftwareName: software?.name ?? null,
      clientSoftwareVersion: software?.version ?? null,
      api: apiName(api),
      apiKey: api.apiKey,
      apiVersion: ctx.version,
      correlationId: ctx.header.correlationId,
      durationMs: Math.round((performance.now() - started) * 1000) / 1000,
      fault: fault ? { id: fault.id, error: fault.error === undefined ? undefined : errorName(fault.error), delayMs: fault.delayMs, disconnect: fault.disconnect } : null,
      request,
      response: answered ? capture(api.schemas.response, ctx.version, res) : null,
    });
  }
}
