// Owns every partition log on this broker: opening them at start-up from the log
// directory (or a memory volume), broker-level checkpoints (recovery point, log start
// offset), the flush and retention timers, and closing them cleanly.
import fs from 'node:fs';
import path from 'node:path';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { DELETED_DIR_SUFFIX, FileDeleter } from './file-deleter.js';
import { type LogConfig, PartitionLog } from './partition-log.js';

export type StorageKind = { kind: 'memory'; volume?: MemoryVolume } | { kind: 'disk'; dir: string };

interface LogEntry {
  topic: string;
  partition: number;
  log: PartitionLog;
}

/**
 * In-memory logs that outlive the broker holding them, as a log directory does: a broker
 * of an in-process cluster stopped or killed and started again over the same volume finds
 * its logs whole, as a restarted process finds its files (a killed process's writes live
 * on in the page cache). Without one, a broker's memory logs go with it.
 */
export class MemoryVolume {
  readonly logs = new Map<string, LogEntry>();
  /** What a disk broker's replication-offset-checkpoint would hold: written on the same occasions. */
  readonly highWatermarks = new Map<string, number>();

  /** Frees every log (the cluster it belongs to is closing). */
  clear(): void {
    for (const { log } of this.logs.values()) log.close();
    this.logs.clear();
    this.highWatermarks.clear();
  }
}

const RECOVERY_CHECKPOINT = 'recovery-point-offset-checkpoint';
const START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
const HW_CHECKPOINT = 'replication-offset-checkpoint';
const CLEAN_SHUTDOWN = '.kafka_cleanshutdown';

export const partitionDirName = (topic: string, partition: number): string => `${topic}-${partition}`;

export class LogManager {
  private readonly logs: Map<string, LogEntry>;
  private readonly recovery = new Map<string, number>();
  private readonly startOffsets = new Map<string, number>();
  private readonly checkpointedHighWatermarks: Map<string, number>;
  /** Where the logs live on after this broker when they are in memory: they are not closed with it. */
  private readonly volume: MemoryVolume | null;
  private readonly deleter = new FileDeleter();
  /**
   * The owner's high watermark of a partition ("topic-partition"), written to the
   * replication-offset-checkpoint; the log end offset where it gives none.
   */
  highWatermarkOf: (key: string) => number | undefined = () => undefined;
  /** Where failures of work nobody waits for (checkpoints after a roll, closing) are reported; the broker logs them. */
  onError: (what: string, e: Error) => void = () => undefined;
  /** True when the last shutdown was clean: no segment needs its CRCs checked. */
  readonly cleanShutdown: boolean;

