// The broker's periodic background tasks (retention, flushing, checkpoints, ISR expiry,
// group timers, the cleaner): each runs on its own interval, a failure is logged and the
// next run goes ahead, and close() stops them all.
import type { Logger } from 'winston';
import { timerDelay } from '../timer-delay.js';

export class Scheduler {
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly logger: Logger) {}

  /** Runs `fn` every `ms` (at least 10 ms apart) until close(); `what` names it in a failure's log line. */
  every(ms: number, what: string, fn: () => void): void {
    const t = setInterval(() => {
      try {
        fn();
      } catch (e) {
        this.logger.error(`${what} failed: ${(e as Error).stack ?? String(e)}`);
      }
    }, timerDelay(ms, 10));
    t.unref();
    this.timers.push(t);
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
  }
}
