// The broker's periodic background tasks (retention, flushing, checkpoints, ISR expiry,
// group timers, the cleaner): each runs on its own interval, a failure is logged and the
// next run goes ahead, and close() stops them all.
import type { Logger } from 'winston';
import { timerDelay } from '../timer-delay.js';

export class Scheduler {
  private readonly timers: NodeJS.Timeout[] = [];

  constructor(private readonly logger: Logger) {}

  /**
   * Runs `fn` every `ms` (at least 10 ms apart) until close(); `what` names it in a
   * failure's log line. A run that returns a promise is not started again until it settles.
   */
  every(ms: number, what: string, fn: () => void | Promise<void>): void {
    const failed = (e: unknown) => this.logger.error(`${what} failed: ${(e as Error).stack ?? String(e)}`);
    let running = false;
    const t = setInterval(() => {
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
    }, timerDelay(ms, 10));
    t.unref();
    this.timers.push(t);
  }

  close(): void {
    for (const t of this.timers) clearInterval(t);
    this.timers.length = 0;
  }
}
