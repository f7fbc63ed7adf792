// A partition's side of transactions: transactional batches open a producer's
// transaction, a marker ends it, the first unstable offset is the oldest open one's start,
// aborted transactions are listed for read_committed fetches; all of it is rebuilt when a
// log is reopened or truncated, and the cleaner drops aborted records and leaves open
// transactions alone.
import fs from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { crc32c } from '../../src/protocol/records/crc32c.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { Attr } from '../../src/protocol/records/batch.js';
import { ControlType, encodeMarker, type Marker, readControl } from '../../src/protocol/records/control.js';
import { decodeRecords, encodeBatch } from '../../src/protocol/records/records.js';
import { compactLog } from '../../src/storage/cleaner.js';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { logConfig } from '../support/log-config.js';
import { tempDir } from '../support/helpers.js';

const opts = { leaderEpoch: 0, now: Date.now(), logAppendTime: false };

const txnBatch = (producerId: number, seq: number, values: string[], epoch = 0) =>
  encodeBatch({ records: values.map((value) => ({ key: value, value })), producerId, producerEpoch: epoch, baseSequence: seq, attributes: Attr.transactional });
const plainBatch = (producerId: number, seq: number, values: string[]) =>
  encodeBatch({ records: values.map((value) => ({ key: value, value })), producerId, producerEpoch: 0, baseSequence: seq });
const appendMarker = (log: PartitionLog, m: Marker, o: typeof opts) => log.append([encodeMarker(m)], o);
const marker = (producerId: number, commit: boolean, epoch = 0): Marker => ({ producerId, producerEpoch: epoch, commit, coordinatorEpoch: 3, timestamp: Date.now() });

function logs(t: ExecutionContext, config = logConfig()): Array<[string, () => PartitionLog]> {
  const dir = tempDir(t, 'txn');
  return [['memory', () => PartitionLog.memory(config)], ['disk', () => PartitionLog.open(dir, config, 0, 0)]];
}

test('a marker is a control batch whose record says its type and coordinator epoch', (t) => {
  const m = encodeMarker(marker(9, false));
  t.deepEqual(readControl(m), { type: ControlType.ABORT, coordinatorEpoch: 3 });
  t.is(m.readInt16BE(21) & (Attr.control | Attr.transactional), Attr.control | Attr.transactional);
  t.deepEqual(readControl(encodeMarker(marker(9, true)))?.type, ControlType.COMMIT);
});

test('open transactions hold back the first unstable offset; markers end them; aborts are listed', async (t) => {
  for (const [kind, open] of logs(t)) {
    const log = open();
    t.like(log.append([await plainBatch(1, 0, ['a'])], opts), { error: 0, baseOffset: 0 });
    t.is(log.firstUnstableOffset, null, kind);
    t.like(log.append([await txnBatch(7, 0, ['t1', 't2'])], opts), { error: 0, baseOffset: 1 });
    t.like(log.append([await txnBatch(8, 0, ['u1'])], opts), { error: 0, baseOffset: 3 });
    t.is(log.firstUnstableOffset, 1, `${kind}: the oldest open transaction begins at 1`);
    t.like(log.append([await plainBatch(7, 2, ['oops'])], opts), { error: ErrorCode.INVALID_TXN_STATE }, 'a plain batch in the middle of a transaction');
    t.like(appendMarker(log, marker(7, false), opts), { error: 0, baseOffset: 4 });
    t.is(log.firstUnstableOffset, 3);
    t.deepEqual(log.abortedTxns(0, 100), [{ producerId: 7, firstOffset: 1, lastOffset: 4, lastStableOffset: 3 }]);
    t.deepEqual(log.abortedTxns(5, 100), [], 'a fetch past the marker is not told');
    t.deepEqual(log.abortedTxns(0, 1), [], 'nor one that ends before the transaction began');
    t.like(appendMarker(log, marker(8, true), opts), { error: 0, baseOffset: 5 });
    t.is(log.firstUnstableOffset, null);
    t.like(appendMarker(log, marker(8, true), opts), { error: 0 }, 'a marker for no open transaction is written and ends nothing');
    t.like(log.append([await txnBatch(8, 0, ['v'], 1)], opts), { error: 0 }, 'the bumped epoch starts again at sequence 0');
    t.like(appendMarker(log, marker(8, false, 0), opts), { error: ErrorCode.INVALID_PRODUCER_EPOCH }, 'a marker of a fenced epoch');
    log.close();

    if (kind !== 'disk') continue;
    const again = open();
    t.is(again.firstUnstableOffset, 7, 'reopened: the transaction still open is found again');
    t.deepEqual(again.abortedTxns(0, 100), [{ producerId: 7, firstOffset: 1, lastOffset: 4, lastStableOffset: 3 }]);
    again.close();
  }
});

test('truncating below a marker reopens its transaction and forgets its abort', async (t) => {
  for (const [kind, open] of logs(t, logConfig({ segmentBytes: 200 }))) {
    const log = open();
    log.append([await txnBatch(7, 0, ['a'])], opts);
    log.append([await txnBatch(7, 1, ['b'])], opts);
    appendMarker(log, marker(7, false), opts);
    t.is(log.firstUnstableOffset, null, kind);
    log.truncateTo(2);
    t.is(log.firstUnstableOffset, 0, `${kind}: the transaction is open again`);
    t.deepEqual(log.abortedTxns(0, 100), []);
    log.close();
  }
});

