// Owns every partition log on this broker: opening them at start-up from the log
// directories (or a memory volume), placing new ones, the per-directory checkpoints
// (recovery point, log start offset, high watermark), the flush and retention timers, a
// directory going offline when its storage fails, and closing them cleanly.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DELETED_DIR_SUFFIX, FileDeleter } from './file-deleter.js';
import { LogDir } from './log-dir.js';
import { isLogDirFailure } from './log-storage.js';
import { type LogConfig, PartitionLog } from './partition-log.js';

export type StorageKind = { kind: 'memory'; volume?: MemoryVolume } | { kind: 'disk'; dirs: readonly string[] };

interface LogEntry {
  topic: string;
  partition: number;
  log: PartitionLog;
  /** Where it lives on disk; null in memory. */
  dir?: LogDir;
}

/** What DescribeLogDirs shows of a directory. */
export interface LogDirDescription {
  path: string;
  /** Why it is offline, or null. */
  failure: Error | null;
  /** A partition's log here, or (`future`) the copy an AlterReplicaLogDirs is making here, `offsetLag` behind its log. */
  partitions: Array<{ topic: string; partition: number; size: number; future: boolean; offsetLag: number }>;
  totalBytes: number;
  usableBytes: number;
}

/** A log directory failed: its logs are closed and the partitions named were in it. */
export type DirOfflineListener = (dir: string, cause: Error, partitions: Array<{ topic: string; partition: number }>) => void;

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

export const partitionDirName = (topic: string, partition: number): string => `${topic}-${partition}`;

/** The path memory storage is shown under in DescribeLogDirs. */
export const MEMORY_LOG_DIR = 'memory';

/** A replica's copy being made in another log directory, as Kafka names it. */
const FUTURE_DIR_SUFFIX = '-future';

export class LogManager {
  private readonly logs: Map<string, LogEntry>;
  /** log.dirs, in order; empty in memory. */
  readonly dirs: readonly LogDir[];
  /** The directory of each partition found on disk or placed since ("topic-partition"). */
  private readonly placed = new Map<string, LogDir>();
  /** Future logs (AlterReplicaLogDirs): a partition's copy being made in another directory, with its directory's name. */
  private readonly futures = new Map<string, { dir: LogDir; path: string; log: PartitionLog }>();
  /** Where a partition not created yet is to go (AlterReplicaLogDirs ahead of it, as Kafka's preferred log dirs). */
  private readonly preferred = new Map<string, LogDir>();
  /** A memory broker's checkpointed high watermarks: its volume's, so they outlive it. */
  private readonly memoryHighWatermarks: Map<string, number>;
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
  /** Told when a log directory goes offline. */
  onDirOffline: DirOfflineListener = () => undefined;

  constructor(readonly storage: StorageKind) {
    this.volume = storage.kind === 'memory' ? (storage.volume ?? null) : null;
    this.logs = this.volume?.logs ?? new Map();
    this.memoryHighWatermarks = this.volume?.highWatermarks ?? new Map();
    this.dirs = storage.kind === 'disk' ? storage.dirs.map((d) => new LogDir(d)) : [];
    if (this.dirs.length > 0 && this.dirs.every((d) => !d.online)) {
      throw new Error(`none of the log directories ${storage.kind === 'disk' ? storage.dirs.join(',') : ''} can be used: ${this.dirs[0]!.failure!.message}`);
    }
    for (const dir of this.dirs) {
      for (const { name } of dir.partitionDirs()) if (!this.placed.has(name)) this.placed.set(name, dir);
      // Partitions deleted before the process stopped, whose delay it did not live to see out;
      // and copies a move had not finished (the move is not resumed: asked again, it starts over).
      this.deleter.schedule([...dir.leftovers(DELETED_DIR_SUFFIX), ...dir.leftovers(FUTURE_DIR_SUFFIX)], 0);
    }
  }

  /** True when every directory's last shutdown was clean. */
  get cleanShutdown(): boolean {
    return this.dirs.every((d) => d.cleanShutdown);
  }

  get(topic: string, partition: number): PartitionLog | undefined {
    return this.logs.get(partitionDirName(topic, partition))?.log;
  }

