// Where each batch of a segment starts, in typed arrays so an idle partition costs a few
// hundred bytes and a busy one stays off the JS heap's object graph.

export class BatchIndex {
  count = 0;
  private base = new Float64Array(8);
  private last = new Float64Array(8);
  private pos = new Float64Array(8);
  private len = new Int32Array(8);
  private maxTs = new Float64Array(8);

  push(baseOffset: number, lastOffset: number, position: number, size: number, maxTimestamp: number): void {
    if (this.count === this.base.length) this.grow();
    const i = this.count++;
    this.base[i] = baseOffset;
    this.last[i] = lastOffset;
    this.pos[i] = position;
    this.len[i] = size;
    this.maxTs[i] = maxTimestamp;
  }

  private grow(): void {
    const n = this.base.length * 2;
    const g = <T extends Float64Array | Int32Array>(a: T, make: (n: number) => T): T => {
      const b = make(n);
      b.set(a);
      return b;
    };
    this.base = g(this.base, (k) => new Float64Array(k));
    this.last = g(this.last, (k) => new Float64Array(k));
    this.pos = g(this.pos, (k) => new Float64Array(k));
    this.len = g(this.len, (k) => new Int32Array(k));
    this.maxTs = g(this.maxTs, (k) => new Float64Array(k));
  }

  baseOffset(i: number): number { return this.base[i]!; }
  lastOffset(i: number): number { return this.last[i]!; }
  position(i: number): number { return this.pos[i]!; }
  size(i: number): number { return this.len[i]!; }
  maxTimestamp(i: number): number { return this.maxTs[i]!; }

  /** Index of the first batch whose last offset is >= offset, or count if none. */
  findOffset(offset: number): number {
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.last[mid]! < offset) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** Drops batches from index i on. */
  truncate(i: number): void {
    this.count = Math.min(this.count, Math.max(0, i));
  }
}
