import fs from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { ErrorCode, KafkaError } from '../../src/protocol/errors.js';
import { encodeBatch } from '../../src/protocol/records/records.js';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { tempDir } from '../support/helpers.js';
import { logConfig } from '../support/log-config.js';

const config = logConfig;
const opts = { leaderEpoch: 0, now: Date.now(), logAppendTime: false };
const batch = (n: number, ts?: number) => encodeBatch({ records: Array.from({ length: n }, (_, i) => ({ value: `v${i}`, timestamp: ts })) });

for (const kind of ['memory', 'disk'] as const) {
  const open = (t: ExecutionContext, c = config()) => (kind === 'memory' ? PartitionLog.memory(c) : PartitionLog.open(tempDir(t, 'log'), c, 0, 0));

  test(`${kind}: appends assign dense offsets and reads return whole batches`, async (t) => {
    const log = open(t);
    t.like(log.append([await batch(3)], opts), { baseOffset: 0, lastOffset: 2 });
    t.like(log.append([await batch(2), await batch(1)], opts), { baseOffset: 3, lastOffset: 5 });
    t.is(log.logEndOffset, 6);
    const all = Buffer.concat(log.read(0, 1 << 20));
    t.is(all.readInt32BE(8) + 12 + (await batch(2)).length + (await batch(1)).length, all.length);
    const fromMiddle = log.read(4, 1 << 20);
    t.is(Number(Buffer.concat(fromMiddle).readBigInt64BE(0)), 3, 'the batch holding offset 4 starts at 3');
    t.is(log.read(6, 1 << 20).length, 0, 'reading at the log end gives nothing');
    const e = t.throws(() => log.read(7, 100), { instanceOf: KafkaError });
    t.is(e.code, ErrorCode.OFFSET_OUT_OF_RANGE);
    t.is(log.read(0, 1).length, 1, 'at least one batch even when it exceeds maxBytes');
  });

  test(`${kind}: segments roll by segment.bytes and retention.bytes deletes the oldest`, async (t) => {
    const log = open(t, config({ segmentBytes: 300, retentionBytes: 600 }));
    for (let i = 0; i < 20; i++) log.append([await batch(2)], opts);
    t.is(log.logEndOffset, 40);
    t.true(log.applyRetention(Date.now()) > 0);
    t.true(log.logStartOffset > 0);
    t.true(log.size <= 600 + 300);
    const e = t.throws(() => log.read(0, 100), { instanceOf: KafkaError });
    t.is(e.code, ErrorCode.OFFSET_OUT_OF_RANGE);
  });

  test(`${kind}: offsets by timestamp and truncation`, async (t) => {
    const log = open(t);
    log.append([await batch(2, 1000)], opts);
    log.append([await batch(2, 2000)], opts);
    log.append([await batch(2, 3000)], opts);
    t.like(await log.offsetForTimestamp(1500), { offset: 2, timestamp: 2000 });
    t.is(await log.offsetForTimestamp(5000), null);
    t.like(await log.maxTimestamp(), { timestamp: 3000 });
    log.truncateTo(2);
    t.is(log.logEndOffset, 2);
    t.like(log.append([await batch(1)], opts), { baseOffset: 2 });
  });

  test(`${kind}: a follower's truncation leaves the producer state as it was at the new log end`, async (t) => {
    // Ten one-record batches from one producer, over several segments; the state caches
    // only the last five batches, all of which the truncation removes.
    const log = open(t, config({ segmentBytes: 300 }));
    const from = (seq: number) => encodeBatch({ records: [{ value: `s${seq}` }], producerId: 7, producerEpoch: 0, baseSequence: seq });
    for (let seq = 0; seq < 10; seq++) {
      const b = await from(seq);
      b.writeBigInt64BE(BigInt(seq), 0);
      log.appendAsFollower([b], Date.now());
    }
    log.truncateTo(3);
    t.is(log.logEndOffset, 3);
    t.like(log.producers.check(7, 0, 3, 3, false), { kind: 'append' }, 'the next sequence after the new end is in order');
    t.like(log.producers.check(7, 0, 2, 2, false), { kind: 'duplicate', firstOffset: 2 }, 'the batch at the new end is still a duplicate');
    t.like(log.append([await from(3)], opts), { error: 0, baseOffset: 3 });
    log.truncateTo(0);
    t.like(log.producers.check(7, 0, 0, 0, false), { kind: 'append' }, 'nothing left: the producer starts again at 0');
  });
}

