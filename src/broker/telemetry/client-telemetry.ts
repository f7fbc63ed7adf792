// Client telemetry (KIP-714), as Kafka's ClientMetricsManager serves it: a client asks
// for its subscription (GetTelemetrySubscriptions) and is given an instance id, the
// metrics the matching subscriptions want, the push interval (the shortest of theirs) and
// a subscription id; it then pushes its metrics (PushTelemetry) no more often than that.
// Pushed metrics are decoded (otlp-metrics.ts) and kept, latest value per metric, for the
// broker's /metrics endpoint, until the client's connection closes or it falls silent.
import { randomBytes } from 'node:crypto';
import { decompress } from '../../protocol/records/compression.js';
import { crc32c } from '../../protocol/records/crc32c.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { GetTelemetrySubscriptionsResponse, PushTelemetryRequest, PushTelemetryResponse } from '../../protocol/messages/index.js';
import { DEFAULT_INTERVAL_MS, type MatchKey, type Subscription, subscriptionOf } from './client-metrics-config.js';
import { decodeMetrics, type MetricPoint } from './otlp-metrics.js';

const ZERO = '0'.repeat(32);
/** Kafka's Uuid.RESERVED: the zero id and the metadata topic's. */
const RESERVED = new Set([ZERO, `${'0'.repeat(31)}1`]);
/** ZSTD, LZ4, GZIP, SNAPPY: what Kafka's broker accepts, in its order. */
const ACCEPTED_COMPRESSION = [4, 3, 1, 2];
const CACHE_MAX_SIZE = 16_384;
const CACHE_EXPIRY_MS = 60_000;

/** Who is asking: the client attributes a subscription's `match` may name. */
export type TelemetryClient = Record<MatchKey, string>;

interface Instance {
  id: string;
  client: TelemetryClient;
  subscriptionId: number;
  metrics: string[];
  pushIntervalMs: number;
  /** The subscriptions' configs this instance was evaluated against. */
  evaluatedAgainst: string;
  lastGet: number;
  lastPush: number;
  terminating: boolean;
  expiresAt: number;
  points: Map<string, MetricPoint>;
  forgetClose: (() => void) | null;
}

/** Kafka's Uuid.hashCode over a 32-hex-digit id. */
function uuidHash(id: string): number {
  const hi = BigInt.asIntN(64, BigInt(`0x${id.slice(0, 16)}`));
  const lo = BigInt.asIntN(64, BigInt(`0x${id.slice(16)}`));
  const h = hi ^ lo;
  return Number(BigInt.asIntN(32, h >> 32n) ^ BigInt.asIntN(32, h));
}

export class ClientTelemetry {
  private readonly instances = new Map<string, Instance>();

  constructor(
    private readonly subscriptions: () => ReadonlyMap<string, Record<string, string>>,
    private readonly maxBytes: () => number,
    private readonly now: () => number = Date.now,
  ) {}

  /** GetTelemetrySubscriptions: the instance's subscription, or THROTTLING_QUOTA_EXCEEDED before its interval has passed. */
  subscribe(requestedId: string, client: Omit<TelemetryClient, 'client_instance_id'>, onClose: (fn: () => void) => () => void): GetTelemetrySubscriptionsResponse {
    const now = this.now();
    const id = requestedId !== ZERO ? requestedId : this.newId();
    const inst = this.instance(id, client, onClose, now);
    if (now - Math.max(inst.lastGet, inst.lastPush) < inst.pushIntervalMs) {
      return {
        throttleTimeMs: 0, errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED, clientInstanceId: ZERO, subscriptionId: 0, acceptedCompressionTypes: [],
        pushIntervalMs: 0, telemetryMaxBytes: 0, deltaTemporality: false, requestedMetrics: [],
      };
    }
    inst.lastGet = now;
    return {
      throttleTimeMs: 0, errorCode: ErrorCode.NONE, clientInstanceId: id, subscriptionId: inst.subscriptionId, acceptedCompressionTypes: ACCEPTED_COMPRESSION,
      pushIntervalMs: inst.pushIntervalMs, telemetryMaxBytes: this.maxBytes(), deltaTemporality: true, requestedMetrics: inst.metrics,
    };
  }

  /** PushTelemetry, checked in Kafka's order; the metrics are kept once decoded. */
  async push(req: PushTelemetryRequest, client: Omit<TelemetryClient, 'client_instance_id'>, onClose: (fn: () => void) => () => void): Promise<PushTelemetryResponse> {
    const fail = (errorCode: number): PushTelemetryResponse => ({ throttleTimeMs: 0, errorCode });
    const id = req.clientInstanceId;
    if (RESERVED.has(id)) return fail(ErrorCode.INVALID_REQUEST);
    const now = this.now();
    const inst = this.instance(id, client, onClose, now);
    const refused = this.pushRefusal(req, inst, now);
    inst.terminating = req.terminating;
    if (refused !== null) return fail(refused);
    if (req.metrics.length > 0) {
      try {
        const raw = req.compressionType === 0 ? req.metrics : await decompress(req.compressionType, req.metrics);
        for (const p of decodeMetrics(raw)) inst.points.set(`${p.name}\u0000${p.attributes}`, p);
      } catch {
        // Kafka answers a push its receiver cannot take INVALID_RECORD.
        return fail(ErrorCode.INVALID_RECORD);
      }
    }
    return fail(ErrorCode.NONE);
  }

