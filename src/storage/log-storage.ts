// Where a partition log keeps its segments: files in a log directory, or memory. The log
// (partition-log.ts) works the same over either; what differs is here.
import fs from 'node:fs';
import path from 'node:path';
import { BATCH_HEADER_SIZE, type BatchHeader, crcMatches, LOG_OVERHEAD, Off, readBatchHeader } from '../protocol/records/batch.js';
import { release } from '../fastpath/index.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import { deletedDirName, type FileDeleter } from './file-deleter.js';
import type { EpochEntry } from './leader-epoch-cache.js';
import { MemorySegment } from './memory-segment.js';
import { FileSegment, type LogSegment, segmentFileName, TXN_INDEX_SUFFIX } from './segment.js';
import type { AbortedTxn } from './aborted-txns.js';
import { encodeProducerSnapshot, encodeTxnIndex, type SnapshotEntry } from './txn-files.js';

/** The errors of a storage that cannot take more (Kafka's KafkaStorageException): the log answers KAFKA_STORAGE_ERROR. */
/** Out of room or descriptors: the append is refused and tried again next time. */
const EXHAUSTED = new Set(['ENOSPC', 'EDQUOT', 'EMFILE', 'ENFILE']);
/** The storage itself failed, or the log's files are not where they were: the log directory goes offline. */
const FAILED = new Set(['EIO', 'EROFS', 'ENOENT', 'ENOTDIR', 'EISDIR', 'EACCES', 'EPERM', 'ENXIO', 'ENODEV', 'ESTALE']);

const errno = (e: unknown): string => (e instanceof Error ? (e as NodeJS.ErrnoException).code ?? '' : '');

/** An error of the storage under a log (answered KAFKA_STORAGE_ERROR), not of the broker's own logic. */
export function isStorageError(e: unknown): e is NodeJS.ErrnoException {
  return EXHAUSTED.has(errno(e)) || FAILED.has(errno(e));
}

/** A storage error that takes the log's whole directory offline, as Kafka takes an IOException. */
export function isLogDirFailure(e: unknown): e is NodeJS.ErrnoException {
  return FAILED.has(errno(e));
}

export interface LogStorage {
  /** Whether written data needs a flush to survive a crash (files do; memory lives and dies with the process). */
  readonly durable: boolean;
  /** `now`: the broker clock's time, when the segment's segment.ms begins. */
  newSegment(baseOffset: number, indexIntervalBytes: number, now?: number): LogSegment;
  writeEpochs(entries: readonly EpochEntry[]): void;
  /**
   * A segment stopped being the active one: on disk its indexes are written now, and the
   * fsync it still needs is returned, for the log to run in the background in roll order,
   * as Kafka does on roll, so a 1 GiB write-back never stalls the event loop. Null when
   * nothing needs to be made durable.
   */
  seal(seg: LogSegment): (() => Promise<void>) | null;
  /** Drops a segment; its files go after `delayMs` (file.delete.delay.ms). */
  deleteSegment(seg: LogSegment, delayMs: number): void;
  /**
   * A segment holding `batches` (the cleaner's output) in place of `old`, which is let go.
   * On disk the new file is fsynced and renamed over the old, so a crash leaves one or the other.
   */
  rewrite(old: LogSegment, batches: Buffer[], indexIntervalBytes: number): LogSegment;
  /**
   * Drops the whole log (topic deletion or a replica moved away): on disk its directory is
   * renamed at once, so the topic can be created again straight away, and removed after `delayMs`.
   */
  deleteLog(segments: readonly LogSegment[], delayMs: number): void;
  /** Kafka's `.txnindex` of a segment: the aborted transactions whose marker it holds. */
  writeTxnIndex(seg: LogSegment, aborted: readonly AbortedTxn[]): void;
  /** Kafka's producer `.snapshot` as of `offset`; skipped when one at or past it was written. */
  writeProducerSnapshot(offset: number, entries: readonly SnapshotEntry[]): void;
  /** Removes the producer snapshots past `offset` (a truncated log; -1 for all). */
  dropSnapshotsAbove(offset: number): void;
}

export class MemoryLogStorage implements LogStorage {
  readonly durable = false;

  newSegment(baseOffset: number, _indexIntervalBytes: number, now?: number): LogSegment {
    return new MemorySegment(baseOffset, now);
  }

  writeEpochs(): void {}

  seal(): null {
    return null;
  }

  deleteSegment(seg: LogSegment): void {
    seg.delete();
  }

  rewrite(old: LogSegment, batches: Buffer[]): LogSegment {
    const fresh = new MemorySegment(old.baseOffset);
    for (const b of batches) {
      const h = readBatchHeader(b);
      fresh.append(b, h.baseOffset, h.baseOffset + h.lastOffsetDelta, h.maxTimestamp, old.lastModified);
    }
    old.delete();
    return fresh;
  }

  deleteLog(segments: readonly LogSegment[]): void {
    for (const s of segments) s.delete();
  }

  writeTxnIndex(): void {}
  writeProducerSnapshot(): void {}
  dropSnapshotsAbove(): void {}
}

const EPOCH_CHECKPOINT = 'leader-epoch-checkpoint';

export class DiskLogStorage implements LogStorage {
  readonly durable = true;

  /** The offsets of the producer snapshots in the directory, and the segments with a .txnindex. */
  private readonly snapshots: Set<number>;
  private readonly txnIndexes: Set<number>;

