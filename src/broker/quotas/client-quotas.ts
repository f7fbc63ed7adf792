// Client quotas as they apply to a request: which quota holds for a user and client id
// (Kafka's eight-step precedence of DefaultQuotaCallback), the rate each client is
// measured at, and the throttle time a request earns. The quotas themselves live in the
// cluster's metadata (AlterClientQuotas), so every broker enforces the same ones; each
// broker measures the traffic it serves, as each Kafka broker does.
import { CLIENT_ID, entityKey, IP, type QuotaEntity, type QuotaEntry, USER } from './quota-entities.js';
import { type RateWindow, recordAndThrottle, SampledRate, TokenBucket } from './rate.js';

export type QuotaKind = 'producer_byte_rate' | 'consumer_byte_rate' | 'request_percentage' | 'controller_mutation_rate';

/** Who a request is from, for quotas: its principal's name and its client id. */
export interface QuotaClient {
  readonly user: string;
  readonly clientId: string;
}

interface Applied {
  bound: number;
  /** The client's sensor: per user, per client id, or both, as the entity that set the quota. */
  sensor: string;
}

/**
 * One request's use of controller_mutation_rate (Kafka's ControllerMutationQuota): `take`
 * spends the partitions a topic creates or deletes, false when a strict quota (the
 * versions that know THROTTLING_QUOTA_EXCEEDED) refuses because the client is in debt.
 */
export interface MutationQuota {
  /** False when no quota applies: nothing to check, nothing to spend. */
  readonly limited: boolean;
  take(permits: number, now: number): boolean;
  /** The throttle time the request earned, for its answer. */
  readonly throttleMs: number;
}

const UNLIMITED: MutationQuota = { limited: false, take: () => true, throttleMs: 0 };

/** Kafka's message for THROTTLING_QUOTA_EXCEEDED. */
export const THROTTLED_MESSAGE = 'The throttling quota has been exceeded.';

/** The principal of a connection that has not authenticated (PLAINTEXT), as Kafka names it. */
export const ANONYMOUS = 'ANONYMOUS';

export class ClientQuotas {
  private seen: readonly QuotaEntry[] | null = null;
  private index = new Map<string, Record<string, number>>();
  private readonly rates: Sensors<SampledRate>;
  private readonly buckets: Sensors<TokenBucket>;

  /** `source` gives the cluster's quotas as they stand (a new list on every change). */
  constructor(private readonly source: () => readonly QuotaEntry[], private readonly window: RateWindow) {
    this.rates = new Sensors(() => new SampledRate(window));
    this.buckets = new Sensors(() => new TokenBucket(window));
  }

  private get byEntity(): Map<string, Record<string, number>> {
    const entries = this.source();
    if (entries !== this.seen) {
      this.seen = entries;
      this.index = new Map(entries.map((e) => [entityKey(e.entity), e.values]));
    }
    return this.index;
  }

  /** Whether any quota is set: while none is, requests are not measured at all. */
  get active(): boolean {
    return this.source().length > 0;
  }

  /**
   * The quota of `kind` for `c`, from the most specific entity that sets it:
   * user+client, user+default client, user, default user+client, default user+default
   * client, default user, client, default client.
   */
  applied(kind: QuotaKind, c: QuotaClient): Applied | null {
    const u = c.user;
    const id = c.clientId;
    const order: QuotaEntity[] = [
      [[USER, u], [CLIENT_ID, id]], [[USER, u], [CLIENT_ID, null]], [[USER, u]],
      [[USER, null], [CLIENT_ID, id]], [[USER, null], [CLIENT_ID, null]], [[USER, null]],
      [[CLIENT_ID, id]], [[CLIENT_ID, null]],
    ];
    for (const entity of order) {
      const bound = this.byEntity.get(entityKey(entity))?.[kind];
      if (bound === undefined) continue;
      const byUser = entity.some(([t]) => t === USER);
      const byClient = entity.some(([t]) => t === CLIENT_ID);
      return { bound, sensor: `${kind}\u0000${byUser ? u : ''}\u0000${byClient ? id : ''}` };
    }
    return null;
  }

