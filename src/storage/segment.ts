// One segment of a partition log: record batches back to back from baseOffset on. The
// durable kind is Kafka's on-disk layout, in a file; the in-memory kind (test suites) is
// memory-segment.ts.
import fs from 'node:fs';
import path from 'node:path';
import { BatchIndex } from './batch-index.js';
import { allocBlock, MIN_BLOCK } from '../fastpath/index.js';
import { LazyFile, segmentFiles } from './open-files.js';
import { DELETED_FILE_SUFFIX } from './file-deleter.js';

/** What a partition log needs of a segment, on disk or in memory. */
export interface LogSegment {
  readonly index: BatchIndex;
  readonly baseOffset: number;
  readonly created: number;
  /** When the segment last changed (ms): tombstones in it expire delete.retention.ms after. */
  lastModified: number;
  /** Bytes of batches held. */
  readonly size: number;
  append(batch: Buffer, baseOffset: number, lastOffset: number, maxTimestamp: number, now: number): void;
  /**
   * Batches `first` to `last` (indexes) as one or more buffers. The caller holds each once
   * (blocks.ts): releasing them after use lets their memory be recycled; not releasing is safe.
   */
  read(first: number, last: number): Buffer[];
  /** The first `length` bytes of batch `i` (its header, without its records), held once as read's are. */
  readHead(i: number, length: number): Buffer;
  /** Drops batches from index `i` on. */
  truncate(i: number): void;
  /** Makes what was appended durable (nothing to do in memory). */
  flush(): void;
  flushAsync(): Promise<void>;
  writeIndexes(): void;
  close(): void;
  /** Lets go as a killed process would: nothing written or flushed. */
  abandon(): void;
  /**
   * Drops the segment: its memory at once, its files renamed out of the log's way and
   * returned for the caller to remove when it chooses (file-deleter.ts).
   */
  delete(): string[];
}

/**
 * `length` bytes of a file from `position` (fewer at its end), in a buffer the caller holds
 * once: large reads go into blocks, which a fetch releases once its socket has them.
 */
export function readHeld(fd: number, position: number, length: number): Buffer {
  const b = length >= MIN_BLOCK ? allocBlock(length) : Buffer.allocUnsafe(length);
  const n = fs.readSync(fd, b, 0, length, position);
  return n === length ? b : b.subarray(0, n);
}

/** Writes all of `bytes` at `position` (a write may take fewer). */
export function writeFully(fd: number, bytes: Buffer, position: number): void {
  let done = 0;
  while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done, position + done);
}

export const segmentFileName = (baseOffset: number, suffix: string): string => `${String(baseOffset).padStart(20, '0')}${suffix}`;

export const TXN_INDEX_SUFFIX = '.txnindex';

/**
 * A `.log` file of batches with its `.index` (relative offset, position) and `.timeindex`
 * (timestamp, relative offset) written sparsely every `indexIntervalBytes`, as Kafka does.
 * The in-memory BatchIndex is rebuilt from the `.log` when the segment is opened.
 */
export class FileSegment implements LogSegment {
  readonly index = new BatchIndex();
  size = 0;
  readonly created: number;
  lastModified: number;
  /** The .log, whose descriptor the budget may close while the segment sits unused (open-files.ts). */
  private file: LazyFile | null;

  constructor(readonly dir: string, readonly baseOffset: number, private readonly indexIntervalBytes: number, create: boolean, budget = segmentFiles, now = Date.now()) {
    this.file = LazyFile.open(path.join(dir, segmentFileName(baseOffset, '.log')), budget, create);
    const st = fs.fstatSync(this.file.fd());
    this.size = st.size;
    this.created = create ? now : st.mtimeMs;
    this.lastModified = this.created;
  }

  /** Reads raw bytes of the segment (recovery scans): fewer than `length` at its end; held once, as readHeld's. */
  readAt(position: number, length: number): Buffer {
    return readHeld(this.fd(), position, Math.max(0, Math.min(length, this.size - position)));
  }

  /** Registers a batch already in the file (recovery). */
  adopt(baseOffset: number, lastOffset: number, position: number, size: number, maxTimestamp: number): void {
    this.index.push(baseOffset, lastOffset, position, size, maxTimestamp);
  }

