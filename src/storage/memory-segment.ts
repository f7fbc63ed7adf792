// A segment of an in-memory log (what test suites use).
//
// A large batch that arrived in a block (blocks.ts: the produce request's frame, or the
// leader's fetch response on a follower) is kept as a view of that block, with no copy, and
// fetches send the same view: the produce path writes each of its bytes once (the socket
// read) and the fetch path not at all.
//
// Every other batch is copied: the segment's first INLINE_MAX bytes of copies into a buffer
// of its own, the rest into an unlinked file on tmpfs (anonymous-files.ts), as all of them
// once were. A file holds a descriptor for as long as its segment lives, so a segment
// starts without one: tens of thousands of partitions that each hold a few small batches
// fit in the process's descriptor limit. The copy is needed anyway (a small batch must not pin its request's
// memory), and tmpfs is the cheaper place for it: the kernel writes it without mapping new
// pages into the process (0.2-0.35 s per GiB against 3.3 s on the benchmark VM), and it is not memory V8 counts, which in process memory made
// a steady trickle of small batches set off a full garbage collection every second and
// doubled the p99 latency at 10,000 records/s.
import { openAnonymousFile, recycleAnonymousFile } from '../fastpath/index.js';
import { BatchIndex } from './batch-index.js';
import { release, retain } from '../fastpath/index.js';
import { floorIndex } from './floor-index.js';
import { type LogSegment, readHeld, writeFully } from './segment.js';

/**
 * Batches at least this large, and at least a quarter of their block, are kept as views of
 * it rather than copied: a kept batch pins its whole block, so a small one among many
 * copied ones would hold far more memory than its own bytes.
 */
const KEEP_AS_VIEW = 32 * 1024;
const MAX_PINNED_PER_BYTE_KEPT = 4;
/** Copies up to this many bytes stay in the segment's own buffer; past it they move to a file. */
export const INLINE_MAX = 64 * 1024;

/**
 * A run of the segment's bytes from `start`: a view of a block, or `length` bytes of the
 * segment's copies from `filePos` (in its buffer or, once they outgrew it, its file).
 */
interface Piece {
  start: number;
  length: number;
  view: Buffer | null;
  filePos: number;
}

export class MemorySegment implements LogSegment {
  readonly index = new BatchIndex();
  size = 0;
  lastModified: number;
  private pieces: Piece[] = [];
  /** Copied batches while they fit in INLINE_MAX (null once they moved to the file). */
  private inline: Buffer | null = null;
  /** The file for copied batches once they outgrow `inline`; -1 before and after. */
  private fd = -1;

  /** `created`: the broker clock's time (its segment.ms roll counts from it). */
  constructor(readonly baseOffset: number, readonly created = Date.now()) {
    this.lastModified = created;
  }

  append(batch: Buffer, baseOffset: number, lastOffset: number, maxTimestamp: number, now: number): void {
    if (batch.length >= KEEP_AS_VIEW && batch.length * MAX_PINNED_PER_BYTE_KEPT >= batch.buffer.byteLength && retain(batch)) {
      this.pieces.push({ start: this.size, length: batch.length, view: batch, filePos: -1 });
    } else {
      this.copy(batch);
    }
    this.index.push(baseOffset, lastOffset, this.size, batch.length, maxTimestamp);
    this.size += batch.length;
    this.lastModified = now;
  }

  /** Where the segment's copies end: after the last run of them. */
  private get copiesEnd(): number {
    for (let k = this.pieces.length - 1; k >= 0; k--) {
      const p = this.pieces[k]!;
      if (!p.view) return p.filePos + p.length;
    }
    return 0;
  }

  private copy(batch: Buffer): void {
    const at = this.copiesEnd;
    this.store(batch, at);
    const last = this.pieces[this.pieces.length - 1];
    if (last && !last.view) last.length += batch.length;
    else this.pieces.push({ start: this.size, length: batch.length, view: null, filePos: at });
  }

  /** Writes copied bytes at `at` of the copies: into the buffer while they fit, else the file. */
  private store(bytes: Buffer, at: number): void {
    const end = at + bytes.length;
    if (this.fd < 0 && end <= INLINE_MAX) {
      if (!this.inline || this.inline.length < end) {
        const grown = Buffer.allocUnsafe(Math.min(INLINE_MAX, Math.max(4096, 2 ** Math.ceil(Math.log2(end)))));
        this.inline?.copy(grown, 0, 0, at);
        this.inline = grown;
      }
      bytes.copy(this.inline, at);
      return;
    }
    if (this.fd < 0) {
      // A reused file may hold a deleted segment's bytes past ours; reads never go past copiesEnd.
      this.fd = openAnonymousFile(() => this.copiesEnd);
      if (this.inline) writeFully(this.fd, this.inline.subarray(0, at), 0);
      this.inline = null;
    }
    writeFully(this.fd, bytes, at);
  }

  /** A copy of the copies' bytes [at, at + length). */
  private load(at: number, length: number): Buffer {
    if (this.fd >= 0) return readHeld(this.fd, at, length);
    return Buffer.from(this.inline!.subarray(at, at + length));
  }

  read(first: number, last: number): Buffer[] {
    return this.range(this.index.position(first), this.index.position(last) + this.index.size(last));
  }

  readHead(i: number, length: number): Buffer {
    // A batch lies within one piece: a view holds one batch, a file run whole batches.
    const start = this.index.position(i);
    return this.range(start, start + Math.min(length, this.index.size(i)))[0]!;
  }

  /** The segment's bytes [start, end), a buffer per piece, each held once. */
  private range(start: number, end: number): Buffer[] {
    const out: Buffer[] = [];
    for (let i = floorIndex(this.pieces.length, (k) => this.pieces[k]!.start, start); i < this.pieces.length; i++) {
      const p = this.pieces[i]!;
      if (p.start >= end) break;
      const from = Math.max(0, start - p.start);
      const to = Math.min(p.length, end - p.start);
      if (p.view) {
        const view = p.view.subarray(from, to);
        retain(view);
        out.push(view);
        continue;
      }
      out.push(this.load(p.filePos + from, to - from));
    }
    return out;
  }

  truncate(i: number): void {
    if (i >= this.index.count) return;
    const size = i > 0 ? this.index.position(i) : 0;
    this.index.truncate(i);
    while (this.pieces.length > 0 && this.pieces[this.pieces.length - 1]!.start >= size) this.drop(this.pieces.pop()!);
    // Batches are cut whole, so only a run of copies can end past `size`. Reads copied what
    // they took, so its tail may be written over.
    const last = this.pieces[this.pieces.length - 1];
    if (last && last.start + last.length > size) last.length = size - last.start;
    this.size = size;
  }

  flush(): void {}

  flushAsync(): Promise<void> {
    return Promise.resolve();
  }

  writeIndexes(): void {}

  close(): void {
    this.delete();
  }

  abandon(): void {
    this.delete();
  }

  /** Releases the blocks kept and hands the file back for reuse (anonymous-files.ts). */
  delete(): string[] {
    for (const p of this.pieces) this.drop(p);
    this.pieces = [];
    if (this.fd >= 0) recycleAnonymousFile(this.fd);
    this.fd = -1;
    this.inline = null;
    return [];
  }

  private drop(p: Piece): void {
    if (p.view) release(p.view);
  }
}
