// An in-memory segment keeps its first copies in a buffer of its own and moves them to a
// tmpfs file only when they outgrow it: whatever the sizes, appends and truncations, it
// reads back exactly the batches it holds, and a segment of a few small batches holds no
// descriptor.
import test from 'ava';
import fc from 'fast-check';
import { allocBlock } from '../../src/fastpath/index.js';
import { INLINE_MAX, MemorySegment } from '../../src/storage/memory-segment.js';
import { descriptorsInUse } from '../../src/storage/open-files.js';

const batch = (size: number, seed: number, inBlock: boolean): Buffer => {
  const b = inBlock ? allocBlock(size).subarray(0, size) : Buffer.allocUnsafe(size);
  for (let i = 0; i < size; i++) b[i] = (seed * 31 + i) & 0xff;
  return b;
};

const op = fc.oneof(
  { weight: 6, arbitrary: fc.record({ append: fc.integer({ min: 1, max: 40_000 }), inBlock: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ truncateBack: fc.integer({ min: 1, max: 4 }) }) },
);

test('reads back exactly the batches held, across the move from buffer to file, truncations and views', (t) => {
  fc.assert(fc.property(fc.array(op, { maxLength: 30 }), (ops) => {
    const seg = new MemorySegment(0);
    const model: Buffer[] = [];
    try {
      for (const o of ops) {
        if ('append' in o) {
          const b = batch(o.append, model.length, o.inBlock);
          seg.append(b, model.length, model.length, 0, 0);
          model.push(Buffer.from(b));
        } else {
          const keep = Math.max(0, model.length - o.truncateBack);
          seg.truncate(keep);
          model.length = keep;
        }
        if (seg.size !== model.reduce((n, b) => n + b.length, 0)) return false;
      }
      for (let i = 0; i < model.length; i++) {
        if (!Buffer.concat(seg.read(i, i)).equals(model[i]!)) return false;
        if (!seg.readHead(i, 61).equals(model[i]!.subarray(0, 61))) return false;
      }
      return model.length === 0 || Buffer.concat(seg.read(0, model.length - 1)).equals(Buffer.concat(model));
    } finally {
      seg.delete();
    }
  }), { numRuns: 300 });
  t.pass();
});

test.serial('segments of a few small batches hold no descriptors; one that outgrows its buffer holds one', (t) => {
  const before = descriptorsInUse();
  if (before === null) return t.pass('no /proc/self/fd here');
  const segs = Array.from({ length: 2000 }, () => {
    const s = new MemorySegment(0);
    for (let j = 0; j < 10; j++) s.append(batch(500, j, false), j, j, 0, 0);
    return s;
  });
  t.true(descriptorsInUse()! < before + 10, `${descriptorsInUse()! - before} descriptors for 2,000 small segments`);
  const big = segs[0]!;
  big.append(batch(INLINE_MAX, 99, false), 10, 10, 0, 0);
  t.true(descriptorsInUse()! >= before + 1);
  t.true(Buffer.concat(big.read(0, 10)).subarray(5000).equals(batch(INLINE_MAX, 99, false)));
  for (const s of segs) s.delete();
});
