// The log of one partition: segments of record batches, offsets assigned on append,
// reads by offset, timestamp look-ups, retention, truncation and recovery, with the
// leader epochs (leader-epoch-cache.ts) and idempotent-producer state
// (producer-history.ts) that live with the data. Files or memory: log-storage.ts.
import fs from 'node:fs';
import path from 'node:path';
import { ErrorCode, KafkaError } from '../protocol/errors.js';
import { Attr, BATCH_HEADER_SIZE, type BatchHeader, readBatchHeader, setBaseOffset, setLogAppendTime, setPartitionLeaderEpoch } from '../protocol/records/batch.js';
import type { AbortedTxn } from './aborted-txns.js';
import { release } from '../fastpath/index.js';
import { DELETED_FILE_SUFFIX, FileDeleter } from './file-deleter.js';
import { floorIndex } from './floor-index.js';
import { LeaderEpochCache } from './leader-epoch-cache.js';
import { DiskLogStorage, isLogDirFailure, isStorageError, type LogStorage, MemoryLogStorage, scanSegment } from './log-storage.js';
import { ProducerHistory } from './producer-history.js';
import type { ProducerStateManager } from './producer-state.js';
import { FileSegment, type LogSegment } from './segment.js';
import { firstAtOrAfter, latestTimestamp, type TimestampOffset } from './timestamp-lookup.js';
import type { AppendOptions, AppendResult, LogConfig } from './log-types.js';

export type { AppendOptions, AppendResult, LogConfig, TimestampOffset };

/** One buffer holding `parts` (held reads, released here). */
function copyOut(parts: Buffer[]): Buffer {
  const out = Buffer.concat(parts);
  for (const p of parts) release(p);
  return out;
}

export class PartitionLog {
  private segments: LogSegment[] = [];
  private unflushedMessages = 0;
  private closed = false;
  /** Background fsyncs of rolled segments, in roll order, so the recovery point only moves forward over flushed data. */
  private rollFlushes: Promise<void> = Promise.resolve();
  private lastFlush = Date.now();
  /** First offset that may not be on disk yet; everything below survived an fsync. */
  recoveryPoint = 0;
  logStartOffset = 0;
  logEndOffset = 0;
  private readonly history = new ProducerHistory();
  /** Called when a background flush moved the recovery point, so it can be checkpointed at once. */
  onRecoveryPoint: (() => void) | null = null;
  /** Called when appends start failing on the storage (once, until one succeeds again). */
  onStorageError: ((e: Error) => void) | null = null;
  private storageFailing = false;
  private readonly epochs: LeaderEpochCache;

  private constructor(private readonly storage: LogStorage, public config: LogConfig) {
    this.epochs = new LeaderEpochCache((e) => storage.writeEpochs(e));
  }

  static memory(config: LogConfig): PartitionLog {
    const log = new PartitionLog(new MemoryLogStorage(), config);
    log.addSegment(log.storage.newSegment(0, config.indexIntervalBytes));
    return log;
  }

  /** The producers' state: sequence checks, duplicate answers, open transactions. */
  get producers(): ProducerStateManager {
    return this.history.state;
  }

  /** Where the oldest open transaction begins; null when none is open. The last stable offset is at most this. */
  get firstUnstableOffset(): number | null {
    return this.history.state.firstUnstableOffset();
  }

  /** The aborted transactions a read_committed fetch of [fetchOffset, upperBound) must be told of. */
  abortedTxns(fetchOffset: number, upperBound: number): AbortedTxn[] {
    return this.history.aborted.overlapping(fetchOffset, upperBound);
  }