  /** Cuts the file at `size` bytes (a torn or invalid tail). */
  truncateBytes(size: number): void {
    fs.ftruncateSync(this.fd(), size);
    this.size = size;
  }

  append(batch: Buffer, baseOffset: number, lastOffset: number, maxTimestamp: number, now: number): void {
    writeFully(this.fd(), batch, this.size);
    this.index.push(baseOffset, lastOffset, this.size, batch.length, maxTimestamp);
    this.size += batch.length;
    this.lastModified = now;
  }

  read(first: number, last: number): Buffer[] {
    const start = this.index.position(first);
    return [readHeld(this.fd(), start, this.index.position(last) + this.index.size(last) - start)];
  }

  readHead(i: number, length: number): Buffer {
    return readHeld(this.fd(), this.index.position(i), Math.min(length, this.index.size(i)));
  }

  truncate(i: number): void {
    if (i >= this.index.count) return;
    const size = i > 0 ? this.index.position(i) : 0;
    this.index.truncate(i);
    this.truncateBytes(size);
  }

  flush(): void {
    // A descriptor the budget closed had its writes handed to the kernel; fsync reaches them through a new one.
    fs.fdatasyncSync(this.fd());
  }

  /** fsyncs without blocking the event loop; never rejects (a deleted segment needs no flush). */
  flushAsync(): Promise<void> {
    const file = this.file;
    if (!file) return Promise.resolve();
    const fd = file.fd();
    // Not closed by the budget under the fsync.
    file.pinned++;
    return new Promise((resolve) => fs.fdatasync(fd, () => {
      file.pinned--;
      resolve();
    }));
  }

  /** Writes the sparse `.index` and `.timeindex` from the batch index. */
  writeIndexes(): void {
    const idx: Buffer[] = [];
    const tidx: Buffer[] = [];
    let sinceLast = Infinity;
    let maxTs = -1;
    for (let i = 0; i < this.index.count; i++) {
      if (sinceLast >= this.indexIntervalBytes) {
        const e = Buffer.allocUnsafe(8);
        e.writeInt32BE(this.index.baseOffset(i) - this.baseOffset, 0);
        e.writeInt32BE(this.index.position(i), 4);
        idx.push(e);
        sinceLast = 0;
      }
      sinceLast += this.index.size(i);
      if (this.index.maxTimestamp(i) > maxTs) {
        maxTs = this.index.maxTimestamp(i);
        const t = Buffer.allocUnsafe(12);
        t.writeBigInt64BE(BigInt(maxTs), 0);
        t.writeInt32BE(this.index.lastOffset(i) - this.baseOffset, 8);
        tidx.push(t);
      }
    }
    const dir = this.dir;
    fs.writeFileSync(path.join(dir, segmentFileName(this.baseOffset, '.index')), Buffer.concat(idx));
    fs.writeFileSync(path.join(dir, segmentFileName(this.baseOffset, '.timeindex')), Buffer.concat(tidx));
  }

  close(): void {
    if (!this.file) return;
    try {
      this.writeIndexes();
    } finally {
      // The indexes are rebuilt from the .log when it opens; the descriptor must not leak.
      this.closeFile();
    }
  }

  /** Closes the file as a killed process would: no index written, nothing flushed. */
  abandon(): void {
    this.closeFile();
  }

  delete(): string[] {
    this.closeFile();
    const renamed: string[] = [];
    for (const s of ['.log', '.index', '.timeindex', TXN_INDEX_SUFFIX]) {
      const file = path.join(this.dir, segmentFileName(this.baseOffset, s));
      try {
        fs.renameSync(file, file + DELETED_FILE_SUFFIX);
        renamed.push(file + DELETED_FILE_SUFFIX);
      } catch (e) {
        // The indexes are written only when a segment is closed; a .txnindex only with an aborted transaction.
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      }
    }
    return renamed;
  }

  private fd(): number {
    if (!this.file) throw new Error(`segment ${this.baseOffset} of ${this.dir} is closed`);
    return this.file.fd();
  }

  private closeFile(): void {
    this.file?.close();
    this.file = null;
  }
}
