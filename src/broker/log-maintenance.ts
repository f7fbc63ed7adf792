// The log manager's periodic work: retention, timed flushes and the broker-level checkpoints.
import type { Logger } from 'winston';
import type { LogManager } from '../storage/log-manager.js';
import type { BrokerConfig } from './config.js';
import type { Scheduler } from './scheduler.js';

export function scheduleLogMaintenance(scheduler: Scheduler, logs: LogManager, config: BrokerConfig, logger: Logger): void {
  scheduler.every(config.int('log.retention.check.interval.ms'), 'retention', () => {
    const n = logs.applyRetention(Date.now());
    if (n > 0) logger.info(`retention deleted ${n} segment(s)`);
  });
  scheduler.every(1000, 'timed flush', () => logs.flushDue(Date.now()));
  // Kafka's replica.high.watermark.checkpoint.interval.ms: a restarted leader resumes
  // from this high watermark instead of hiding everything until its followers fetch.
  scheduler.every(5000, 'checkpoints', () => logs.writeCheckpoints());
}
