// Splits a TCP byte stream into Kafka's size-prefixed frames.
//
// Two ways in. `push(chunk)` takes chunks from a socket's 'data' events. The faster way is
// to let the socket read straight into the frame (`readInto()` / `onRead()`, wired up in
// frame-socket.ts): once a frame's size is known, its buffer is allocated and the kernel
// copies the rest of the frame into it, so a megabyte produce request is neither joined
// from 64 KiB chunks nor backed by a fresh ArrayBuffer per chunk. Large frames are blocks
// (fastpath/blocks.ts), so an in-memory log can keep a produce request's batches where the
// socket put them.
import { allocBlock, release } from '../../fastpath/index.js';

export class FrameTooLargeError extends Error {}

/** Frames below this size are copied out of the shared read buffer; larger ones are read into blocks of their own. */
const SMALL_FRAME = 64 * 1024;

/**
 * Where reads land while no large frame is in progress, shared by every reader: a read's
 * bytes are copied out before its callback returns, and Node runs each read's callback
 * before the next read of any socket. One per connection cost a fresh 64 KiB allocation
 * on every accept, and memory V8 counts against its heap for every idle connection.
 */
const scratch = Buffer.allocUnsafeSlow(SMALL_FRAME);

export class FrameReader {
  /** The frame being filled and how much of it has arrived. */
  private frame: Buffer | null = null;
  private filled = 0;
  /** Bytes of a size prefix split across reads. */
  private readonly sizeBytes = Buffer.alloc(4);
  private sizeFilled = 0;
  constructor(private readonly maxFrameBytes: number) {}

  /** Where the next socket read should write: the rest of the frame in progress, else the scratch buffer. */
  readInto(): Buffer {
    return this.frame ? this.frame.subarray(this.filled) : scratch;
  }

  /** Accounts for `n` bytes a socket read wrote into the buffer readInto() returned; returns the complete frames. */
  onRead(n: number, into: Buffer): Buffer[] {
    if (into !== scratch) {
      const done = this.fill(n);
      return done ? [done] : [];
    }
    return this.consume(scratch, n, false);
  }

  /** Adds a chunk the caller will not reuse and returns every complete frame body (without its size prefix). */
  push(chunk: Buffer): Buffer[] {
    if (this.frame) {
      const k = Math.min(chunk.length, this.frame.length - this.filled);
      chunk.copy(this.frame, this.filled, 0, k);
      const done = this.fill(k);
      return done ? [done, ...this.consume(chunk.subarray(k), chunk.length - k, true)] : [];
    }
    return this.consume(chunk, chunk.length, true);
  }

  /** Counts `k` more bytes of the frame in progress; returns the frame once it is whole. */
  private fill(k: number): Buffer | null {
    this.filled += k;
    if (this.filled < this.frame!.length) return null;
    const done = this.frame;
    this.frame = null;
    return done;
  }

  /**
   * Splits `src[0, end)` (which starts at a frame boundary or inside a size prefix) into
   * frames. Whole frames are views of `src` when it is `owned`, copies otherwise; a frame
   * cut off at the end gets its own buffer, which the following bytes fill.
   */
  private consume(src: Buffer, end: number, owned: boolean): Buffer[] {
    const frames: Buffer[] = [];
    let at = 0;
    while (at < end) {
      let size: number;
      if (this.sizeFilled > 0 || end - at < 4) {
        const k = Math.min(4 - this.sizeFilled, end - at);
        src.copy(this.sizeBytes, this.sizeFilled, at, at + k);
        this.sizeFilled += k;
        at += k;
        if (this.sizeFilled < 4) break;
        this.sizeFilled = 0;
        size = this.sizeBytes.readInt32BE(0);
      } else {
        size = src.readInt32BE(at);
        at += 4;
      }
      if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLargeError(`frame of ${size} bytes, limit ${this.maxFrameBytes}`);
      const available = end - at;
      if (available >= size) {
        frames.push(owned ? src.subarray(at, at + size) : Buffer.from(src.subarray(at, at + size)));
        at += size;
        continue;
      }
      this.frame = this.allocate(size);
      src.copy(this.frame, 0, at, end);
      this.filled = available;
      break;
    }
    return frames;
  }

  private allocate(n: number): Buffer {
    return n < SMALL_FRAME ? Buffer.allocUnsafe(n) : allocBlock(n);
  }

  /**
   * Lets go of a frame once the caller is done with its bytes (a produce request whose
   * batches are in the log: a log that kept some holds the block itself). Call it at most
   * once per frame; frames that are not blocks are ignored.
   */
  release(frame: Buffer): void {
    release(frame);
  }

  /** Hands back the frame still arriving when the connection ends, so its block is recycled. */
  close(): void {
    if (this.frame) release(this.frame);
    this.frame = null;
  }
}
