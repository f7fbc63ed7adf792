// Node's timers take at most 2^31 - 1 ms (about 24.8 days) and fire a longer delay after
// 1 ms, where Kafka's intervals and delays are longs: a config meaning "practically never"
// must not come to mean "now".

/** The longest delay a Node timer keeps. */
export const MAX_TIMER_MS = 2 ** 31 - 1;

/** `ms` as a timer delay: at least `floor`, at most what a Node timer keeps. */
export function timerDelay(ms: number, floor = 0): number {
  return Math.min(MAX_TIMER_MS, Math.max(floor, ms));
}
