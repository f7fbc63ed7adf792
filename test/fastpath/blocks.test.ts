// Blocks are shared by reference: an in-memory log keeps a produce request's batches where
// the socket put them and fetches send the same memory. A block may be recycled only once
// every holder has let go, or one request's bytes would turn up in another's records.
import test from 'ava';
import { encodeBatch, decodeRecords } from '../../src/protocol/records/records.js';
import { allocBlock, blockCapacity, DECAY_MS, decayBlocks, isHeld, MIN_BLOCK, pooledBlockBytes, release, retain } from '../../src/fastpath/blocks.js';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { logConfig } from '../support/log-config.js';

const config = logConfig();
const opts = { leaderEpoch: 0, now: Date.now(), logAppendTime: false };

/** A batch of `n` records of `size` bytes each, copied into a fresh block (of `frameBytes` or just enough) as a request frame would be. */
async function batchInBlock(n: number, size: number, fill: string, frameBytes = 0): Promise<Buffer> {
  const batch = await encodeBatch({ records: Array.from({ length: n }, () => ({ value: Buffer.alloc(size, fill) })) });
  const frame = allocBlock(Math.max(frameBytes, batch.length + 100));
  batch.copy(frame, 100);
  return frame.subarray(100, 100 + batch.length);
}

const values = async (chunks: Buffer[]): Promise<string[]> =>
  (await decodeRecords(Buffer.concat(chunks))).flatMap((b) => b.records.map((r) => r.value!.toString()));

test('capacities are 2^k or 1.5 × 2^k, never below MIN_BLOCK', (t) => {
  t.is(blockCapacity(1), MIN_BLOCK);
  t.is(blockCapacity(MIN_BLOCK + 1), MIN_BLOCK * 1.5);
  t.is(blockCapacity(MIN_BLOCK * 1.5 + 1), MIN_BLOCK * 2);
  t.is(blockCapacity(1_000_100), 1 << 20);
  for (const n of [1, 70_000, 1_000_000, 3_000_000]) t.true(blockCapacity(n) >= n && blockCapacity(n) < Math.max(MIN_BLOCK, n) * 1.5 + 1);
});

test.serial('a block returns to the pool after its last holder lets go, and not before', (t) => {
  const a = allocBlock(200_000);
  t.true(retain(a.subarray(10, 20)));
  release(a);
  t.true(isHeld(a), 'one holder left');
  const b = allocBlock(200_000);
  t.not(b.buffer, a.buffer, 'a held block is not handed out again');
  release(a.subarray(5, 6));
  t.false(isHeld(a));
  const c = allocBlock(199_000);
  t.is(c.buffer, a.buffer, 'the freed block of that capacity is reused');
  t.false(retain(Buffer.alloc(100_000)), 'other buffers are not blocks');
  release(Buffer.alloc(100_000));
  release(b);
  release(c);
});

test.serial('free blocks unused for DECAY_MS are dropped', (t) => {
  const a = allocBlock(300_000);
  release(a);
  t.true(pooledBlockBytes() >= blockCapacity(300_000));
  decayBlocks(Date.now() + DECAY_MS + 1);
  t.is(pooledBlockBytes(), 0);
  t.not(allocBlock(300_000).buffer, a.buffer);
});

test.serial('an in-memory log keeps a large batch where it arrived, and reads send that memory', async (t) => {
  const log = PartitionLog.memory(config);
  const batch = await batchInBlock(100, 1000, 'a');
  log.append([batch], opts);
  release(batch); // the request is done with its frame
  t.true(isHeld(batch), 'the log holds the block');
  const [read] = log.read(0, 1 << 20);
  t.is(read!.buffer, batch.buffer, 'no copy');
  t.deepEqual(await values([read!]), Array(100).fill('a'.repeat(1000)));
  release(read!);
  log.delete();
  t.false(isHeld(batch), 'freed with the log');
});

test.serial('segments an in-memory log drops (retention, truncation) let go of their blocks', async (t) => {
  const log = PartitionLog.memory(logConfig({ segmentBytes: 100_000, retentionBytes: 0 }));
  const batches = [];
  for (const fill of ['d', 'e', 'f']) {
    const batch = await batchInBlock(100, 1000, fill);
    log.append([batch], opts);
    release(batch);
    batches.push(batch);
  }
  t.true(batches.every(isHeld));
  t.true(log.applyRetention(Date.now()) >= 2);
  t.false(isHeld(batches[0]!), 'the segment retention deleted freed its block');
  t.false(isHeld(batches[1]!));
  t.true(isHeld(batches[2]!), 'the active segment keeps its own');
  log.truncateFullyAndStartAt(10);
  t.false(isHeld(batches[2]!), 'and a full truncation frees that too');
  log.delete();
});

test.serial('a deleted log\'s block is not reused while a fetch still holds a read of it', async (t) => {
  const log = PartitionLog.memory(config);
  const batch = await batchInBlock(60, 1000, 'b');
  log.append([batch], opts);
  release(batch);
  const reads = log.read(0, 1 << 20);
  log.delete();
  const other = await batchInBlock(60, 1000, 'c');
  t.not(other.buffer, batch.buffer);
  t.deepEqual(await values(reads), Array(60).fill('b'.repeat(1000)), 'the read is intact');
  for (const r of reads) release(r);
  t.false(isHeld(batch));
  release(other);
});

test.serial('small batches are copied out, so their frame can be reused at once', async (t) => {
  const log = PartitionLog.memory(config);
  const frames: Buffer[] = [];
  for (let i = 0; i < 50; i++) {
    const b = await batchInBlock(3, 100, String.fromCharCode(97 + (i % 26)));
    log.append([b], opts);
    release(b);
    t.false(isHeld(b), 'the frame is free once the request is done');
    frames.push(b);
  }
  const reads = log.read(0, 1 << 20);
  t.deepEqual(await values(reads), Array.from({ length: 150 }, (_, i) => String.fromCharCode(97 + (Math.floor(i / 3) % 26)).repeat(100)));
  t.is(reads.length, 1, 'one run of copied batches, not a buffer per batch');
  log.delete();
});

test.serial('after truncation new batches never overwrite bytes a fetch may still be sending', async (t) => {
  const log = PartitionLog.memory(config);
  for (const fill of ['a', 'b', 'c']) log.append([await encodeBatch({ records: [{ value: fill.repeat(50) }] })], opts);
  const tail = log.read(2, 1 << 20);
  log.truncateTo(2);
  log.append([await encodeBatch({ records: [{ value: 'z'.repeat(50) }] })], opts);
  t.deepEqual(await values(tail), ['c'.repeat(50)], 'the cut-off read still holds what it read');
  t.deepEqual(await values(log.read(0, 1 << 20)), ['a', 'b', 'z'].map((x) => x.repeat(50)));
  log.delete();
});

test.serial('a large batch that is a small part of its block is copied, so it does not pin the rest', async (t) => {
  const log = PartitionLog.memory(config);
  const batch = await batchInBlock(40, 1000, 'd', 1 << 20);
  log.append([batch], opts);
  release(batch);
  t.false(isHeld(batch), 'the 1 MiB frame is free: its 40 KB batch was copied');
  const reads = log.read(0, 1 << 20);
  t.deepEqual(await values(reads), Array(40).fill('d'.repeat(1000)));
  log.delete();
});
