// Large blocks carved from huge-page slabs by the native addon: separate memory each, the
// right size, recycled through the block pool like any other, and handed back to the
// kernel once collected, so a slab does not outlive its blocks.
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import test from 'ava';
import { allocBlock, DECAY_MS, decayBlocks, release } from '../../src/fastpath/blocks.js';
import { HUGE_BLOCK_MIN, hugePageBlock } from '../../src/fastpath/huge-pages.js';

/** Tests of the addon's memory run where it is built and loads (a first block says so). */
const withAddon = hugePageBlock(HUGE_BLOCK_MIN) !== null ? test : test.skip;

withAddon('blocks of a slab are separate memory of the capacity asked for, beyond one slab', (t) => {
  const capacity = 1.5 * (1 << 20);
  const blocks = Array.from({ length: 24 }, () => hugePageBlock(capacity)!);
  for (const b of blocks) t.is(b.byteLength, capacity);
  blocks.forEach((b, i) => new Uint8Array(b).fill(i));
  blocks.forEach((b, i) => {
    const u = new Uint8Array(b);
    t.true(u[0] === i && u[capacity - 1] === i && u[capacity >> 1] === i, `block ${i} kept its bytes`);
  });
});

test('capacities under a quarter of a huge page are left to Node', (t) => {
  t.is(hugePageBlock(HUGE_BLOCK_MIN - 1), null);
  t.is(hugePageBlock(64 * 1024), null);
});

withAddon('a huge-page block is recycled through the pool like any other', (t) => {
  const a = allocBlock(1_000_000);
  a.fill(7);
  release(a);
  const b = allocBlock(999_000);
  t.is(b.buffer, a.buffer);
  release(b);
});

withAddon('taking in huge-page blocks sets off no full collections', (t) => {
  // V8 starts a full collection for every 64 MB more of ArrayBuffers it counts; these it
  // does not. In a process of its own, so the collections counted are this test's alone.
  const module = path.resolve('dist/src/fastpath/huge-pages.js');
  const script = `
    const { constants, PerformanceObserver } = await import('node:perf_hooks');
    const { hugePageBlock } = await import(${JSON.stringify(module)});
    let major = 0;
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) if (e.detail.kind === constants.NODE_PERFORMANCE_GC_MAJOR) major++;
    }).observe({ entryTypes: ['gc'] });
    const blocks = [];
    for (let i = 0; i < 320; i++) {
      blocks.push(hugePageBlock(1 << 20));
      await new Promise((r) => setImmediate(r));
    }
    await new Promise((r) => setTimeout(r, 200));
    console.log(JSON.stringify({ major, blocks: blocks.filter((b) => b !== null).length }));`;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const { major, blocks } = JSON.parse(out) as { major: number; blocks: number };
  t.is(blocks, 320);
  t.is(major, 0, '320 MiB of blocks set off full collections');
});

withAddon('a free block that decays out of the pool gives its memory back at once', (t) => {
  const a = allocBlock(1 << 20);
  a.fill(9);
  release(a);
  decayBlocks(Date.now() + DECAY_MS + 1);
  // Read after release only to see the pages were handed back: they read as fresh zeros.
  t.is(a[0], 0);
  t.is(a[a.length - 1], 0);
});

withAddon('collected blocks give their memory back, and whole slabs go', (t) => {
  // In a process of its own, so the collector and the resident size are this test's alone.
  const module = path.resolve('dist/src/fastpath/huge-pages.js');
  const script = `
    const { hugePageBlock } = await import(${JSON.stringify(module)});
    const rss = () => Number(require('node:fs').readFileSync('/proc/self/statm', 'utf8').split(' ')[1]) * 4096 / 2 ** 20;
    const settle = async () => { for (let i = 0; i < 5; i++) { gc(); await new Promise((r) => setImmediate(r)); } };
    await settle();
    const before = rss();
    let blocks = Array.from({ length: 200 }, () => hugePageBlock(1 << 20));
    for (const b of blocks) new Uint8Array(b).fill(1);
    const full = rss();
    blocks = null;
    await settle();
    console.log(JSON.stringify({ grew: full - before, left: rss() - before }));`;
  const out = execFileSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', `import { createRequire } from 'node:module'; const require = createRequire(import.meta.url); ${script}`], { encoding: 'utf8' });
  const { grew, left } = JSON.parse(out) as { grew: number; left: number };
  t.true(grew >= 190, `200 MiB of blocks were resident (${grew.toFixed(0)} MiB)`);
  t.true(left < 20, `and went back once collected (${left.toFixed(0)} MiB left)`);
});
