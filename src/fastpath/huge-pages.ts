// Large blocks (blocks.ts) carved from mappings the kernel is asked to back with 2 MB
// transparent huge pages, through the optional addon in native/huge-pages. A broker pays a
// page fault for every page of a block it has not had before: on the benchmark VM 3.5 s
// per GiB in 4 KiB pages against 0.1-2.3 s in 2 MB ones. A fresh in-memory broker, which
// keeps every large batch in the block it arrived in, took its first 400 MB of produce at
// 195-223 MB/s (4.6-5.3 s of CPU per GB) from Node's buffers and 243-304 MB/s (3.3-4.1 s)
// from huge pages; recycled blocks cost the same either way. Node's own buffers are
// separate mappings under 2 MB, which no huge page can back. Blocks smaller than a quarter
// of a huge page stay Node's: a slab of their own would hold 2 MB for the first of them.
import { optionalAddon } from './native-addon.js';

interface Addon {
  slab(bytes: number): object | undefined;
  block(slab: object, offset: number, length: number): ArrayBuffer | undefined;
  discard(block: ArrayBuffer): undefined;
}

/** Capacities from this size come from huge-page slabs. */
export const HUGE_BLOCK_MIN = 512 * 1024;
/** Bytes mapped at a time for one capacity (more for a capacity larger than this). */
const SLAB_BYTES = 16 << 20;

let addon = process.platform === 'linux' ? optionalAddon<Addon>('krill-huge-pages') : null;

/** Blocks made here: V8 does not count their memory (see the addon), so only these are discarded. */
const ours = new WeakSet<ArrayBuffer>();

/** The slab each capacity is being carved from, and where its unused part starts. */
const slabs = new Map<number, { slab: object; next: number; size: number }>();

/**
 * A fresh block of `capacity` bytes in huge-page memory, or null (a small capacity, no
 * addon, or a Node that refuses external memory): the caller then allocates as usual.
 * The memory goes back to the kernel when the ArrayBuffer is collected.
 */
export function hugePageBlock(capacity: number): ArrayBuffer | null {
  if (addon === null || capacity < HUGE_BLOCK_MIN) return null;
  let s = slabs.get(capacity);
  if (s === undefined || s.next + capacity > s.size) {
    const size = Math.max(SLAB_BYTES, capacity);
    const slab = addon.slab(size);
    if (slab === undefined) return null;
    slabs.set(capacity, (s = { slab, next: 0, size }));
  }
  const block = addon.block(s.slab, s.next, capacity);
  if (block === undefined) {
    // Node will not take external memory: the same will hold for every later block.
    addon = null;
    slabs.clear();
    return null;
  }
  s.next += capacity;
  ours.add(block);
  return block;
}

/**
 * Gives the memory of a block nobody holds back to the kernel now (nothing for a block not
 * made here). Without this a dropped block would wait for a full collection, which V8,
 * not counting these blocks, may not start for a long time in a quiet broker.
 */
export function discardHugePageBlock(block: ArrayBuffer): void {
  if (ours.has(block)) addon?.discard(block);
}
