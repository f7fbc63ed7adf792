// One segment of a partition log: record batches back to back from baseOffset on. Two
// backends share the same contract: FileSegment (Kafka's on-disk layout) and
// MemorySegment (test suites). Neither knows about offsets beyond its own batch index.
import fs from 'node:fs';
import path from 'node:path';
import { BatchIndex } from './batch-index.js';

export interface Segment {
  readonly baseOffset: number;
  readonly index: BatchIndex;
  /** Bytes held. */
  readonly size: number;
  /** When the segment was created (ms), for segment.ms rolling. */
  readonly created: number;
  append(batch: Buffer, baseOffset: number, lastOffset: number, maxTimestamp: number): void;
  /** The bytes of batches first..last (inclusive) as a list of buffers. */
  read(first: number, last: number): Buffer[];
  /** Drops batches from index i on. */
  truncate(i: number): void;
  flush(): void;
  close(): void;
  delete(): void;
}

export class MemorySegment implements Segment {
  readonly index = new BatchIndex();
  readonly created = Date.now();
  size = 0;
  private readonly batches: Buffer[] = [];

  constructor(readonly baseOffset: number) {}

  append(batch: Buffer, baseOffset: number, lastOffset: number, maxTimestamp: number): void {
    // Copy so the stored batch does not pin the (larger) socket buffer it arrived in.
    const own = Buffer.allocUnsafeSlow(batch.length);
    batch.copy(own);
    this.index.push(baseOffset, lastOffset, this.size, own.length, maxTimestamp);
    this.batches.push(own);
    this.size += own.length;
  }

  read(first: number, last: number): Buffer[] {
    return this.batches.slice(first, last + 1);
  }

  truncate(i: number): void {
    if (i >= this.index.count) return;
    this.size = i > 0 ? this.index.position(i) : 0;
    this.batches.length = i;
    this.index.truncate(i);
  }

  flush(): void {}
  close(): void {}
  delete(): void {
    this.batches.length = 0;
  }
}

export const segmentFileName = (baseOffset: number, suffix: string): string => `${String(baseOffset).padStart(20, '0')}${suffix}`;

/**
 * A `.log` file of batches with its `.index` (relative offset, position) and `.timeindex`
 * (timestamp, relative offset) written sparsely every `indexIntervalBytes`, as Kafka does.
 * The in-memory BatchIndex is rebuilt from the `.log` when the segment is opened.
 */
export class FileSegment implements Segment {
  readonly index = new BatchIndex();
  size = 0;
  readonly created: number;
  private fd: number;
  private readonly logPath: string;

  constructor(readonly dir: string, readonly baseOffset: number, private readonly indexIntervalBytes: number, create: boolean) {
    this.logPath = path.join(dir, segmentFileName(baseOffset, '.log'));
    this.fd = fs.openSync(this.logPath, create ? 'w+' : 'r+');
    const st = fs.fstatSync(this.fd);
    this.size = st.size;
    this.created = create ? Date.now() : st.mtimeMs;
  }

  get path(): string {
    return this.logPath;
  }

  /** Reads raw bytes of the file (recovery scans). */
  readAt(position: number, length: number): Buffer {
    const b = Buffer.allocUnsafe(length);
    const n = fs.readSync(this.fd, b, 0, length, position);
    return n === length ? b : b.subarray(0, n);
  }

  /** Registers a batch already in the file (recovery). */
  adopt(baseOffset: number, lastOffset: number, position: number, size: number, maxTimestamp: number): void {
    this.index.push(baseOffset, lastOffset, position, size, maxTimestamp);
  }

  /** Cuts the file at `size` bytes (a torn or invalid tail). */
  truncateBytes(size: number): void {
    fs.ftruncateSync(this.fd, size);
    this.size = size;
  }

  append(batch: Buffer, baseOffset: number, lastOffset: number, maxTimestamp: number): void {
    let done = 0;
    while (done < batch.length) done += fs.writeSync(this.fd, batch, done, batch.length - done, this.size + done);
    this.index.push(baseOffset, lastOffset, this.size, batch.length, maxTimestamp);
    this.size += batch.length;
  }

  read(first: number, last: number): Buffer[] {
    const start = this.index.position(first);
    const end = this.index.position(last) + this.index.size(last);
    return [this.readAt(start, end - start)];
  }

  truncate(i: number): void {
    if (i >= this.index.count) return;
    const size = i > 0 ? this.index.position(i) : 0;
    this.index.truncate(i);
    this.truncateBytes(size);
  }

  flush(): void {
    fs.fdatasyncSync(this.fd);
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
    fs.writeFileSync(path.join(this.dir, segmentFileName(this.baseOffset, '.index')), Buffer.concat(idx));
    fs.writeFileSync(path.join(this.dir, segmentFileName(this.baseOffset, '.timeindex')), Buffer.concat(tidx));
  }

  close(): void {
    if (this.fd < 0) return;
    this.writeIndexes();
    fs.closeSync(this.fd);
    this.fd = -1;
  }

  delete(): void {
    if (this.fd >= 0) fs.closeSync(this.fd);
    this.fd = -1;
    for (const s of ['.log', '.index', '.timeindex']) fs.rmSync(path.join(this.dir, segmentFileName(this.baseOffset, s)), { force: true });
  }
}
