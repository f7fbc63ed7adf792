// A rate measured as Kafka's metrics measure it (org.apache.kafka.common.metrics.stats.Rate
// over a SampledStat): `samples` windows of `windowMs` each, the oldest recycled as time
// moves on, and the rate the sum of what is kept over the time they span — never less than
// `samples - 1` full windows, so one burst at start does not read as an unbounded rate. The
// throttle time of a quota violation follows Kafka's QuotaUtils: how long the client must
// stay quiet for the rate to fall back to the bound.

export interface RateWindow {
  /** quota.window.num */
  readonly samples: number;
  /** quota.window.size.seconds, in ms */
  readonly windowMs: number;
}

interface Sample {
  value: number;
  start: number;
}

export class SampledRate {
  private readonly samples: Sample[] = [];
  private current = 0;

  constructor(private readonly window: RateWindow) {}

  record(value: number, now: number): void {
    let s = this.samples[this.current];
    if (!s) {
      s = { value: 0, start: now };
      this.samples.push(s);
    } else if (now - s.start >= this.window.windowMs) {
      this.current = (this.current + 1) % this.window.samples;
      s = this.samples[this.current];
      if (!s) this.samples.push((s = { value: 0, start: now }));
      else {
        s.value = 0;
        s.start = now;
      }
    }
    s.value += value;
  }

  /** Takes back a value recorded (a fetch answered empty because it was throttled). */
  unrecord(value: number, now: number): void {
    this.record(-value, now);
  }

  /** Units per second as of `now`. */
  measure(now: number): number {
    this.purge(now);
    let total = 0;
    for (const s of this.samples) total += s.value;
    return total / (this.windowSize(now) / 1000);
  }

  /** Kafka's Rate.windowSize: the span the kept samples cover, at least samples - 1 full windows, at least 1 ms. */
  windowSize(now: number): number {
    this.purge(now);
    let oldest = now;
    for (const s of this.samples) oldest = Math.min(oldest, s.start);
    let elapsed = now - oldest;
    const full = Math.floor(elapsed / this.window.windowMs);
    const minFull = this.window.samples - 1;
    if (full < minFull) elapsed += (minFull - full) * this.window.windowMs;
    return Math.max(elapsed, 1);
  }

  /** Samples older than the whole window count for nothing. */
  private purge(now: number): void {
    const expire = this.window.samples * this.window.windowMs;
    for (const s of this.samples) {
      if (now - s.start >= expire) {
        s.value = 0;
        s.start = now;
      }
    }
  }
}

/**
 * Records `value` and answers how long the client must be throttled, 0 when the rate stays
 * within `bound` (Kafka's Sensor.record with quotas checked, then QuotaUtils.throttleTime).
 * `maxMs` caps it: one window for request time (ClientRequestQuotaManager), none for bytes.
 */
export function recordAndThrottle(rate: SampledRate, bound: number, value: number, now: number, maxMs = Infinity): number {
  rate.record(value, now);
  return throttleTime(rate, bound, now, maxMs);
}

/** How long a client over `bound` must wait for `rate` to come back to it; 0 within it. */
function throttleTime(rate: SampledRate, bound: number, now: number, maxMs = Infinity): number {
  const measured = rate.measure(now);
  if (measured <= bound) return 0;
  return Math.min(Math.round(((measured - bound) / bound) * rate.windowSize(now)), maxMs);
}

/**
 * Kafka's TokenBucket (KIP-599), which controller_mutation_rate is measured with: credits
 * come back at the quota's rate up to a burst of the whole window's worth, each mutation
 * spends as many as partitions it touches, and a client in debt waits until it is repaid.
 */
export class TokenBucket {
  private tokens = 0;
  /** Never refilled yet: the first refill fills the bucket, as Kafka's (last update at epoch 0) does. */
  private last = -Infinity;

  constructor(private readonly window: RateWindow) {}

  take(permits: number, rate: number, now: number): void {
    this.refill(rate, now);
    this.tokens -= permits;
  }

  /** How long until the debt is repaid at `rate`: Kafka's -tokens / quota, in ms; 0 out of debt. */
  throttle(rate: number, now: number): number {
    this.refill(rate, now);
    return this.tokens < 0 ? Math.round((-this.tokens / rate) * 1000) : 0;
  }

  private refill(rate: number, now: number): void {
    const burst = this.window.samples * (this.window.windowMs / 1000) * rate;
    this.tokens = Math.min(burst, this.tokens + (rate * (now - this.last)) / 1000);
    this.last = now;
  }
}
