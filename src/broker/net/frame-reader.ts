// Splits a TCP byte stream into Kafka's size-prefixed frames. A frame that arrives whole
// inside one chunk is handed out as a view (no copy); one spread over chunks is joined.

export class FrameTooLargeError extends Error {}

export class FrameReader {
  private chunks: Buffer[] = [];
  private buffered = 0;
  /** Buffers this reader allocated to join frames, so only those are ever reused. */
  private readonly joined = new WeakSet<ArrayBuffer>();
  /** A joined frame's buffer handed back by release(), reused for the next large frame. */
  private spare: Buffer | null = null;

  constructor(private readonly maxFrameBytes: number) {}

  /** Adds a chunk and returns every complete frame body (without its size prefix). */
  push(chunk: Buffer): Buffer[] {
    this.chunks.push(chunk);
    this.buffered += chunk.length;
    const frames: Buffer[] = [];
    while (this.buffered >= 4) {
      const size = this.peekSize();
      if (size < 0 || size > this.maxFrameBytes) throw new FrameTooLargeError(`frame of ${size} bytes, limit ${this.maxFrameBytes}`);
      if (this.buffered < 4 + size) break;
      frames.push(this.take(4 + size).subarray(4));
    }
    return frames;
  }

  private peekSize(): number {
    const first = this.chunks[0]!;
    if (first.length >= 4) return first.readInt32BE(0);
    const head = Buffer.concat(this.chunks, Math.min(this.buffered, 4 + 64)).subarray(0, 4);
    return head.readInt32BE(0);
  }

  /**
   * Hands a frame back once nothing refers to it any more (a produce request whose
   * batches have been written), so its memory can hold the next large frame. Frames this
   * reader did not join are ignored.
   */
  release(frame: Buffer): void {
    const ab = frame.buffer as ArrayBuffer;
    if (this.joined.has(ab) && (!this.spare || ab.byteLength > this.spare.length)) this.spare = Buffer.from(ab, 0, ab.byteLength);
  }

  private take(n: number): Buffer {
    const first = this.chunks[0]!;
    this.buffered -= n;
    if (first.length >= n) {
      if (first.length === n) this.chunks.shift();
      else this.chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    // Fresh large buffers cost a page fault per 4 KiB (mmap'd), so one is recycled when the
    // caller says the frame is no longer referenced.
    let out: Buffer;
    if (this.spare && this.spare.length >= n) {
      out = this.spare.subarray(0, n);
    } else {
      out = Buffer.allocUnsafeSlow(n);
      this.joined.add(out.buffer as ArrayBuffer);
    }
    this.spare = null;
    let at = 0;
    while (at < n) {
      const c = this.chunks[0]!;
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) this.chunks.shift();
      else this.chunks[0] = c.subarray(k);
    }
    return out;
  }
}