  constructor(readonly dir: string, private readonly deleter: FileDeleter, files: readonly string[] = []) {
    const offsets = (suffix: string) => new Set(files.filter((f) => f.length === 20 + suffix.length && f.endsWith(suffix)).map((f) => Number(f.slice(0, 20))));
    this.snapshots = offsets('.snapshot');
    this.txnIndexes = offsets(TXN_INDEX_SUFFIX);
  }

  newSegment(baseOffset: number, indexIntervalBytes: number, now?: number): LogSegment {
    return new FileSegment(this.dir, baseOffset, indexIntervalBytes, true, undefined, now);
  }

  readEpochs(): EpochEntry[] {
    return readCheckpoint(path.join(this.dir, EPOCH_CHECKPOINT)).map(([e, o]) => [Number(e), Number(o)] as const);
  }

  writeEpochs(entries: readonly EpochEntry[]): void {
    writeCheckpoint(path.join(this.dir, EPOCH_CHECKPOINT), entries.map(([e, o]) => [String(e), String(o)]));
  }

  seal(seg: LogSegment): () => Promise<void> {
    seg.writeIndexes();
    return () => seg.flushAsync();
  }

  deleteSegment(seg: LogSegment, delayMs: number): void {
    const i = seg.index;
    const end = i.count ? i.lastOffset(i.count - 1) + 1 : seg.baseOffset + 1;
    this.deleter.schedule(seg.delete(), delayMs);
    this.txnIndexes.delete(seg.baseOffset);
    for (const o of this.snapshots) if (o >= seg.baseOffset && o < end) this.dropSnapshot(o);
  }

  writeTxnIndex(seg: LogSegment, aborted: readonly AbortedTxn[]): void {
    const file = path.join(this.dir, segmentFileName(seg.baseOffset, TXN_INDEX_SUFFIX));
    // Kafka makes the file with its first entry; a segment with none has none.
    if (aborted.length > 0) {
      fs.writeFileSync(file, encodeTxnIndex(aborted));
      this.txnIndexes.add(seg.baseOffset);
    } else if (this.txnIndexes.delete(seg.baseOffset)) {
      fs.rmSync(file, { force: true });
    }
  }

  writeProducerSnapshot(offset: number, entries: readonly SnapshotEntry[]): void {
    // A log no idempotent or transactional producer wrote has none: one file per partition at every shutdown is not worth it.
    if (entries.length === 0) return;
    for (const o of this.snapshots) if (o >= offset) return;
    fs.writeFileSync(path.join(this.dir, segmentFileName(offset, '.snapshot')), encodeProducerSnapshot(entries));
    this.snapshots.add(offset);
  }

  dropSnapshotsAbove(offset: number): void {
    for (const o of this.snapshots) if (o > offset) this.dropSnapshot(o);
  }

  private dropSnapshot(offset: number): void {
    fs.rmSync(path.join(this.dir, segmentFileName(offset, '.snapshot')), { force: true });
    this.snapshots.delete(offset);
  }

  rewrite(old: LogSegment, batches: Buffer[], indexIntervalBytes: number): LogSegment {
    const file = path.join(this.dir, segmentFileName(old.baseOffset, '.log'));
    const tmp = `${file}.cleaned`;
    const fd = fs.openSync(tmp, 'w');
    fs.writeSync(fd, Buffer.concat(batches));
    fs.fdatasyncSync(fd);
    fs.closeSync(fd);
    old.close();
    fs.renameSync(tmp, file);
    const cleaned = new FileSegment(this.dir, old.baseOffset, indexIntervalBytes, false);
    scanSegment(cleaned, Infinity, null);
    cleaned.writeIndexes();
    return cleaned;
  }

  deleteLog(segments: readonly LogSegment[], delayMs: number): void {
    // Nothing of a deleted log is worth writing: its files are closed as they stand.
    for (const s of segments) s.abandon();
    const gone = deletedDirName(this.dir);
    try {
      fs.renameSync(this.dir, gone);
      this.deleter.schedule([gone], delayMs);
    } catch (e) {
      // Already removed by hand: nothing is left to delete.
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
    }
  }
}

/**
 * Rebuilds a segment file's batch index, batch by batch; from `recoveryPoint` on each
 * batch's CRC is checked, and the file is cut at the first torn or corrupt batch, which
 * can only be data that was never acknowledged as flushed. Each batch kept is handed to
 * `onBatch`. Returns true if the file's tail was cut.
 */
export function scanSegment(seg: FileSegment, recoveryPoint: number, onBatch: ((h: BatchHeader, bytes: () => Buffer) => void) | null): boolean {
  let pos = 0;
  while (pos + BATCH_HEADER_SIZE <= seg.size) {
    const head = seg.readAt(pos, BATCH_HEADER_SIZE);
    if (head.length < BATCH_HEADER_SIZE) break;
    const size = head.readInt32BE(Off.batchLength) + LOG_OVERHEAD;
    if (size < BATCH_HEADER_SIZE || pos + size > seg.size || head[Off.magic] !== 2) break;
    const h = readBatchHeader(head);
    const lastOffset = h.baseOffset + h.lastOffsetDelta;
    if (lastOffset >= recoveryPoint) {
      const bytes = seg.readAt(pos, size);
      const intact = crcMatches(bytes);
      release(bytes);
      if (!intact) break;
    }
    seg.adopt(h.baseOffset, lastOffset, pos, size, h.maxTimestamp);
    const at = pos;
    onBatch?.(h, () => seg.readAt(at, size));
    pos += size;
  }
  if (pos < seg.size) {
    seg.truncateBytes(pos);
    return true;
  }
  return false;
}
