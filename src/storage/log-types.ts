// What a partition log is configured with, told on each append, and answers (partition-log.ts).
import type { ErrorCode } from '../protocol/errors.js';

export interface LogConfig {
  segmentBytes: number;
  segmentMs: number;
  retentionMs: number;
  retentionBytes: number;
  flushIntervalMessages: number;
  flushIntervalMs: number;
  indexIntervalBytes: number;
  /** How long deleted segments and directories stay on disk (renamed) before they are removed. */
  fileDeleteDelayMs: number;
}

export interface AppendOptions {
  leaderEpoch: number;
  now: number;
  /** message.timestamp.type=LogAppendTime: the broker stamps the time. */
  logAppendTime: boolean;
  /** Written by a coordinator of this broker, not a client: its transactional records have no sequence. */
  fromCoordinator?: boolean;
}

export type AppendResult =
  | { error: typeof ErrorCode.NONE; baseOffset: number; lastOffset: number; logAppendTime: number }
  | { error: number };
