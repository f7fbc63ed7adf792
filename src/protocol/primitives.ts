// Kafka's primitive encodings over Node Buffers. Readers never copy: bytes, records and
// nested frames come back as views into the frame they were read from.

/** Thrown when a frame ends early or holds an impossible length; the caller answers it as malformed input. */
export class ProtocolDecodeError extends Error {}

const TWO_63 = 2 ** 63;

/** Buffer's write methods throw for a value out of range; so do ours. */
function checkFits(v: number, min: number, max: number): void {
  if (v > max || v < min) throw new RangeError(`${v} is out of range [${min}, ${max}]`);
}

/**
 * The big-endian int64 at `at` as a JS number, without a BigInt: offsets, timestamps and
 * ids all fit 2^53 in practice; beyond, the one rounding of the sum gives the nearest
 * double, as Number(bigint) would. The caller has checked that 8 bytes are there.
 */
export function int64At(b: Buffer, at: number): number {
  const hi = (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
  const lo = ((b[at + 4]! << 24) | (b[at + 5]! << 16) | (b[at + 6]! << 8) | b[at + 7]!) >>> 0;
  return hi * 4294967296 + lo;
}

export class Reader {
  constructor(readonly buf: Buffer, public pos = 0, readonly end = buf.length) {}

  get remaining(): number {
    return this.end - this.pos;
  }

  private need(n: number): number {
    const at = this.pos;
    if (n < 0 || at + n > this.end) throw new ProtocolDecodeError(`need ${n} bytes at ${at}, frame ends at ${this.end}`);
    this.pos = at + n;
    return at;
  }

  // Bytes are combined here rather than through Buffer's read methods: a broker that has
  // served few requests runs this code unoptimised, where each of those is a chain of
  // calls and checks (and int64 a BigInt), and `need` has checked the bounds already.
  int8(): number { return (this.buf[this.need(1)]! << 24) >> 24; }
  bool(): boolean { return this.buf[this.need(1)] !== 0; }
  int16(): number { const b = this.buf, p = this.need(2); return ((b[p]! << 24) | (b[p + 1]! << 16)) >> 16; }
  uint16(): number { const b = this.buf, p = this.need(2); return (b[p]! << 8) | b[p + 1]!; }
  int32(): number { const b = this.buf, p = this.need(4); return (b[p]! << 24) | (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!; }
  uint32(): number { return this.int32() >>> 0; }
  /** int64 as a JS number (int64At). */
  int64(): number { return int64At(this.buf, this.need(8)); }
  float64(): number { return this.buf.readDoubleBE(this.need(8)); }

  uvarint(): number {
    let value = 0;
    let shift = 0;
    for (;;) {
      const b = this.buf[this.need(1)]!;
      if (shift === 28) {
        if (b > 0x0f) throw new ProtocolDecodeError('unsigned varint longer than 32 bits');
        return (value + b * 2 ** 28) >>> 0;
      }
      value |= (b & 0x7f) << shift;
      if ((b & 0x80) === 0) return value >>> 0;
      shift += 7;
    }
  }

  /** Zigzag varint (int32), as records use for lengths and deltas. */
  varint(): number {
    const u = this.uvarint();
    return (u >>> 1) ^ -(u & 1);
  }

  /** Zigzag varlong, decoded to a JS number (record timestamp/offset deltas). */
  varlong(): number {
    let value = 0n;
    let shift = 0n;
    for (let i = 0; i < 10; i++) {
      const b = this.buf[this.need(1)]!;
      value |= BigInt(b & 0x7f) << shift;
      if ((b & 0x80) === 0) return Number((value >> 1n) ^ -(value & 1n));
      shift += 7n;
    }
    throw new ProtocolDecodeError('varlong longer than 10 bytes');
  }

  uuid(): string { const at = this.need(16); return this.buf.toString('hex', at, at + 16); }

  utf8(len: number): string { const at = this.need(len); return this.buf.toString('utf8', at, at + len); }
  view(len: number): Buffer { const at = this.need(len); return this.buf.subarray(at, at + len); }
  skip(len: number): void { this.need(len); }
}

/**
 * Builds a message as a list of chunks. Small fields are packed into one growing buffer;
 * a large Buffer (record batches read from the log) is referenced, not copied, so a
 * fetch response goes to the socket with one writev and no copy of the data.
 */
export class Writer {
  private buf: Buffer;
  private start = 0;
  private pos = 0;
  private readonly chunks: Buffer[] = [];
  private chunked = 0;

  constructor(initial = 256) {
    this.buf = Buffer.allocUnsafe(initial);
  }

  get length(): number {
    return this.chunked + this.pos - this.start;
  }

  private ensure(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const used = this.pos - this.start;
    const next = Buffer.allocUnsafe(Math.max(this.buf.length * 2, used + n, 256));
    this.buf.copy(next, 0, this.start, this.pos);
    this.buf = next;
    this.start = 0;
    this.pos = used;
  }

  // As in Reader, bytes are stored directly rather than through Buffer's write methods;
  // the range checks those make (a value that does not fit is a broker bug) are kept.
  int8(v: number): this { checkFits(v, -0x80, 0x7f); this.ensure(1); this.buf[this.pos++] = v; return this; }
  bool(v: boolean): this { this.ensure(1); this.buf[this.pos++] = v ? 1 : 0; return this; }
  int16(v: number): this { checkFits(v, -0x8000, 0x7fff); return this.put16(v); }
  uint16(v: number): this { checkFits(v, 0, 0xffff); return this.put16(v); }
  int32(v: number): this { return this.put32(v | 0); }
  uint32(v: number): this { return this.put32(v >>> 0); }
  /** Clamped to the int64 range, as Kafka's own fields never exceed it. */
  int64(v: number): this {
    const t = Math.trunc(v);
    if (!Number.isFinite(t)) throw new RangeError(`${v} is not an int64`);
    if (t >= TWO_63) return this.put32(0x7fffffff).put32(0xffffffff);
    if (t < -TWO_63) return this.put32(-0x80000000).put32(0);
    const hi = Math.floor(t / 4294967296);
    return this.put32(hi).put32(t - hi * 4294967296);
  }

  private put16(v: number): this {
    this.ensure(2);
    const b = this.buf, p = this.pos;
    b[p] = v >>> 8;
    b[p + 1] = v;
    this.pos = p + 2;
    return this;
  }

  /** The low 32 bits of `v`, big-endian (Uint8Array stores keep the low 8 bits of each). */
  private put32(v: number): this {
    this.ensure(4);
    const b = this.buf, p = this.pos;
    b[p] = v >>> 24;
    b[p + 1] = v >>> 16;
    b[p + 2] = v >>> 8;
    b[p + 3] = v;
    this.pos = p + 4;
    return this;
  }
  float64(v: number): this { this.ensure(8); this.buf.writeDoubleBE(v, this.pos); this.pos += 8; return this; }

  uvarint(v: number): this {
    this.ensure(5);
    let u = v >>> 0;
    while (u >= 0x80) {
      this.buf[this.pos++] = (u & 0x7f) | 0x80;
      u >>>= 7;
    }
    this.buf[this.pos++] = u;
    return this;
  }
  varint(v: number): this { return this.uvarint(((v << 1) ^ (v >> 31)) >>> 0); }
  varlong(v: number): this {
    this.ensure(10);
    let u = BigInt.asUintN(64, (BigInt(v) << 1n) ^ (BigInt(v) >> 63n));
    while (u >= 0x80n) {
      this.buf[this.pos++] = Number(u & 0x7fn) | 0x80;
      u >>= 7n;
    }
    this.buf[this.pos++] = Number(u);
    return this;
  }

  uuid(hex: string): this {
    this.ensure(16);
    const n = this.buf.write(hex.length === 32 ? hex : '0'.repeat(32), this.pos, 16, 'hex');
    if (n < 16) this.buf.fill(0, this.pos + n, this.pos + 16);
    this.pos += 16;
    return this;
  }

  utf8(s: string, byteLength: number): this {
    this.ensure(byteLength);
    this.pos += this.buf.write(s, this.pos, byteLength, 'utf8');
    return this;
  }

  /** Appends bytes; large ones are kept by reference, so they must not change until the message is sent. */
  raw(b: Buffer): this {
    if (b.length < 4096) {
      this.ensure(b.length);
      b.copy(this.buf, this.pos);
      this.pos += b.length;
      return this;
    }
    this.cut();
    this.chunks.push(b);
    this.chunked += b.length;
    return this;
  }

  private cut(): void {
    if (this.pos > this.start) {
      const c = this.buf.subarray(this.start, this.pos);
      this.chunks.push(c);
      this.chunked += c.length;
      this.start = this.pos;
    }
  }

  /** The message so far as chunks to write in order. The writer must not be used after. */
  chunksOut(): Buffer[] {
    this.cut();
    return this.chunks;
  }

  /** The message as one contiguous Buffer (copies only when it was chunked). */
  toBuffer(): Buffer {
    const c = this.chunksOut();
    return c.length === 1 ? c[0]! : Buffer.concat(c, this.chunked);
  }
}
