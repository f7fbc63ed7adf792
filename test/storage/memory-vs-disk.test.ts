// In-memory segments, whatever mix of small and large batches, appends, truncations and
// segment rolls, read back exactly what a log on disk reads back. The memory log gets its
// batches in blocks, as from a request frame, and keeps the large ones as views of them:
// reads held across later operations must never change, however the freed blocks are reused.
import path from 'node:path';
import test from 'ava';
import fc from 'fast-check';
import { BATCH_HEADER_SIZE, Off } from '../../src/protocol/records/batch.js';
import { allocBlock, release } from '../../src/fastpath/blocks.js';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { tempDir } from '../support/helpers.js';
import { logConfig } from '../support/log-config.js';

const config = (segmentBytes: number) => logConfig({ segmentBytes });

/** A v2 batch header over `size` bytes of filler; the log reads only the header. */
function rawBatch(size: number, records: number, fill: number): Buffer {
  const b = Buffer.alloc(size, fill);
  b.writeBigInt64BE(0n, Off.baseOffset);
  b.writeInt32BE(size - 12, Off.batchLength);
  b.writeInt32BE(0, Off.partitionLeaderEpoch);
  b[Off.magic] = 2;
  b.writeInt16BE(0, Off.attributes);
  b.writeInt32BE(records - 1, Off.lastOffsetDelta);
  b.writeBigInt64BE(1000n, Off.baseTimestamp);
  b.writeBigInt64BE(1000n, Off.maxTimestamp);
  b.writeBigInt64BE(-1n, Off.producerId);
  b.writeInt16BE(-1, Off.producerEpoch);
  b.writeInt32BE(-1, Off.baseSequence);
  b.writeInt32BE(records, Off.recordCount);
  return b;
}

type Op = { kind: 'append'; sizes: Array<[number, number]> } | { kind: 'truncate'; at: number } | { kind: 'read'; at: number; maxBytes: number; hold: boolean }
  | { kind: 'release' } | { kind: 'scribble'; sizes: number[] };

/** The batches copied into one block, as a produce request's frame holds them. */
function inFrame(batches: Buffer[]): { frame: Buffer; batches: Buffer[] } {
  const frame = allocBlock(batches.reduce((n, b) => n + b.length, 0) + 40);
  let at = 40;
  const views = batches.map((b) => {
    b.copy(frame, at);
    at += b.length;
    return frame.subarray(at - b.length, at);
  });
  return { frame, batches: views };
}

const size = fc.oneof(fc.integer({ min: BATCH_HEADER_SIZE, max: 3000 }), fc.integer({ min: 60_000, max: 140_000 }));
const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('append' as const), sizes: fc.array(fc.tuple(size, fc.integer({ min: 1, max: 5 })), { minLength: 1, maxLength: 4 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('truncate' as const), at: fc.double({ min: 0, max: 1, noNaN: true }) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('read' as const), at: fc.double({ min: 0, max: 1, noNaN: true }), maxBytes: fc.integer({ min: 1, max: 400_000 }), hold: fc.boolean() }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('release' as const) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant('scribble' as const), sizes: fc.array(fc.integer({ min: 60_000, max: 600_000 }), { minLength: 1, maxLength: 6 }) }) },
);

/** Takes blocks from the pool and writes over them: a block wrongly pooled while held shows up as changed bytes. */
function scribble(sizes: number[]): void {
  const blocks = sizes.map((n) => allocBlock(n).fill(0xee));
  for (const b of blocks) release(b);
}

test('an in-memory log reads back byte for byte what a log on disk does', (t) => {
  const root = tempDir(t, 'memseg');
  let run = 0;
  fc.assert(fc.property(fc.array(op, { maxLength: 25 }), fc.constantFrom(200_000, 1 << 30), (ops, segmentBytes) => {
    const memory = PartitionLog.memory(config(segmentBytes));
    const disk = PartitionLog.open(path.join(root, String(run++)), config(segmentBytes), 0, 0);
    /** Reads of the memory log still held, with a copy of what they read. */
    const held: Array<{ chunks: Buffer[]; bytes: Buffer }> = [];
    const heldIntact = () => held.every((h) => Buffer.concat(h.chunks).equals(h.bytes));
    try {
      let fill = 0;
      for (const o of ops) {
        if (o.kind === 'append') {
          const opts = { leaderEpoch: 0, now: 1000, logAppendTime: false };
          // Each log gets its own buffers, as each would from its own request.
          const { frame, batches } = inFrame(o.sizes.map(([s, n]) => rawBatch(s, n, ++fill % 256)));
          const a = memory.append(batches, opts);
          release(frame);
          fill -= o.sizes.length;
          const b = disk.append(o.sizes.map(([s, n]) => rawBatch(s, n, ++fill % 256)), opts);
          if (JSON.stringify(a) !== JSON.stringify(b)) return false;
        } else if (o.kind === 'truncate') {
          const at = Math.floor(o.at * disk.logEndOffset);
          memory.truncateTo(at);
          disk.truncateTo(at);
        } else if (o.kind === 'read') {
          const at = Math.floor(o.at * disk.logEndOffset);
          const chunks = memory.read(at, o.maxBytes);
          const bytes = Buffer.concat(chunks);
          if (!bytes.equals(Buffer.concat(disk.read(at, o.maxBytes)))) return false;
          if (o.hold) held.push({ chunks, bytes });
          else for (const c of chunks) release(c);
        } else if (o.kind === 'release') {
          for (const c of held.shift()?.chunks ?? []) release(c);
        } else {
          scribble(o.sizes);
        }
        if (memory.logEndOffset !== disk.logEndOffset || !heldIntact()) return false;
      }
      if (!Buffer.concat(memory.read(0, 1 << 30)).equals(Buffer.concat(disk.read(0, 1 << 30)))) return false;
      memory.close();
      scribble([100_000, 200_000, 400_000, 800_000]);
      return heldIntact();
    } finally {
      memory.close();
      disk.close();
      for (const h of held) for (const c of h.chunks) release(c);
    }
  }), { numRuns: 60 });
  t.pass();
});
