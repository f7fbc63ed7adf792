// Replication throttling (Kafka's ReplicationQuotaManager, used by the reassignment tool):
// on a leader, fetches of replicas that are not in sync are answered without data while
// their bytes exceed leader.replication.throttled.rate; on a follower, partitions it is
// not yet in sync for are left out of its fetches while it exceeds
// follower.replication.throttled.rate. Which partitions count is a topic's
// leader/follower.replication.throttled.replicas: `partition:broker` pairs naming this
// broker, or `*`. Replicas in the ISR are never throttled, so a throttle never holds back
// acks=all.
import { type RateWindow, SampledRate } from './rate.js';

/** Whether `value` (a throttled-replicas config) throttles `partition` on `brokerId`. */
export function throttledOn(value: string | null, brokerId: number, partition: number): boolean {
  const v = (value ?? '').trim();
  if (v === '*') return true;
  if (v === '') return false;
  return v.split(',').some((pair) => {
    const [p, b] = pair.trim().split(':');
    return Number(p) === partition && Number(b) === brokerId;
  });
}

/** One direction's byte rate against its bound (a dynamic broker config, read when asked). */
export class ReplicationQuota {
  private readonly rate: SampledRate;

  constructor(private readonly bound: () => number, window: RateWindow) {
    this.rate = new SampledRate(window);
  }

  /** Whether a rate is set at all: without one (Kafka's default, Long.MAX_VALUE) nothing is measured or checked. */
  get limited(): boolean {
    return this.bound() < Number.MAX_SAFE_INTEGER;
  }

  /** Kafka's isQuotaExceeded: the rate measured now is over the bound. */
  exceeded(now: number): boolean {
    return this.limited && this.rate.measure(now) > this.bound();
  }

  record(bytes: number, now: number): void {
    if (bytes > 0) this.rate.record(bytes, now);
  }
}
