// The broker's periodic background tasks (retention, flushing, checkpoints, ISR expiry,
// group timers, the cleaner): each runs on its own interval, a failure is logged and the
// next run goes ahead, and close() stops them all. Tasks of the broker's own logic run on
// its clock (clock.ts): under a virtual one, as often as the test advances it.
import type { Logger } from 'winston';
import { type Clock, systemClock } from './clock.js';
import { timerDelay } from '../timer-delay.js';

export class Scheduler {
  private readonly stops: Array<() => void> = [];

  constructor(private readonly logger: Logger, private readonly clock: Clock = systemClock) {}

  /**
   * Runs `fn` every `ms` (at least 10 ms apart) until close(); `what` names it in a
   * failure's log line. A run that returns a promise is not started again until it settles.
   * `onClock` tasks follow the broker's clock; the others, infrastructure, real time.
   */
  every(ms: number, what: string, fn: () => void | Promise<void>, opts: { onClock?: boolean } = {}): void {
    const failed = (e: unknown) => this.logger.error(`${what} failed: ${(e as Error).stack ?? String(e)}`);
    let running = false;
    const run = () => {
      if (running) return;
      try {
        const r = fn();
        if (r instanceof Promise) {
          running = true;
          r.catch(failed).finally(() => {
            running = false;
          });
        }
      } catch (e) {
        failed(e);
      }
    };
    const period = timerDelay(ms, 10);
    this.stops.push(opts.onClock ? this.clock.every(period, run) : systemClock.every(period, run));
  }

  close(): void {
    for (const stop of this.stops) stop();
    this.stops.length = 0;
  }
}