  /**
   * Opens (or creates) a log directory. Segments are scanned batch by batch; from the
   * recovery point on each batch's CRC is checked and the log is cut at the first torn
   * or corrupt batch, which can only be data that was never acknowledged as flushed.
   */
  static open(dir: string, config: LogConfig, recoveryPoint: number, logStartOffset: number, deleter = new FileDeleter()): PartitionLog {
    fs.mkdirSync(dir, { recursive: true });
    const files = fs.readdirSync(dir);
    const storage = new DiskLogStorage(dir, deleter, files);
    const log = new PartitionLog(storage, config);
    // A cleaner's output that was not yet renamed into place when the process died.
    for (const f of files.filter((x) => x.endsWith('.cleaned'))) fs.rmSync(path.join(dir, f), { force: true });
    // Segments deleted before the process stopped, whose delay it did not live to see out.
    deleter.schedule(files.filter((x) => x.endsWith(DELETED_FILE_SUFFIX)).map((f) => path.join(dir, f)), 0);
    const bases = files.filter((f) => /^\d{20}\.log$/.test(f)).map((f) => Number(f.slice(0, 20))).sort((a, b) => a - b);
    let cut = false;
    for (const base of bases) {
      const seg = new FileSegment(dir, base, config.indexIntervalBytes, false);
      if (cut) {
        log.deleteSegment(seg);
        continue;
      }
      log.addSegment(seg);
      cut = scanSegment(seg, recoveryPoint, (h, bytes) => log.history.record(h, bytes));
    }
    if (log.segments.length === 0) log.addSegment(storage.newSegment(0, config.indexIntervalBytes));
    const lastSeg = log.segments[log.segments.length - 1]!;
    const i = lastSeg.index;
    log.logEndOffset = i.count ? i.lastOffset(i.count - 1) + 1 : lastSeg.baseOffset;
    const first = log.segments[0]!;
    log.logStartOffset = Math.min(Math.max(logStartOffset, first.baseOffset), log.logEndOffset);
    log.recoveryPoint = log.logEndOffset;
    log.epochs.load(storage.readEpochs().filter(([, o]) => o <= log.logEndOffset));
    return log;
  }

  private get active(): LogSegment {
    return this.segments[this.segments.length - 1]!;
  }

  get size(): number {
    let n = 0;
    for (const s of this.segments) n += s.size;
    return n;
  }

  /** The newest leader epoch recorded in the log, or -1. */
  get latestEpoch(): number {
    return this.epochs.latestEpoch;
  }

  /**
   * Appends v2 batches (already CRC-checked by the caller): assigns offsets in place,
   * stamps the leader epoch, checks idempotent-producer sequences. All or nothing: an
   * error leaves the log untouched.
   */
  append(batches: Buffer[], opts: AppendOptions): AppendResult {
    const plan: Array<{ batch: Buffer; h: BatchHeader; dup?: { firstOffset: number; lastOffset: number } }> = [];
    for (const batch of batches) {
      const h = readBatchHeader(batch);
      if (h.producerId < 0) {
        plan.push({ batch, h });
        continue;
      }
      if ((h.attributes & Attr.control) !== 0) {
        // A transaction marker (written by the broker: clients' are refused before this): only a fenced epoch stops it.
        const code = this.producers.checkMarker(h.producerId, h.producerEpoch);
        if (code !== ErrorCode.NONE) return { error: code };
        plan.push({ batch, h });
        continue;
      }
      const c = this.producers.check(h.producerId, h.producerEpoch, h.baseSequence, h.baseSequence + h.lastOffsetDelta, (h.attributes & Attr.transactional) !== 0, opts.fromCoordinator);
      if (c.kind === 'error') return { error: c.code };
      plan.push(c.kind === 'duplicate' ? { batch, h, dup: c } : { batch, h });
    }
    if (plan.length > 0 && plan.every((p) => p.dup)) {
      return { error: ErrorCode.NONE, baseOffset: plan[0]!.dup!.firstOffset, lastOffset: plan[plan.length - 1]!.dup!.lastOffset, logAppendTime: -1 };
    }
    const baseOffset = this.logEndOffset;
    try {
      let messages = 0;
      this.assignEpoch(opts.leaderEpoch);
      for (const { batch, h, dup } of plan) {
        if (dup) continue;
        h.baseOffset = this.logEndOffset;
        setBaseOffset(batch, h.baseOffset);
        setPartitionLeaderEpoch(batch, opts.leaderEpoch);
        if (opts.logAppendTime) {
          setLogAppendTime(batch, opts.now);
          h.maxTimestamp = opts.now;
        }
        messages += this.writeBatch(batch, h, opts.now);
      }
      this.countUnflushed(messages);
    } catch (e) {
      if (!isStorageError(e)) throw e;
      this.rollBack(baseOffset, e);
      return { error: ErrorCode.KAFKA_STORAGE_ERROR };
    }
    this.storageFailing = false;
    return { error: ErrorCode.NONE, baseOffset, lastOffset: this.logEndOffset - 1, logAppendTime: opts.logAppendTime ? opts.now : -1 };
  }

