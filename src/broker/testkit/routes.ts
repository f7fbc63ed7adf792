// The test kit's endpoints under /v1: faults (add, list, remove), the trace, reset and the
// clock; and, for a cluster, its brokers (stop, kill, start, round-trip time), leader moves
// and network splits. A broker and an in-process cluster serve the same operations.
import type { HttpResponse, Route } from '../http/control-plane.js';
import { FaultError } from './faults.js';
import type { FaultInput, ResetResult } from './plane.js';
import type { TraceEntry } from './trace.js';

/** What the endpoints do: a broker's test plane, or a cluster's. */
export interface TestKitOps {
  addFault(fault: FaultInput): number;
  faults(): Array<Record<string, unknown>>;
  removeFault(id: number): boolean;
  clearFaults(): void;
  trace(filter: { api?: string; clientId?: string; limit?: number }): TraceEntry[];
  reset(): Promise<ResetResult>;
  clock(): { now: number; virtual: boolean };
  /** Rejects when the clock is not virtual. */
  advanceClock(ms: number): Promise<number>;
  /** Answers every request to broker `id` `rttMs` later (0: at once). */
  setRtt(broker: number, rttMs: number): void;
  brokerIds(): number[];
}

/** What only a cluster does. */
export interface ClusterOps {
  stop(id: number): Promise<void>;
  kill(id: number): Promise<void>;
  restart(id: number): Promise<void>;
  moveLeader(topic: string, partition: number, broker: number): Promise<void>;
  splitNetwork(groups: number[][]): void;
  healNetwork(): void;
}

const notAllowed = (method: string): HttpResponse => ({ status: 405, body: { error: `${method} is not served here` } });
const bad = (error: string, valid?: readonly string[]): HttpResponse => ({ status: 400, body: valid ? { error, valid } : { error } });
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown): x is number => typeof x === 'number' && Number.isInteger(x) && x >= 0;

type Fields = { fields: Record<string, unknown> } | { refused: HttpResponse };

/** A body with exactly the fields named (all required unless `required` says fewer), or the 400 that says what is wrong. */
function fieldsOf(body: unknown, allowed: readonly string[], required: readonly string[] = allowed): Fields {
  if (body === undefined && required.length === 0) return { fields: {} };
  if (!isObject(body)) return { refused: bad(`the body is a JSON object with ${allowed.join(', ') || 'no fields'}`) };
  const unknown = Object.keys(body).filter((k) => !allowed.includes(k));
  if (unknown.length > 0) return { refused: bad(`unknown field(s): ${unknown.join(', ')}`, allowed) };
  const missing = required.filter((k) => !(k in body));
  if (missing.length > 0) return { refused: bad(`missing field(s): ${missing.join(', ')}`) };
  return { fields: body };
}

export function testKitRoutes(ops: TestKitOps, cluster: ClusterOps | null = null): Route {
  return async (req) => {
    const [v1, what, ...rest] = req.path;
    if (v1 !== 'v1') return null;
    const method = req.method;
    switch (what) {
      case 'faults': {
        const [id, ...more] = rest;
        if (more.length > 0) return null;
        if (id !== undefined) {
          if (method !== 'DELETE') return notAllowed(method);
          const n = Number(id);
          return Number.isInteger(n) && ops.removeFault(n) ? { status: 204 } : { status: 404, body: { error: `no fault ${id}` } };
        }
        if (method === 'GET') return { status: 200, body: ops.faults() };
        if (method === 'DELETE') {
          ops.clearFaults();
          return { status: 204 };
        }
        if (method !== 'POST') return notAllowed(method);
        try {
          return { status: 201, body: { id: ops.addFault(req.body as FaultInput) } };
        } catch (e) {
          if (e instanceof FaultError) return bad(e.message, e.valid);
          throw e;
        }
      }
      case 'trace': {
        if (rest.length > 0) return null;
        if (method !== 'GET') return notAllowed(method);
        const limit = req.query.get('limit');
        if (limit !== null && !/^\d+$/.test(limit)) return bad('limit must be an integer >= 0');
        const unknown = [...req.query.keys()].filter((k) => !['api', 'clientId', 'limit'].includes(k));
        if (unknown.length > 0) return bad(`unknown parameter(s): ${unknown.join(', ')}`, ['api', 'clientId', 'limit']);
        return { status: 200, body: ops.trace({ api: req.query.get('api') ?? undefined, clientId: req.query.get('clientId') ?? undefined, limit: limit === null ? undefined : Number(limit) }) };
      }
      case 'reset': {
        if (rest.length > 0) return null;
        if (method !== 'POST') return notAllowed(method);
        if ('refused' in fieldsOf(req.body, [], [])) return bad('reset takes no parameters');
        return { status: 200, body: await ops.reset() };
      }
      case 'clock': {
        if (rest.length === 0) return method === 'GET' ? { status: 200, body: ops.clock() } : notAllowed(method);
        if (rest.length > 1 || rest[0] !== 'advance') return null;
        if (method !== 'POST') return notAllowed(method);
        const body = fieldsOf(req.body, ['ms']);
        if ('refused' in body) return body.refused;
        const ms = body.fields['ms'];
        if (!isCount(ms)) return bad('advance takes {"ms": n} with n an integer >= 0');
        if (!ops.clock().virtual) return { status: 409, body: { error: 'this broker runs on the system clock: start it with --clock virtual' } };
        return { status: 200, body: { now: await ops.advanceClock(ms) } };
      }
      case 'brokers':
        return brokerRoute(ops, cluster, method, rest, req.body);
      case 'partitions':
        return cluster ? partitionRoute(cluster, method, rest, req.body) : null;
      case 'network':
        return cluster ? networkRoute(ops, cluster, method, rest, req.body) : null;
      default:
        return null;
    }
  };
}