test('disk: a clean reopen keeps everything; a torn tail is cut at the last whole batch', async (t) => {
  const dir = tempDir(t, 'log');
  const log = PartitionLog.open(dir, config(), 0, 0);
  for (let i = 0; i < 5; i++) log.append([await batch(3)], opts);
  log.close();
  const again = PartitionLog.open(dir, config(), Infinity, 0);
  t.is(again.logEndOffset, 15);
  again.close();
  // Simulate a crash mid-write: half a batch at the end, and a flipped byte in the last whole one.
  const file = path.join(dir, '00000000000000000000.log');
  const extra = await batch(3);
  fs.appendFileSync(file, extra.subarray(0, 30));
  const torn = PartitionLog.open(dir, config(), 0, 0);
  t.is(torn.logEndOffset, 15, 'the partial batch is dropped');
  t.like(torn.append([await batch(1)], opts), { baseOffset: 15 });
  torn.close();
  const bytes = fs.readFileSync(file);
  bytes[bytes.length - 5]! ^= 0xff;
  fs.writeFileSync(file, bytes);
  const corrupt = PartitionLog.open(dir, config(), 10, 0);
  t.is(corrupt.logEndOffset, 15, 'a batch failing its CRC past the recovery point is cut');
  t.true(fs.existsSync(path.join(dir, '00000000000000000000.index')));
  t.true(fs.existsSync(path.join(dir, 'leader-epoch-checkpoint')));
});

test('disk: producer state is rebuilt on open, so retries after a restart are still recognised', async (t) => {
  const dir = tempDir(t, 'log');
  const log = PartitionLog.open(dir, config(), 0, 0);
  const b = () => encodeBatch({ records: [{ value: 'x' }], producerId: 3, producerEpoch: 0, baseSequence: 0 });
  log.append([await b()], opts);
  log.close();
  const again = PartitionLog.open(dir, config(), 0, 0);
  const r = again.append([await b()], opts);
  t.like(r, { error: 0, baseOffset: 0 });
  t.is(again.logEndOffset, 1);
});

/** Resolves once `file` no longer exists (a deletion after file.delete.delay.ms); fails the test after 5 s. */
async function gone(t: ExecutionContext, file: string): Promise<void> {
  for (let i = 0; i < 500 && fs.existsSync(file); i++) await new Promise((r) => setTimeout(r, 10));
  t.false(fs.existsSync(file), `${file} is removed`);
}

test('disk: a segment past retention is renamed .deleted at once and removed after file.delete.delay.ms', async (t) => {
  const dir = tempDir(t, 'log');
  const log = PartitionLog.open(dir, config({ segmentBytes: 300, retentionBytes: 0, fileDeleteDelayMs: 300 }), 0, 0);
  for (let i = 0; i < 8; i++) log.append([await batch(4)], opts);
  t.true(log.applyRetention(Date.now()) > 0);
  const first = path.join(dir, '00000000000000000000.log');
  t.false(fs.existsSync(first), 'the segment is out of the log at once');
  t.true(fs.existsSync(`${first}.deleted`), 'and waits under its .deleted name');
  await new Promise((r) => setTimeout(r, 100));
  t.true(fs.existsSync(`${first}.deleted`), 'for the whole delay');
  await gone(t, `${first}.deleted`);
  t.is(Number(Buffer.concat(log.read(log.logStartOffset, 1 << 20)).readBigInt64BE(0)), log.logStartOffset, 'what remains still reads');
  log.close();
});

test('disk: segments deleted before a crash are removed when the log next opens, and not read as data', async (t) => {
  const dir = tempDir(t, 'log');
  const log = PartitionLog.open(dir, config({ segmentBytes: 300, retentionBytes: 0 }), 0, 0);
  for (let i = 0; i < 8; i++) log.append([await batch(4)], opts);
  const start = (log.applyRetention(Date.now()), log.logStartOffset);
  log.abandon();
  const deleted = fs.readdirSync(dir).filter((f) => f.endsWith('.deleted'));
  t.true(deleted.length > 0);
  const again = PartitionLog.open(dir, config(), 0, start);
  t.is(again.logStartOffset, start);
  t.is(again.logEndOffset, 32);
  for (const f of deleted) await gone(t, path.join(dir, f));
  again.close();
});

test('disk: a deleted log\'s directory is renamed -delete at once, so it can be made again, and removed after the delay', async (t) => {
  const root = tempDir(t, 'logs');
  const dir = path.join(root, 'topic-0');
  const log = PartitionLog.open(dir, config({ fileDeleteDelayMs: 200 }), 0, 0);
  log.append([await batch(2)], opts);
  log.delete();
  t.false(fs.existsSync(dir));
  const [renamed, ...more] = fs.readdirSync(root);
  t.regex(renamed!, /^topic-0\.[0-9a-f]{32}-delete$/, 'named as Kafka names it');
  t.deepEqual(more, []);
  const fresh = PartitionLog.open(dir, config(), 0, 0);
  t.is(fresh.logEndOffset, 0, 'a log made again under the same name starts empty');
  t.like(fresh.append([await batch(1)], opts), { baseOffset: 0 });
  await gone(t, path.join(root, renamed!));
  t.is(fresh.read(0, 1 << 20).length, 1);
  fresh.close();
});
