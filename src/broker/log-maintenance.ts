// The log manager's periodic work: retention, timed flushes and the broker-level
// checkpoints; and the watch on the process's file descriptors.
import type { Logger } from 'winston';
import type { LogManager } from '../storage/log-manager.js';
import { descriptorLimit, descriptorsInUse, segmentFiles } from '../storage/open-files.js';
import type { Clock } from './clock.js';
import type { BrokerConfig } from './config.js';
import type { Scheduler } from './scheduler.js';

export function scheduleLogMaintenance(scheduler: Scheduler, logs: LogManager, config: BrokerConfig, logger: Logger, clock: Clock): void {
  scheduler.every(config.int('log.retention.check.interval.ms'), 'retention', () => {
    const n = logs.applyRetention(clock.now());
    if (n > 0) logger.info(`retention deleted ${n} segment(s)`);
  }, { onClock: true });
  scheduler.every(1000, 'timed flush', () => logs.flushDue(Date.now()));
  // Kafka's replica.high.watermark.checkpoint.interval.ms: a restarted leader resumes
  // from this high watermark instead of hiding everything until its followers fetch.
  scheduler.every(5000, 'checkpoints', () => {
    logs.writeCheckpoints();
  });
}

/**
 * Logs the process's descriptor limit and the segment files kept open under it, and warns
 * (once each time it gets there) when nine tenths of the limit are in use.
 */
export function watchDescriptors(scheduler: Scheduler, logger: Logger): void {
  const limit = descriptorLimit();
  if (limit === null) return;
  logger.info(`file descriptor limit ${limit}; up to ${segmentFiles.capacity} segment files kept open`);
  let warned = false;
  scheduler.every(10_000, 'descriptor check', () => {
    const inUse = descriptorsInUse();
    if (inUse === null) return;
    const near = inUse >= limit * 0.9;
    if (near && !warned) logger.warn(`${inUse} of ${limit} file descriptors in use (${segmentFiles.size} segment files)`);
    warned = near;
  });
}
