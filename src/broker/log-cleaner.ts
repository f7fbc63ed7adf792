// The log cleaner: every log.cleaner.backoff.ms, one pass over this broker's partitions of
// compacted topics, keeping the last record of each key (storage/cleaner.ts).
import type { Logger } from 'winston';
import { compactLog } from '../storage/cleaner.js';
import { type Clock, systemClock } from './clock.js';
import type { ReplicaManager } from './replica-manager.js';
import type { Scheduler } from './scheduler.js';
import type { TopicConfigs } from './topic-configs.js';

export class LogCleaner {
  private cleaning = false;
  private stopped = false;

  constructor(private readonly replicas: ReplicaManager, private readonly topicConfigs: TopicConfigs, private readonly logger: Logger, private readonly clock: Clock = systemClock) {
    // A log moving to another directory is not swapped for its copy while a pass rewrites segments.
    replicas.moves.holdSwapsWhile(() => this.cleaning);
  }

  start(scheduler: Scheduler, backoffMs: number): void {
    scheduler.every(backoffMs, 'log cleaner', () => void this.run(), { onClock: true });
  }

  /** One pass over the compacted topics; skipped while a pass still runs. Returns the records removed. */
  async run(): Promise<number> {
    if (this.cleaning || this.stopped) return 0;
    this.cleaning = true;
    let removed = 0;
    try {
      for (const p of [...this.replicas.all()]) {
        if (!this.topicConfigs.hasCleanupPolicy(p.topic, 'compact')) continue;
        removed += await compactLog(p.log, this.clock.now(), this.topicConfigs.number(p.topic, 'delete.retention.ms'));
        if (this.stopped) break;
      }
      if (removed > 0) this.logger.info(`log cleaner removed ${removed} superseded record(s)`);
    } catch (e) {
      this.logger.error(`log cleaner failed: ${(e as Error).stack ?? String(e)}`);
    } finally {
      this.cleaning = false;
    }
    return removed;
  }

  stop(): void {
    this.stopped = true;
  }
}