/** POST /v1/brokers/{id}/stop|kill|start (a cluster), /v1/brokers/{id}/rtt {"rttMs": n}. */
async function brokerRoute(ops: TestKitOps, cluster: ClusterOps | null, method: string, rest: string[], body: unknown): Promise<HttpResponse | null> {
  const [idText, action, ...more] = rest;
  if (idText === undefined || action === undefined || more.length > 0) return null;
  const id = Number(idText);
  if (!Number.isInteger(id) || !ops.brokerIds().includes(id)) return { status: 404, body: { error: `no broker ${idText}` } };
  if (method !== 'POST') return notAllowed(method);
  if (action === 'rtt') {
    const b = fieldsOf(body, ['rttMs']);
    if ('refused' in b) return b.refused;
    const rttMs = b.fields['rttMs'];
    if (!isCount(rttMs)) return bad('rtt takes {"rttMs": n} with n an integer >= 0');
    ops.setRtt(id, rttMs);
    return { status: 204 };
  }
  if (!cluster) return null;
  const run = { stop: cluster.stop, kill: cluster.kill, start: cluster.restart }[action];
  if (!run) return { status: 404, body: { error: `no action ${action}; stop, kill, start, rtt` } };
  await run(id);
  return { status: 204 };
}

/** POST /v1/partitions/{topic}/{partition}/leader {"broker": id}. */
async function partitionRoute(cluster: ClusterOps, method: string, rest: string[], body: unknown): Promise<HttpResponse | null> {
  const [topic, partitionText, action, ...more] = rest;
  if (topic === undefined || partitionText === undefined || action !== 'leader' || more.length > 0) return null;
  if (method !== 'POST') return notAllowed(method);
  const b = fieldsOf(body, ['broker']);
  if ('refused' in b) return b.refused;
  const partition = Number(partitionText);
  const broker = b.fields['broker'];
  if (!isCount(partition) || !isCount(broker)) return bad('a partition index, and {"broker": id}');
  try {
    await cluster.moveLeader(decodeURIComponent(topic), partition, broker);
    return { status: 204 };
  } catch (e) {
    return { status: 409, body: { error: (e as Error).message } };
  }
}

/** POST /v1/network/partition {"groups": [[0], [1, 2]]}, POST /v1/network/heal. */
function networkRoute(ops: TestKitOps, cluster: ClusterOps, method: string, rest: string[], body: unknown): HttpResponse | null {
  const [action, ...more] = rest;
  if (more.length > 0 || (action !== 'partition' && action !== 'heal')) return null;
  if (method !== 'POST') return notAllowed(method);
  if (action === 'heal') {
    if ('refused' in fieldsOf(body, [], [])) return bad('heal takes no parameters');
    cluster.healNetwork();
    return { status: 204 };
  }
  const b = fieldsOf(body, ['groups']);
  if ('refused' in b) return b.refused;
  const groups = b.fields['groups'];
  const ids = ops.brokerIds();
  if (!Array.isArray(groups) || groups.length < 2 || !groups.every((g) => Array.isArray(g) && g.length > 0 && g.every((id) => ids.includes(id as number)))) {
    return bad(`groups is a list of two or more lists of broker ids (${ids.join(', ')})`);
  }
  const flat = groups.flat() as number[];
  if (new Set(flat).size !== flat.length) return bad('a broker is in one group only');
  cluster.splitNetwork(groups as number[][]);
  return { status: 204 };
}