  constructor(readonly storage: StorageKind) {
    this.volume = storage.kind === 'memory' ? (storage.volume ?? null) : null;
    this.logs = this.volume?.logs ?? new Map();
    this.checkpointedHighWatermarks = this.volume?.highWatermarks ?? new Map();
    if (storage.kind === 'disk') {
      fs.mkdirSync(storage.dir, { recursive: true });
      const marker = path.join(storage.dir, CLEAN_SHUTDOWN);
      this.cleanShutdown = fs.existsSync(marker);
      fs.rmSync(marker, { force: true });
      for (const [t, p, o] of readCheckpoint(path.join(storage.dir, RECOVERY_CHECKPOINT))) this.recovery.set(`${t}-${p}`, Number(o));
      for (const [t, p, o] of readCheckpoint(path.join(storage.dir, START_OFFSET_CHECKPOINT))) this.startOffsets.set(`${t}-${p}`, Number(o));
      for (const [t, p, o] of readCheckpoint(path.join(storage.dir, HW_CHECKPOINT))) this.checkpointedHighWatermarks.set(`${t}-${p}`, Number(o));
      // Partitions deleted before the process stopped, whose delay it did not live to see out.
      const leftovers = fs.readdirSync(storage.dir, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name.endsWith(DELETED_DIR_SUFFIX));
      this.deleter.schedule(leftovers.map((d) => path.join(storage.dir, d.name)), 0);
    } else {
      this.cleanShutdown = true;
    }
  }

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(partitionDirName(topic, partition))?.log;
  }

  /** Opens the partition's log, creating it if new. Safe to call twice. */
  open(topic: string, partition: number, config: LogConfig): PartitionLog {
    const key = partitionDirName(topic, partition);
    const existing = this.logs.get(key);
    if (existing) {
      // A log kept by a volume meets this broker's configs and checkpoints.
      if (this.volume) this.adopt(existing.log, config);
      return existing.log;
    }
    const log = this.storage.kind === 'memory'
      ? PartitionLog.memory(config)
      : PartitionLog.open(path.join(this.storage.dir, key), config, this.cleanShutdown ? Infinity : (this.recovery.get(key) ?? 0), this.startOffsets.get(key) ?? 0, this.deleter);
    this.adopt(log, config);
    this.logs.set(key, { topic, partition, log });
    return log;
  }

  private adopt(log: PartitionLog, config: LogConfig): void {
    log.config = config;
    // A flushed segment is only worth something after a crash once the checkpoint says so:
    // then recovery re-checks just the unflushed tail, not the whole log.
    log.onRecoveryPoint = () => this.guard('writing the checkpoints', () => this.writeCheckpoints());
  }

  /** The high watermark last checkpointed for a partition (0 when none was). */
  checkpointedHighWatermark(topic: string, partition: number): number {
    return this.checkpointedHighWatermarks.get(partitionDirName(topic, partition)) ?? 0;
  }

  /** Partition directories found on disk (or logs a volume kept), for start-up. */
  onDisk(): Array<{ topic: string; partition: number }> {
    if (this.volume) return [...this.volume.logs.values()].map(({ topic, partition }) => ({ topic, partition }));
    if (this.storage.kind !== 'disk') return [];
    return fs.readdirSync(this.storage.dir, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => /^(.+)-(\d+)$/.exec(d.name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ topic: m[1]!, partition: Number(m[2]) }));
  }

  delete(topic: string, partition: number): void {
    const key = partitionDirName(topic, partition);
    this.logs.get(key)?.log.delete();
    this.logs.delete(key);
    // As the checkpoint file, rewritten from the open logs, forgets it: a topic made again
    // under the name starts from its own checkpoints, never the deleted one's.
    this.checkpointedHighWatermarks.delete(key);
  }

  all(): Iterable<{ topic: string; partition: number; log: PartitionLog }> {
    return this.logs.values();
  }

  /** Timer work: time-based flushes. */
  flushDue(now: number): void {
    for (const { log } of this.logs.values()) log.maybeTimedFlush(now);
  }

  /** Timer work: retention. Returns how many segments were deleted. */
  applyRetention(now: number): number {
    let n = 0;
    for (const { log } of this.logs.values()) n += log.applyRetention(now);
    return n;
  }

  writeCheckpoints(): void {
    if (this.volume) {
      for (const [key, { log }] of this.logs) this.checkpointedHighWatermarks.set(key, this.highWatermarkToCheckpoint(key, log));
      return;
    }
    if (this.storage.kind !== 'disk') return;
    const rows = (f: (l: PartitionLog, key: string) => number) =>
      [...this.logs.entries()].map(([key, { topic, partition, log }]) => [topic, String(partition), String(f(log, key))]);
    writeCheckpoint(path.join(this.storage.dir, RECOVERY_CHECKPOINT), rows((l) => l.recoveryPoint));
    writeCheckpoint(path.join(this.storage.dir, START_OFFSET_CHECKPOINT), rows((l) => l.logStartOffset));
    writeCheckpoint(path.join(this.storage.dir, HW_CHECKPOINT), rows((l, key) => this.highWatermarkToCheckpoint(key, l)));
  }

  /** The owner's high watermark, or the log end where the owner has no partition for it. */
  private highWatermarkToCheckpoint(key: string, log: PartitionLog): number {
    return this.highWatermarkOf(key) ?? log.logEndOffset;
  }

  /**
   * Lets go of every log with no flush, checkpoint or clean-shutdown marker: what SIGKILL
   * leaves. A volume's logs stay in it as they are.
   */
  abandon(): void {
    this.deleter.close();
    if (this.volume) return;
    for (const { log } of this.logs.values()) log.abandon();
    this.logs.clear();
  }

  /**
   * Flushes and closes every log, writes checkpoints and the clean-shutdown marker. A
   * volume's logs stay open in it, its checkpoints written.
   */
  /**
   * Flushes and closes every log and writes the checkpoints. What fails (a full disk) is
   * reported and the rest still closes; the shutdown then does not count as clean, so the
   * next start checks the logs it could not close.
   */
  close(): void {
    this.deleter.close();
    if (this.volume) {
      this.guard('writing the checkpoints', () => this.writeCheckpoints());
      return;
    }
    let clean = true;
    for (const [key, { log }] of this.logs) clean = this.guard(`closing ${key}`, () => log.close()) && clean;
    clean = this.guard('writing the checkpoints', () => this.writeCheckpoints()) && clean;
    if (clean && this.storage.kind === 'disk') {
      const dir = this.storage.dir;
      this.guard('marking the shutdown clean', () => fs.writeFileSync(path.join(dir, CLEAN_SHUTDOWN), ''));
    }
    this.logs.clear();
  }

  /** Runs `fn`; a failure goes to onError instead of up. Returns whether it succeeded. */
  private guard(what: string, fn: () => void): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      this.onError(what, e as Error);
      return false;
    }
  }
}