  /** Kafka's validatePushRequest; null when the push is taken. */
  private pushRefusal(req: PushTelemetryRequest, inst: Instance, now: number): number | null {
    if (inst.terminating) return ErrorCode.INVALID_REQUEST;
    // A push right after a subscription is taken whatever the interval (clients add jitter to it).
    const accept = inst.lastGet > inst.lastPush || now - inst.lastPush >= inst.pushIntervalMs;
    if (accept) inst.lastPush = now;
    else if (!req.terminating) return ErrorCode.THROTTLING_QUOTA_EXCEEDED;
    if (req.subscriptionId !== inst.subscriptionId) return ErrorCode.UNKNOWN_SUBSCRIPTION_ID;
    if (req.compressionType < 0 || req.compressionType > 4) return ErrorCode.UNSUPPORTED_COMPRESSION_TYPE;
    if (req.metrics.length > this.maxBytes()) return ErrorCode.TELEMETRY_TOO_LARGE;
    return null;
  }

  /** Every client's latest values, for the metrics endpoint. */
  *points(): Iterable<MetricPoint & { clientInstanceId: string; clientId: string }> {
    this.expire(this.now());
    for (const inst of this.instances.values()) {
      for (const p of inst.points.values()) yield { ...p, clientInstanceId: inst.id, clientId: inst.client.client_id };
    }
  }

  /** The instance for `id`, made (or re-evaluated after a subscription change) as needed; its expiry moves on. */
  private instance(id: string, client: Omit<TelemetryClient, 'client_instance_id'>, onClose: (fn: () => void) => () => void, now: number): Instance {
    this.expire(now);
    const subs = this.subscriptions();
    const against = JSON.stringify([...subs]);
    let inst = this.instances.get(id);
    if (!inst || inst.evaluatedAgainst !== against) {
      const evaluated = this.evaluate(id, { ...client, client_instance_id: id }, subs);
      // A changed subscription is given at once, as Kafka's new instance for it is.
      inst = inst ? Object.assign(inst, evaluated, { evaluatedAgainst: against, lastGet: 0, lastPush: 0 }) : {
        id, client: { ...client, client_instance_id: id }, ...evaluated, evaluatedAgainst: against,
        lastGet: 0, lastPush: 0, terminating: false, expiresAt: 0, points: new Map(), forgetClose: null,
      };
      if (!this.instances.has(id)) {
        if (this.instances.size >= CACHE_MAX_SIZE) this.forget(this.instances.keys().next().value!);
        this.instances.set(id, inst);
        const made = inst;
        // Kafka drops an instance with its connection.
        made.forgetClose = onClose(() => this.forget(made.id));
      }
    }
    inst.expiresAt = now + Math.max(CACHE_EXPIRY_MS, inst.pushIntervalMs * 3);
    return inst;
  }

  /** createClientInstance: the union of the matching subscriptions' metrics (`*` alone if any asks for all), the shortest interval. */
  private evaluate(id: string, client: TelemetryClient, subs: ReadonlyMap<string, Record<string, string>>): Pick<Instance, 'subscriptionId' | 'metrics' | 'pushIntervalMs'> {
    let pushIntervalMs = DEFAULT_INTERVAL_MS;
    const metrics = new Set<string>();
    for (const [name, configs] of subs) {
      const s: Subscription = subscriptionOf(name, configs);
      if (![...s.match].every(([key, re]) => re.matches(client[key]))) continue;
      for (const m of s.metrics) metrics.add(m);
      pushIntervalMs = Math.min(pushIntervalMs, s.intervalMs);
    }
    const list = metrics.has('*') ? ['*'] : [...metrics].sort();
    const crc = crc32c(Buffer.from(`[${list.join(', ')}]${pushIntervalMs}`));
    return { metrics: list, pushIntervalMs, subscriptionId: (crc | 0) ^ uuidHash(id) };
  }

  private newId(): string {
    for (;;) {
      const id = randomBytes(16).toString('hex');
      if (!RESERVED.has(id) && !this.instances.has(id)) return id;
    }
  }

  private expire(now: number): void {
    for (const inst of this.instances.values()) if (inst.expiresAt <= now) this.forget(inst.id);
  }

  private forget(id: string): void {
    const inst = this.instances.get(id);
    if (!inst) return;
    inst.forgetClose?.();
    this.instances.delete(id);
  }
}

/** The broker's client telemetry: the cluster's subscriptions, pushes up to telemetry.max.bytes, on the broker's clock. */
export const clientTelemetry = (metadata: { readonly clientMetrics: ReadonlyMap<string, Record<string, string>> }, config: { int(name: string): number }, clock: { now(): number }): ClientTelemetry =>
  new ClientTelemetry(() => metadata.clientMetrics, () => config.int('telemetry.max.bytes'), () => clock.now());