  /**
   * Opens the partition's log, creating it if new: in the directory that has it, else the
   * online one with the fewest partitions, as Kafka places them. Safe to call twice.
   * Throws when the partition's directory (or, for a new one, every directory) is offline.
   */
  open(topic: string, partition: number, config: LogConfig): PartitionLog {
    const key = partitionDirName(topic, partition);
    const existing = this.logs.get(key);
    if (existing) {
      // A log kept by a volume meets this broker's configs and checkpoints.
      if (this.volume) this.adopt(existing.log, config);
      return existing.log;
    }
    if (this.storage.kind === 'memory') {
      const log = PartitionLog.memory(config);
      this.adopt(log, config);
      this.logs.set(key, { topic, partition, log });
      return log;
    }
    const dir = this.placed.get(key) ?? this.preferred.get(key) ?? this.leastLoaded();
    this.preferred.delete(key);
    if (!dir.online) throw new Error(`log directory ${dir.path} is offline: ${dir.failure!.message}`);
    const log = PartitionLog.open(path.join(dir.path, key), config, dir.cleanShutdown ? Infinity : (dir.recovery.get(key) ?? 0), dir.startOffsets.get(key) ?? 0, this.deleter);
    this.adopt(log, config);
    this.placed.set(key, dir);
    dir.partitions++;
    this.logs.set(key, { topic, partition, log, dir });
    return log;
  }

  private leastLoaded(): LogDir {
    const online = this.dirs.filter((d) => d.online);
    if (online.length === 0) throw new Error('every log directory is offline');
    return online.reduce((best, d) => (d.partitions < best.partitions ? d : best));
  }

  private adopt(log: PartitionLog, config: LogConfig): void {
    log.config = config;
    // A flushed segment is only worth something after a crash once the checkpoint says so:
    // then recovery re-checks just the unflushed tail, not the whole log.
    log.onRecoveryPoint = () => this.guard('writing the checkpoints', () => this.writeCheckpoints());
  }

  /** The high watermark last checkpointed for a partition (0 when none was). */
  checkpointedHighWatermark(topic: string, partition: number): number {
    const key = partitionDirName(topic, partition);
    return (this.volume ? this.memoryHighWatermarks : this.placed.get(key)?.highWatermarks)?.get(key) ?? 0;
  }

  /** Partition directories found on disk (or logs a volume kept), for start-up. */
  onDisk(): Array<{ topic: string; partition: number }> {
    if (this.volume) return [...this.volume.logs.values()].map(({ topic, partition }) => ({ topic, partition }));
    return this.dirs.flatMap((d) => d.partitionDirs().map(({ topic, partition }) => ({ topic, partition })));
  }

  /** The directory a partition lives in, or null (memory, or not placed). */
  dirOf(topic: string, partition: number): string | null {
    return this.placed.get(partitionDirName(topic, partition))?.path ?? null;
  }

