// CRC-32C, checked for every batch a client produces: after the copies, the largest
// per-byte cost of the produce path. The addon in native/crc32c folds 256 bytes a step by
// carry-less multiplication where the CPU has AVX-512 and VPCLMULQDQ, else runs the x86-64
// crc32 instruction on three streams at once; where it was not built (it is an optional
// dependency: no compiler, another CPU) @node-rs/crc32 does the same work, about five
// times slower than the crc32 instruction.
import { crc32c as portable } from '@node-rs/crc32';
import { optionalAddon } from '../../fastpath/index.js';

type Crc32c = (data: Uint8Array) => number;

const addon = optionalAddon<{ crc32c: Crc32c; crc32cStreams: Crc32c }>('crc32c');

/** The native implementation, or null where it is not available. */
export const nativeCrc32c = addon?.crc32c ?? null;
/** The addon's crc32-instruction way alone, whatever the CPU (tests: a machine that folds would otherwise never run it on long inputs). */
export const nativeCrc32cStreams = addon?.crc32cStreams ?? null;

export const crc32c: Crc32c = nativeCrc32c ?? ((data) => portable(Buffer.from(data.buffer, data.byteOffset, data.byteLength)));
