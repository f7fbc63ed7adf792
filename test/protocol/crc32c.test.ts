// The native CRC-32C (folding by carry-less multiplication where the CPU has AVX-512 and
// VPCLMULQDQ, else three interleaved crc32 streams combined with zero-append tables) against
// the portable one, over lengths and alignments that cross every block and lane boundary.
import test from 'ava';
import fc from 'fast-check';
import { crc32c as portable } from '@node-rs/crc32';
import { crc32c, nativeCrc32c, nativeCrc32cStreams as streams } from '../../src/protocol/records/crc32c.js';

test('the check value of CRC-32C', (t) => {
  t.is(crc32c(Buffer.from('123456789')), 0xe3069283);
  t.is(crc32c(Buffer.alloc(0)), 0);
});

test('the native addon is built where it can be (x86-64 Linux, as CI)', (t) => {
  if (process.platform !== 'linux' || process.arch !== 'x64') return t.pass();
  t.not(nativeCrc32c, null, 'native/crc32c was not built: npm ci runs node-gyp for it');
});

test('native and portable CRC-32C agree on any bytes at any alignment', (t) => {
  const lengths = fc.oneof(fc.integer({ min: 0, max: 1000 }), fc.constantFrom(767, 768, 769, 1023, 1024, 1025, 1031, 1039, 1279, 1280, 1281, 24575, 24576, 24577, 49152), fc.integer({ min: 1000, max: 3000 }), fc.integer({ min: 24000, max: 120_000 }));
  fc.assert(fc.property(lengths, fc.integer({ min: 0, max: 7 }), fc.integer(), (n, skew, seed) => {
    const b = Buffer.allocUnsafe(n + skew);
    for (let i = 0; i < b.length; i++) b[i] = (Math.imul(seed ^ i, 2654435761) >>> 24) & 0xff;
    const view = b.subarray(skew);
    const want = portable(view);
    return crc32c(view) === want && (streams === null || streams(view) === want);
  }), { numRuns: 300 });
  t.pass();
});
