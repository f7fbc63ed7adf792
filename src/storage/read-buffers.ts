// Buffers for reads from segments that a fetch response sends. A fresh large buffer costs
// a page fault per 4 KiB on first touch (and more in sandboxes), which dominated consume
// time; these are recycled once the socket has taken the bytes. A buffer that is never
// released (any other reader) is simply garbage collected.

const MAX_POOLED = 16;
const pool: ArrayBuffer[] = [];
const ours = new WeakSet<ArrayBuffer>();

/** A buffer of exactly `n` bytes, backed by recycled memory when there is some. */
export function acquireReadBuffer(n: number): Buffer {
  for (let i = pool.length - 1; i >= 0; i--) {
    const ab = pool[i]!;
    if (ab.byteLength >= n) {
      pool.splice(i, 1);
      return Buffer.from(ab, 0, n);
    }
  }
  const b = Buffer.allocUnsafeSlow(Math.max(n, 64 * 1024));
  ours.add(b.buffer as ArrayBuffer);
  return b.subarray(0, n);
}

/** Gives a buffer back after its last use (its bytes were written to a socket). Others are ignored. */
export function releaseReadBuffer(b: Buffer): void {
  const ab = b.buffer as ArrayBuffer;
  if (!ours.has(ab) || pool.includes(ab)) return;
  if (pool.length >= MAX_POOLED) pool.shift();
  pool.push(ab);
}