  /** Records `value` against `c`'s quota of `kind`; the throttle time it earns (0 without a quota). */
  record(kind: QuotaKind, c: QuotaClient, value: number, now: number): number {
    const q = this.applied(kind, c);
    if (!q) return 0;
    // Request time is capped at one window (ClientRequestQuotaManager); bytes and mutations are not.
    const cap = kind === 'request_percentage' ? this.window.windowMs : Infinity;
    return recordAndThrottle(this.rates.get(q.sensor, now), q.bound, value, now, cap);
  }

  /** Takes back what `record` counted (a fetch answered empty because it was throttled). */
  unrecord(kind: QuotaKind, c: QuotaClient, value: number, now: number): void {
    const q = this.applied(kind, c);
    if (q) this.rates.get(q.sensor, now).unrecord(value, now);
  }

  /**
   * A new connection from `ip` counted against connection_creation_rate (its own entity,
   * else the default ip's): how long to hold it before closing it, 0 to take it. Capped at
   * one window, as Kafka's ConnectionQuotas caps it.
   */
  connectionThrottle(ip: string, now: number): number {
    const entity = [[[IP, ip]], [[IP, null]]] as const;
    for (const e of entity) {
      const bound = this.byEntity.get(entityKey(e))?.connection_creation_rate;
      if (bound !== undefined) return recordAndThrottle(this.rates.get(`connection_creation_rate\u0000${ip}`, now), bound, 1, now, this.window.windowMs);
    }
    return 0;
  }

  /** The controller_mutation_rate quota of one request of `c`; strict ones refuse once in debt, permissive ones throttle after. */
  mutations(c: QuotaClient, strict: boolean): MutationQuota {
    const q = this.applied('controller_mutation_rate', c);
    if (!q) return UNLIMITED;
    const b = this.buckets.get(q.sensor, Date.now());
    let throttleMs = 0;
    return {
      limited: true,
      take(permits, now) {
        if (strict) {
          const owed = b.throttle(q.bound, now);
          if (owed > 0) {
            throttleMs = owed;
            return false;
          }
          b.take(permits, q.bound, now);
          return true;
        }
        b.take(permits, q.bound, now);
        throttleMs = b.throttle(q.bound, now);
        return true;
      },
      get throttleMs() {
        return throttleMs;
      },
    };
  }

  /** The most a fetch may read for `c` in one answer: what its quota allows over the window (Kafka's getMaxValueInQuotaWindow). */
  maxWindowBytes(c: QuotaClient): number {
    const q = this.applied('consumer_byte_rate', c);
    return q ? q.bound * (this.window.samples - 1) * (this.window.windowMs / 1000) : Number.MAX_SAFE_INTEGER;
  }
}

/** Kafka drops a client's quota sensors after an hour without use (INACTIVE_SENSOR_EXPIRATION_TIME_SECONDS). */
const SENSOR_IDLE_MS = 3_600_000;
const SWEEP_EVERY_MS = 60_000;

/** Per-client measurements by sensor name, swept of those idle past SENSOR_IDLE_MS, so client ids come and go without the map growing. */
class Sensors<T> {
  private readonly entries = new Map<string, { value: T; used: number }>();
  private sweepAt = 0;

  constructor(private readonly make: () => T) {}

  get(key: string, now: number): T {
    if (now >= this.sweepAt) {
      for (const [k, e] of this.entries) if (now - e.used > SENSOR_IDLE_MS) this.entries.delete(k);
      this.sweepAt = now + SWEEP_EVERY_MS;
    }
    let e = this.entries.get(key);
    if (!e) this.entries.set(key, (e = { value: this.make(), used: now }));
    e.used = now;
    return e.value;
  }
}

/** The broker's client quotas: the cluster's, measured over quota.window.num windows of quota.window.size.seconds. */
export const clientQuotas = (metadata: { readonly clientQuotas: readonly QuotaEntry[] }, config: { int(name: string): number }): ClientQuotas =>
  new ClientQuotas(() => metadata.clientQuotas, { samples: config.int('quota.window.num'), windowMs: config.int('quota.window.size.seconds') * 1000 });