test('the cleaner drops aborted records, keeps markers and committed data, and stops at an open transaction', async (t) => {
  const log = PartitionLog.memory(logConfig({ segmentBytes: 1 }));
  log.append([await txnBatch(7, 0, ['k1', 'k2'])], opts);
  appendMarker(log, marker(7, false), opts);
  log.append([await txnBatch(8, 0, ['k1'])], opts);
  appendMarker(log, marker(8, true), opts);
  log.append([await txnBatch(9, 0, ['k2'])], opts);
  log.append([await plainBatch(1, 0, ['k3'])], opts);
  const removed = await compactLog(log, Date.now(), 86_400_000);
  t.is(removed, 2, 'the aborted k1 and k2');
  const values = (await decodeRecords(Buffer.concat(log.read(0, 1 << 20)))).map((b) => [b.baseOffset, b.isControl, b.records.map((r) => r.value?.toString() ?? '')]);
  t.deepEqual(values, [
    [2, true, ['\u0000\u0000\u0000\u0000\u0000\u0003']],
    [3, false, ['k1']],
    [4, true, ['\u0000\u0000\u0000\u0000\u0000\u0003']],
    [5, false, ['k2']],
    [6, false, ['k3']],
  ], 'the open transaction of producer 9 (offset 5) and what follows are left as they were');
});

test('the cleaner removes a marker once its transaction has no batch left, after delete.retention.ms, as Kafka does', async (t) => {
  const log = PartitionLog.memory(logConfig({ segmentBytes: 1 }));
  log.append([await txnBatch(7, 0, ['k1'])], opts); // 0: aborted
  appendMarker(log, marker(7, false), opts); // 1
  log.append([await txnBatch(8, 0, ['k1'])], opts); // 2: committed, later superseded
  appendMarker(log, marker(8, true), opts); // 3
  log.append([await txnBatch(9, 0, ['k1'])], opts); // 4: committed, the latest k1
  appendMarker(log, marker(9, true), opts); // 5
  log.append([await plainBatch(1, 0, ['k9'])], opts); // 6: the active segment
  const offsets = () => decodeRecords(Buffer.concat(log.read(0, 1 << 20))).then((bs) => bs.map((b) => b.baseOffset));
  const later = Date.now() + 2 * 86_400_000;
  t.is(await compactLog(log, Date.now(), 86_400_000), 2, 'the aborted k1 and the superseded k1');
  t.deepEqual(await offsets(), [1, 3, 4, 5, 6], 'markers stay until delete.retention.ms has passed');
  await compactLog(log, later, 86_400_000);
  t.deepEqual(await offsets(), [4, 5, 6], 'then the markers of transactions with no batch left go; the one with data stays');
});

test('on disk, Kafka\'s transaction files: each segment\'s .txnindex of its aborts, producer snapshots at rolls and at close, gone with truncation', async (t) => {
  const dir = tempDir(t, 'txn-files');
  const file = (offset: number, suffix: string) => path.join(dir, `${String(offset).padStart(20, '0')}${suffix}`);
  const log = PartitionLog.open(dir, logConfig(), 0, 0);
  log.append([await txnBatch(7, 0, ['a', 'b'])], opts); // 0-1
  log.append([await plainBatch(3, 0, ['p'])], opts); // 2: idempotent, not transactional
  appendMarker(log, marker(7, false), opts); // 3: ABORT
  log.roll();
  // Kafka's TransactionIndex entry: version 0, producer id, first offset, last offset (the marker), last stable offset.
  const entry = Buffer.alloc(34);
  entry.writeBigInt64BE(7n, 2);
  entry.writeBigInt64BE(0n, 10);
  entry.writeBigInt64BE(3n, 18);
  entry.writeBigInt64BE(4n, 26);
  t.deepEqual(fs.readFileSync(file(0, '.txnindex')), entry);
  const snapshot = fs.readFileSync(file(4, '.snapshot'));
  t.is(snapshot.readInt16BE(0), 1, 'version 1');
  t.is(snapshot.readUInt32BE(2), crc32c(snapshot.subarray(6)) >>> 0, 'a CRC-32C of the entries');
  t.is(snapshot.readInt32BE(6), 2, 'two producers');
  // producer id, epoch, last sequence, last offset, offset delta, timestamp, coordinator epoch, open transaction's first offset
  const producer7 = snapshot.subarray(10, 56);
  t.deepEqual([producer7.readBigInt64BE(0), producer7.readInt16BE(8), producer7.readInt32BE(10), producer7.readBigInt64BE(14), producer7.readInt32BE(22), producer7.readInt32BE(34), producer7.readBigInt64BE(38)], [7n, 0, 1, 1n, 1, 3, -1n]);
  log.append([await txnBatch(8, 0, ['c'])], opts); // 4: an open transaction
  log.close();
  const atClose = fs.readFileSync(file(5, '.snapshot'));
  t.is(atClose.readInt32BE(6), 3);
  t.false(fs.existsSync(file(4, '.txnindex')), 'no abort in the active segment: no file');

  const reopened = PartitionLog.open(dir, logConfig(), 5, 0);
  t.is(reopened.firstUnstableOffset, 4, 'the open transaction, rebuilt from the log');
  t.deepEqual(reopened.abortedTxns(0, 10), [{ producerId: 7, firstOffset: 0, lastOffset: 3, lastStableOffset: 4 }]);
  reopened.truncateTo(4);
  t.false(fs.existsSync(file(5, '.snapshot')), 'a snapshot past a truncation goes');
  reopened.close();
});
