// The log settings storage tests start from: Kafka's defaults, nothing deleted or flushed by time.
import type { LogConfig } from '../../src/storage/partition-log.js';

export const logConfig = (over: Partial<LogConfig> = {}): LogConfig => ({
  segmentBytes: 1 << 30, segmentMs: 7 * 86400_000, retentionMs: -1, retentionBytes: -1,
  flushIntervalMessages: Number.MAX_SAFE_INTEGER, flushIntervalMs: Number.MAX_SAFE_INTEGER, indexIntervalBytes: 4096,
  fileDeleteDelayMs: 60_000, ...over,
});