  delete(topic: string, partition: number): void {
    const key = partitionDirName(topic, partition);
    this.dropFuture(topic, partition);
    const entry = this.logs.get(key);
    entry?.log.delete();
    if (entry?.dir) entry.dir.partitions--;
    this.logs.delete(key);
    // As the checkpoint file, rewritten from the open logs, forgets it: a topic made again
    // under the name starts from its own checkpoints, never the deleted one's.
    this.memoryHighWatermarks.delete(key);
    this.placed.get(key)?.highWatermarks.delete(key);
    // Placed afresh if made again, never in a directory that may have gone offline meanwhile
    // (whose files stay as they are until a restart finds them).
    this.placed.delete(key);
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

  /** Writes each online directory's checkpoints; a directory that cannot take them goes offline, as in Kafka. Returns whether all were written. */
  writeCheckpoints(): boolean {
    if (this.volume) {
      for (const [key, { log }] of this.logs) this.memoryHighWatermarks.set(key, this.highWatermarkToCheckpoint(key, log));
      return true;
    }
    let ok = true;
    for (const dir of this.dirs) {
      if (!dir.online) continue;
      const rows = [...this.logs.entries()].filter(([, e]) => e.dir === dir).map(([key, { topic, partition, log }]) => ({
        topic, partition, recoveryPoint: log.recoveryPoint, logStartOffset: log.logStartOffset, highWatermark: this.highWatermarkToCheckpoint(key, log),
      }));
      ok = this.guard(`writing the checkpoints of ${dir.path}`, () => dir.writeCheckpoints(rows), dir) && ok;
    }
    return ok;
  }

  /** The owner's high watermark, or the log end where the owner has no partition for it. */
  private highWatermarkToCheckpoint(key: string, log: PartitionLog): number {
    return this.highWatermarkOf(key) ?? log.logEndOffset;
  }

  /**
   * A partition's log failed on its storage (an I/O error, a directory gone): its whole
   * directory goes offline, as Kafka takes any IOException there. Its logs are let go of
   * unflushed, and the listener learns which partitions they were. Running out of space or
   * descriptors is not such a failure: those appends are refused and the directory serves on.
   */
  logFailed(topic: string, partition: number, cause: Error): void {
    const dir = this.placed.get(partitionDirName(topic, partition));
    if (dir && isLogDirFailure(cause)) this.failDir(dir, cause);
  }

  private failDir(dir: LogDir, cause: Error): void {
    if (!dir.online) return;
    dir.failure = cause;
    const gone: Array<{ topic: string; partition: number }> = [];
    for (const [key, e] of [...this.logs]) {
      if (e.dir !== dir) continue;
      this.guard(`letting go of ${key}`, () => e.log.abandon());
      this.logs.delete(key);
      gone.push({ topic: e.topic, partition: e.partition });
    }
    this.onDirOffline(dir.path, cause, gone);
  }

  // ---- replica moves between log directories (AlterReplicaLogDirs) ------------------

  /**
   * The configured directory `dirPath` names (compared resolved, as Kafka compares absolute
   * paths), or why there is none to move to: not configured, or offline.
   */
  findDir(dirPath: string): LogDir | 'LOG_DIR_NOT_FOUND' | 'KAFKA_STORAGE_ERROR' {
    const dir = this.dirs.find((d) => path.resolve(d.path) === path.resolve(dirPath));
    if (!dir) return 'LOG_DIR_NOT_FOUND';
    return dir.online ? dir : 'KAFKA_STORAGE_ERROR';
  }

  /** The directory a partition's log is in (null in memory or when it has none). */
  dirHolding(topic: string, partition: number): LogDir | null {
    return this.logs.get(partitionDirName(topic, partition))?.dir ?? null;
  }

  /** Remembers where a partition not created yet is to go. */
  prefer(topic: string, partition: number, dir: LogDir): void {
    this.preferred.set(partitionDirName(topic, partition), dir);
  }

  /** The future log being made for a partition, and the directory it is in. */
  future(topic: string, partition: number): { dir: LogDir; log: PartitionLog } | undefined {
    return this.futures.get(partitionDirName(topic, partition));
  }

  /** Starts a partition's copy in `dir` (`<partition>.<id>-future`, as Kafka names it), empty from its log's start; an earlier one elsewhere is dropped. */
  createFuture(topic: string, partition: number, dir: LogDir): PartitionLog {
    const key = partitionDirName(topic, partition);
    const source = this.logs.get(key)!.log;
    this.dropFuture(topic, partition);
    const futurePath = path.join(dir.path, `${key}.${randomUUID().replace(/-/g, '')}${FUTURE_DIR_SUFFIX}`);
    const log = PartitionLog.open(futurePath, source.config, 0, 0, this.deleter);
    log.truncateFullyAndStartAt(source.logStartOffset);
    this.futures.set(key, { dir, path: futurePath, log });
    return log;
  }

  /** Drops a partition's unfinished copy (a move cancelled or redirected, the partition gone). */
  dropFuture(topic: string, partition: number): void {
    const key = partitionDirName(topic, partition);
    this.futures.get(key)?.log.delete();
    this.futures.delete(key);
  }

  /**
   * Makes a caught-up copy the partition's log, synchronously so no append falls between:
   * the copy is closed, renamed to the partition's name in its directory and opened again
   * (flushed, so with no check of its batches), and the old log is deleted. Returns it.
   */
  promoteFuture(topic: string, partition: number): PartitionLog {
    const key = partitionDirName(topic, partition);
    const f = this.futures.get(key)!;
    const entry = this.logs.get(key)!;
    f.log.close();
    const finalPath = path.join(f.dir.path, key);
    fs.renameSync(f.path, finalPath);
    const log = PartitionLog.open(finalPath, entry.log.config, Infinity, f.log.logStartOffset, this.deleter);
    this.adopt(log, entry.log.config);
    entry.log.delete();
    if (entry.dir) {
      entry.dir.partitions--;
      const hw = entry.dir.highWatermarks.get(key);
      entry.dir.highWatermarks.delete(key);
      if (hw !== undefined) f.dir.highWatermarks.set(key, hw);
    }
    f.dir.partitions++;
    this.placed.set(key, f.dir);
    this.logs.set(key, { topic, partition, log, dir: f.dir });
    this.futures.delete(key);
    this.guard('writing the checkpoints', () => this.writeCheckpoints());
    return log;
  }

  /** Each log directory with its partitions and space, for DescribeLogDirs. */
  describe(): LogDirDescription[] {
    const partitionsIn = (dir: LogDir | undefined) => [
      ...[...this.logs.values()].filter((e) => e.dir === dir).map((e) => ({ topic: e.topic, partition: e.partition, size: e.log.size, future: false, offsetLag: 0 })),
      ...[...this.futures].filter(([, f]) => f.dir === dir).map(([key, f]) => {
        const e = this.logs.get(key)!;
        return { topic: e.topic, partition: e.partition, size: f.log.size, future: true, offsetLag: Math.max(0, e.log.logEndOffset - f.log.logEndOffset) };
      }),
    ];
    if (this.storage.kind === 'memory') return [{ path: MEMORY_LOG_DIR, failure: null, partitions: partitionsIn(undefined), totalBytes: -1, usableBytes: -1 }];
    return this.dirs.map((d) => {
      const { total, usable } = d.online ? d.volumeBytes() : { total: -1, usable: -1 };
      return { path: d.path, failure: d.failure, partitions: d.online ? partitionsIn(d) : [], totalBytes: total, usableBytes: usable };
    });
  }

  /**
   * Lets go of every log with no flush, checkpoint or clean-shutdown marker: what SIGKILL
   * leaves. A volume's logs stay in it as they are.
   */
  abandon(): void {
    this.deleter.close();
    if (this.volume) return;
    for (const { log } of [...this.logs.values(), ...this.futures.values()]) log.abandon();
    this.logs.clear();
  }

  /**
   * Flushes and closes every log and writes the checkpoints. What fails (a full disk) is
   * reported and the rest still closes; the shutdown then does not count as clean, so the
   * next start checks the logs it could not close. A volume's logs stay open in it, its
   * checkpoints written.
   */
  close(): void {
    this.deleter.close();
    if (this.volume) {
      this.guard('writing the checkpoints', () => this.writeCheckpoints());
      return;
    }
    // Unfinished copies stay as they are: the next start removes them.
    for (const [key, { log }] of this.futures) this.guard(`closing the copy of ${key}`, () => log.close());
    this.futures.clear();
    const unclean = new Set<LogDir>();
    for (const [key, { log, dir }] of this.logs) if (!this.guard(`closing ${key}`, () => log.close())) unclean.add(dir!);
    let checkpointed = false;
    this.guard('writing the checkpoints', () => (checkpointed = this.writeCheckpoints()));
    for (const dir of this.dirs) {
      if (!dir.online || unclean.has(dir) || !checkpointed) continue;
      this.guard(`marking ${dir.path}'s shutdown clean`, () => dir.markCleanShutdown());
    }
    this.logs.clear();
  }

  /** Runs `fn`; a failure goes to onError instead of up (and takes `dir` offline when it is a directory failure). Returns whether it succeeded. */
  private guard(what: string, fn: () => void, dir?: LogDir): boolean {
    try {
      fn();
      return true;
    } catch (e) {
      this.onError(what, e as Error);
      if (dir && isLogDirFailure(e)) this.failDir(dir, e as Error);
      return false;
    }
  }
}
