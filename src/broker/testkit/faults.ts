// Faults a test injects: which requests they match (API, topic, partition, broker, client
// id) and what they do to them (an error in the matching slots, a delay before the answer,
// a dropped connection), for how many requests. Parsed from the JSON a test posts, with
// every name checked against Kafka's own tables.
import { ErrorCode, errorName } from '../../protocol/errors.js';
import type { SlotFilter } from '../request-slots.js';

export interface FaultSpec extends SlotFilter {
  apiKey: number;
  broker?: number;
  clientId?: string;
  /** Kafka's error code put in the matching slots. */
  error?: number;
  delayMs?: number;
  disconnect?: boolean;
  /** How many requests it applies to; -1 until it is removed. */
  count: number;
}

export interface Fault extends FaultSpec {
  readonly id: number;
  remaining: number;
}

/** A fault that cannot be taken: what is wrong, and the valid names where a name was. */
export class FaultError extends Error {
  constructor(message: string, readonly valid?: readonly string[]) {
    super(message);
  }
}

const FIELDS = new Set(['api', 'topic', 'partition', 'broker', 'clientId', 'error', 'delayMs', 'disconnect', 'count']);
const isObject = (x: unknown): x is Record<string, unknown> => typeof x === 'object' && x !== null && !Array.isArray(x);
const isCount = (x: unknown, min: number) => typeof x === 'number' && Number.isInteger(x) && x >= min;

/** A fault from its JSON; `apis` names the APIs this broker serves, by key. */
export function parseFault(body: unknown, apis: ReadonlyMap<number, string>): FaultSpec {
  if (!isObject(body)) throw new FaultError('a fault is a JSON object');
  const unknown = Object.keys(body).filter((k) => !FIELDS.has(k));
  if (unknown.length > 0) throw new FaultError(`unknown field(s): ${unknown.join(', ')}`, [...FIELDS]);
  const { api, topic, partition, broker, clientId, error, delayMs, disconnect, count } = body;
  const byName = new Map([...apis].map(([k, n]) => [n, k]));
  const apiKey = typeof api === 'number' ? (apis.has(api) ? api : undefined) : typeof api === 'string' ? byName.get(api) : undefined;
  if (apiKey === undefined) throw new FaultError(`unknown api ${JSON.stringify(api)}`, [...byName.keys()]);
  const spec: FaultSpec = { apiKey, count: 1 };
  if (topic !== undefined) {
    if (typeof topic !== 'string' || topic === '') throw new FaultError('topic must be a topic name');
    spec.topic = topic;
  }
  if (partition !== undefined) {
    if (!isCount(partition, 0)) throw new FaultError('partition must be an integer >= 0');
    spec.partition = partition as number;
  }
  if (broker !== undefined) {
    if (!isCount(broker, 0)) throw new FaultError('broker must be a broker id');
    spec.broker = broker as number;
  }
  if (clientId !== undefined) {
    if (typeof clientId !== 'string') throw new FaultError('clientId must be a string');
    spec.clientId = clientId;
  }
  if (error !== undefined) {
    const code = typeof error === 'string' && Object.hasOwn(ErrorCode, error) ? ErrorCode[error as keyof typeof ErrorCode] : undefined;
    if (code === undefined || code === ErrorCode.NONE) throw new FaultError(`unknown error ${JSON.stringify(error)}`, Object.keys(ErrorCode).filter((n) => n !== 'NONE'));
    spec.error = code;
  }
  if (delayMs !== undefined) {
    if (!isCount(delayMs, 0)) throw new FaultError('delayMs must be an integer >= 0');
    spec.delayMs = delayMs as number;
  }
  if (disconnect !== undefined) {
    if (typeof disconnect !== 'boolean') throw new FaultError('disconnect must be true or false');
    if (disconnect) spec.disconnect = true;
  }
  if (count !== undefined) {
    if (!(count === -1 || isCount(count, 1))) throw new FaultError('count must be an integer >= 1, or -1 for until removed');
    spec.count = count as number;
  }
  if (spec.error === undefined && spec.delayMs === undefined && !spec.disconnect) throw new FaultError('a fault needs error, delayMs or disconnect');
  return spec;
}

/** The active faults, in the order they were added: the first that matches a request applies. */
export class FaultRegistry {
  private readonly faults: Fault[] = [];
  private nextId = 1;
  /** Round-trip time added to every answer of a broker, by its id (the mock cluster's broker RTT). */
  readonly rtt = new Map<number, number>();

  add(spec: FaultSpec): Fault {
    const f: Fault = { ...spec, id: this.nextId++, remaining: spec.count };
    this.faults.push(f);
    return f;
  }

  list(): readonly Fault[] {
    return this.faults;
  }

  remove(id: number): boolean {
    const i = this.faults.findIndex((f) => f.id === id);
    if (i >= 0) this.faults.splice(i, 1);
    return i >= 0;
  }

  clear(): void {
    this.faults.length = 0;
  }

  /** The faults that may apply to a request of `apiKey` from `clientId` on broker `broker`, before its slots are looked at. */
  candidates(apiKey: number, broker: number, clientId: string | null): Fault[] {
    if (this.faults.length === 0) return [];
    return this.faults.filter((f) => f.apiKey === apiKey && (f.broker === undefined || f.broker === broker) && (f.clientId === undefined || f.clientId === clientId));
  }

  /** A fault applied once more: gone when its count is spent. */
  spend(f: Fault): void {
    if (f.remaining < 0) return;
    f.remaining--;
    if (f.remaining === 0) this.remove(f.id);
  }
}

/** A fault as the control plane shows it. */
export function faultJson(f: Fault, apiName: (key: number) => string): Record<string, unknown> {
  return {
    id: f.id, api: apiName(f.apiKey), apiKey: f.apiKey, topic: f.topic, partition: f.partition, broker: f.broker, clientId: f.clientId,
    error: f.error === undefined ? undefined : errorName(f.error), delayMs: f.delayMs, disconnect: f.disconnect, count: f.count, remaining: f.remaining,
  };
}
