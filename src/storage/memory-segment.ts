// A segment of an in-memory log (what test suites use): its batches stay in process memory.
//
// A large batch that arrived in a block (blocks.ts: the produce request's frame, or the
// leader's fetch response on a follower) is kept as a view of that block, with no copy, and
// fetches send the same view: the produce path writes each byte once (the socket read)
// and the fetch path not at all. Small batches are copied into chunks of the segment's
// own, so a log of many small batches neither pins a large request's memory nor keeps a
// Buffer object per batch.
import { BatchIndex } from './batch-index.js';
import { allocBlock, blockCapacity, MIN_BLOCK, release, retain } from './blocks.js';
import { floorIndex } from './floor-index.js';
import type { LogSegment } from './segment.js';

/** Batches at least this large are kept as views of their block rather than copied. */
const KEEP_AS_VIEW = 32 * 1024;
/** Chunks for small batches start at FIRST_CHUNK and double up to MAX_CHUNK. */
const FIRST_CHUNK = 4096;
const MAX_CHUNK = 1 << 20;

/** A run of the segment's bytes starting at `start`; `chunk` is set while it is our own chunk that small batches fill. */
interface Piece {
  bytes: Buffer;
  start: number;
  chunk: Buffer | null;
}

export class MemorySegment implements LogSegment {
  readonly index = new BatchIndex();
  size = 0;
  readonly created = Date.now();
  lastModified = this.created;
  private pieces: Piece[] = [];
  private nextChunk = FIRST_CHUNK;

  constructor(readonly baseOffset: number) {}

  append(batch: Buffer, baseOffset: number, lastOffset: number, maxTimestamp: number, now: number): void {
    if (batch.length >= KEEP_AS_VIEW && retain(batch)) {
      this.pieces.push({ bytes: batch, start: this.size, chunk: null });
    } else {
      const piece = this.roomFor(batch.length);
      batch.copy(piece.chunk!, piece.bytes.length);
      piece.bytes = piece.chunk!.subarray(0, piece.bytes.length + batch.length);
    }
    this.index.push(baseOffset, lastOffset, this.size, batch.length, maxTimestamp);
    this.size += batch.length;
    this.lastModified = now;
  }

  /** The last piece when it is a chunk with `n` bytes free, else a new chunk at the end. */
  private roomFor(n: number): Piece {
    const last = this.pieces[this.pieces.length - 1];
    if (last?.chunk && last.chunk.length - last.bytes.length >= n) return last;
    const want = Math.max(n, this.nextChunk);
    this.nextChunk = Math.min(MAX_CHUNK, this.nextChunk * 2);
    const chunk = want >= MIN_BLOCK ? allocBlock(blockCapacity(want)) : Buffer.allocUnsafeSlow(want);
    const piece = { bytes: chunk.subarray(0, 0), start: this.size, chunk };
    this.pieces.push(piece);
    return piece;
  }

  read(first: number, last: number): Buffer[] {
    const start = this.index.position(first);
    const end = this.index.position(last) + this.index.size(last);
    const out: Buffer[] = [];
    for (let i = this.pieceAt(start); i < this.pieces.length; i++) {
      const p = this.pieces[i]!;
      if (p.start >= end) break;
      const view = p.bytes.subarray(Math.max(0, start - p.start), Math.min(p.bytes.length, end - p.start));
      retain(view);
      out.push(view);
    }
    return out;
  }

  /** The piece holding byte `position`. */
  private pieceAt(position: number): number {
    return floorIndex(this.pieces.length, (i) => this.pieces[i]!.start, position);
  }

  truncate(i: number): void {
    if (i >= this.index.count) return;
    const size = i > 0 ? this.index.position(i) : 0;
    this.index.truncate(i);
    while (this.pieces.length > 0 && this.pieces[this.pieces.length - 1]!.start >= size) this.drop(this.pieces.pop()!);
    // Batches are cut whole, so only a chunk can end past `size`. Its cut-off bytes may still
    // be on their way to a consumer, so it is not filled again.
    const last = this.pieces[this.pieces.length - 1];
    if (last && last.start + last.bytes.length > size) {
      last.bytes = last.bytes.subarray(0, size - last.start);
      last.chunk = null;
    }
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

  delete(): void {
    for (const p of this.pieces) this.drop(p);
    this.pieces = [];
  }

  /** Lets go of a piece: one release per piece, since a view was retained once and a chunk allocated once. */
  private drop(p: Piece): void {
    release(p.bytes);
  }
}