  /**
   * An append failed on the storage (a full disk, no descriptors, an I/O error): whatever
   * of it was written is cut off again, so the log, its producer state and its epochs are
   * as they were and no part of the request is ever read or acknowledged. The log serves
   * on; the next append tries again. The first failure after a success is reported.
   */
  private rollBack(logEndOffset: number, cause: Error): void {
    try {
      if (this.logEndOffset > logEndOffset) this.truncateTo(logEndOffset);
      else this.epochs.truncateFrom(logEndOffset);
    } catch (e) {
      // Writing the epoch checkpoint can fail the same way; what is in memory is right.
      if (!isStorageError(e)) throw e;
    }
    // Reported once per run of failures, but a failed directory always: it must go offline.
    if (!this.storageFailing || isLogDirFailure(cause)) this.onStorageError?.(cause);
    this.storageFailing = true;
  }

  /**
   * Appends batches copied from the leader as they are: offsets, leader epochs and
   * timestamps stay the leader's, and the epoch cache and producer state follow them.
   * Batches already held (a repeated fetch) are skipped; a gap throws.
   */
  appendAsFollower(batches: Buffer[], now: number): void {
    let messages = 0;
    for (const batch of batches) {
      const h = readBatchHeader(batch);
      if (h.baseOffset + h.lastOffsetDelta < this.logEndOffset) continue;
      if (h.baseOffset !== this.logEndOffset) throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE, `batch at ${h.baseOffset} does not follow the log end ${this.logEndOffset}`);
      this.epochs.assign(h.partitionLeaderEpoch, h.baseOffset);
      messages += this.writeBatch(batch, h, now);
    }
    this.countUnflushed(messages);
  }

  /**
   * Writes one batch (`h` its header) whose offsets are final at the log end, and moves the
   * producer state and the log end offset past it; returns its record count. Leader and
   * follower share it.
   */
  private writeBatch(batch: Buffer, h: BatchHeader, now: number): number {
    const last = h.baseOffset + h.lastOffsetDelta;
    this.maybeRoll(batch.length, now);
    this.active.append(batch, h.baseOffset, last, h.maxTimestamp, now);
    this.history.record(h, batch);
    this.logEndOffset = last + 1;
    return h.recordCount;
  }

  /** flush.messages: fsyncs once that many records are unflushed. */
  private countUnflushed(messages: number): void {
    this.unflushedMessages += messages;
    if (this.unflushedMessages >= this.config.flushIntervalMessages) this.flush();
  }

  /** Records that `epoch` starts at the log end offset, as a new leader does. Idempotent. */
  assignEpoch(epoch: number): void {
    this.epochs.assign(epoch, this.logEndOffset);
  }

  private maybeRoll(incoming: number, now: number): void {
    const a = this.active;
    if (a.size === 0) return;
    if (a.size + incoming <= this.config.segmentBytes && now - a.created < this.config.segmentMs) return;
    this.roll(now);
  }

  /** Starts a new segment at the log end offset; the recovery point passes the old one once the storage has it durable. */
  roll(now = Date.now()): void {
    const a = this.active;
    const base = this.logEndOffset;
    const fsync = this.storage.seal(a);
    this.writeTxnFiles(this.segments.length - 1, base);
    if (fsync) {
      this.rollFlushes = this.rollFlushes.then(fsync).then(() => {
        if (this.recoveryPoint < base && this.logEndOffset >= base) {
          this.recoveryPoint = base;
          this.onRecoveryPoint?.();
        }
      });
    }
    this.addSegment(this.newSegment(base, now));
  }

  /** fsyncs the active segment; everything below the log end offset is then durable. */
  flush(): void {
    if (this.recoveryPoint === this.logEndOffset && this.unflushedMessages === 0) return;
    for (const s of this.segments) if (s.baseOffset >= this.recoveryPoint || s === this.active) s.flush();
    this.recoveryPoint = this.logEndOffset;
    this.unflushedMessages = 0;
    this.lastFlush = Date.now();
  }

  /** Called by the log manager's timer: log.flush.interval.ms. */
  maybeTimedFlush(now: number): void {
    if (this.unflushedMessages > 0 && now - this.lastFlush >= this.config.flushIntervalMs) this.flush();
  }

  /**
   * Whole batches from the one holding `offset`, up to `maxBytes` (the first batch is
   * always returned whole, as Kafka does, so a consumer can make progress) and stopping
   * before `maxOffset` (the high watermark). Throws OFFSET_OUT_OF_RANGE outside the log.
   * The caller holds each buffer once (LogSegment.read).
   */
  read(offset: number, maxBytes: number, maxOffset = this.logEndOffset): Buffer[] {
    if (offset < this.logStartOffset || offset > this.logEndOffset) throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE);
    const out: Buffer[] = [];
    let budget = maxBytes;
    let si = this.segmentFor(offset);
    let from = offset;
    for (; si < this.segments.length; si++) {
      const seg = this.segments[si]!;
      const idx = seg.index;
      const first = idx.findOffset(from);
      if (first >= idx.count) continue;
      let last = first - 1;
      for (let i = first; i < idx.count; i++) {
        if (idx.baseOffset(i) >= maxOffset) break;
        const sz = idx.size(i);
        if (sz > budget && (out.length > 0 || last >= first)) break;
        budget -= sz;
        last = i;
      }
      if (last >= first) out.push(...seg.read(first, last));
      if (last < idx.count - 1 || budget <= 0) break;
      from = idx.lastOffset(last) + 1;
    }
    return out;
  }

  /** Adds `seg` at the log end, with the producer state as it stands as the segment's snapshot. */
  private addSegment(seg: LogSegment): void {
    this.history.snapshotAt(seg.baseOffset);
    this.segments.push(seg);
  }

  /** Deletes `seg`, taken out of `segments` by the caller, and its producer snapshot; its files go after file.delete.delay.ms. */
  private deleteSegment(seg: LogSegment): void {
    this.storage.deleteSegment(seg, this.config.fileDeleteDelayMs);
    this.history.dropSnapshot(seg.baseOffset);
  }

  /** After a truncation: the active segment's producer snapshot, then its remaining batches' headers replayed. */
  private rebuildProducers(): void {
    const seg = this.active;
    this.history.restoreTo(seg.baseOffset);
    for (let i = 0; i < seg.index.count; i++) {
      const head = seg.readHead(i, BATCH_HEADER_SIZE);
      this.history.record(readBatchHeader(head), () => copyOut(seg.read(i, i)));
      release(head);
    }
  }

  private newSegment(baseOffset: number, now?: number): LogSegment {
    return this.storage.newSegment(baseOffset, this.config.indexIntervalBytes, now);
  }

  private segmentFor(offset: number): number {
    return floorIndex(this.segments.length, (i) => this.segments[i]!.baseOffset, offset);
  }

  /** The first record with timestamp >= ts (ListOffsets by time), or null. */
  offsetForTimestamp(ts: number): Promise<TimestampOffset | null> {
    return firstAtOrAfter(this.segments, this.logStartOffset, ts);
  }

  /** The record with the largest timestamp (ListOffsets MAX_TIMESTAMP), or null if empty. */
  maxTimestamp(): Promise<TimestampOffset | null> {
    return latestTimestamp(this.segments, this.logStartOffset);
  }

  /**
   * OffsetForLeaderEpoch, as Kafka's LeaderEpochFileCache.endOffsetFor answers it: the
   * latest epoch ends at the log end offset; an older one ends where the next begins; an
   * epoch newer than any known is undefined (-1, -1).
   */
  endOffsetForEpoch(epoch: number): { leaderEpoch: number; endOffset: number } {
    return this.epochs.endOffsetFor(epoch, this.logEndOffset);
  }

  /** The leader epoch that wrote `offset`, or -1 when the log has no epochs. */
  epochAt(offset: number): number {
    return this.epochs.epochAt(offset);
  }

  /** DeleteRecords: moves the log start offset forward, dropping whole segments below it. */
  deleteRecordsBefore(offset: number): void {
    if (offset > this.logEndOffset) throw new KafkaError(ErrorCode.OFFSET_OUT_OF_RANGE);
    if (offset <= this.logStartOffset) return;
    this.logStartOffset = offset;
    this.dropSegmentsBelow(offset);
    this.history.aborted.dropBelow(offset);
  }

  private dropSegmentsBelow(offset: number): void {
    while (this.segments.length > 1) {
      const next = this.segments[1]!;
      if (next.baseOffset > offset) break;
      this.deleteSegment(this.segments.shift()!);
    }
  }

  /** Removes every record at or after `offset` (follower truncation). */
  truncateTo(offset: number): void {
    if (offset >= this.logEndOffset) return;
    while (this.segments.length > 1 && this.active.baseOffset >= offset) this.deleteSegment(this.segments.pop()!);
    const seg = this.active;
    seg.truncate(seg.index.findOffset(offset));
    const i = seg.index;
    this.logEndOffset = i.count ? i.lastOffset(i.count - 1) + 1 : seg.baseOffset;
    this.logStartOffset = Math.min(this.logStartOffset, this.logEndOffset);
    this.recoveryPoint = Math.min(this.recoveryPoint, this.logEndOffset);
    this.storage.dropSnapshotsAbove(this.logEndOffset);
    this.rebuildProducers();
    this.epochs.truncateFrom(this.logEndOffset);
  }

  /** Drops everything and restarts the log empty at `offset` (a follower far behind its leader's log start). */
  truncateFullyAndStartAt(offset: number): void {
    for (const seg of this.segments) this.deleteSegment(seg);
    this.storage.dropSnapshotsAbove(-1);
    this.segments = [];
    this.history.reset();
    this.addSegment(this.newSegment(offset));
    this.logStartOffset = this.logEndOffset = this.recoveryPoint = offset;
    this.epochs.clear();
  }

  /** Deletes segments past retention.ms / retention.bytes (never the active one). Returns segments deleted. */
  applyRetention(now: number): number {
    let deleted = 0;
    const { retentionMs, retentionBytes } = this.config;
    let size = this.size;
    while (this.segments.length > 1) {
      const seg = this.segments[0]!;
      const idx = seg.index;
      const newest = idx.count ? Math.max(idx.maxTimestamp(idx.count - 1), seg.created) : seg.created;
      const expired = retentionMs >= 0 && now - newest > retentionMs;
      const oversize = retentionBytes >= 0 && size - seg.size >= retentionBytes;
      if (!expired && !oversize) break;
      size -= seg.size;
      this.deleteSegment(this.segments.shift()!);
      this.logStartOffset = Math.max(this.logStartOffset, this.segments[0]!.baseOffset);
      this.history.aborted.dropBelow(this.logStartOffset);
      deleted++;
    }
    return deleted;
  }

  /** Every segment but the active one: what the log cleaner may rewrite. */
  closedSegments(): LogSegment[] {
    return this.segments.slice(0, -1);
  }

  /**
   * Swaps a closed segment for one holding `batches` (the cleaner's output, same offsets).
   * Returns false when the segment is gone or became active meanwhile.
   */
  replaceSegment(old: LogSegment, batches: Buffer[]): boolean {
    const i = this.segments.indexOf(old);
    if (this.closed || i < 0 || i === this.segments.length - 1) return false;
    const fresh = this.storage.rewrite(old, batches, this.config.indexIntervalBytes);
    const markers = new Set(batches.map((b) => readBatchHeader(b).baseOffset));
    this.storage.writeTxnIndex(fresh, this.history.aborted.markedIn(old.baseOffset, this.segments[i + 1]!.baseOffset).filter((t) => markers.has(t.lastOffset)));
    // As Kafka's cleaner does: a cleaned segment keeps its last-modified time, so the
    // delete.retention.ms of its tombstones is not restarted by every cleaning.
    fresh.lastModified = old.lastModified;
    this.segments[i] = fresh;
    return true;
  }

  /** Flushes and closes every segment. Safe to call twice. */
  close(): void {
    this.closed = true;
    // Every segment is closed even when one fails (a full disk): no descriptor is left open.
    let failure: unknown = null;
    const steps = [() => this.storage.durable && this.flush(), () => this.writeTxnFiles(this.segments.length - 1, this.logEndOffset), ...this.segments.map((s) => () => s.close())];
    for (const step of steps) {
      try {
        step();
      } catch (e) {
        failure ??= e;
      }
    }
    if (failure !== null) throw failure;
  }

  /**
   * Kafka's transaction files at a roll or a close: segment `i`'s .txnindex, and the
   * producers' state as of `offset`, the log end then.
   */
  private writeTxnFiles(i: number, offset: number): void {
    const seg = this.segments[i]!;
    this.storage.writeTxnIndex(seg, this.history.aborted.markedIn(seg.baseOffset, this.segments[i + 1]?.baseOffset ?? Infinity));
    this.storage.writeProducerSnapshot(offset, this.history.state.entries());
  }

  /** Lets go of the files without flushing, as a killed process would (crash tests). */
  abandon(): void {
    this.closed = true;
    for (const s of this.segments) s.abandon();
  }

  /** Drops the log (topic deletion or a replica moved away); on disk its files go after file.delete.delay.ms. */
  delete(): void {
    this.storage.deleteLog(this.segments, this.config.fileDeleteDelayMs);
    this.segments = [];
  }
}
