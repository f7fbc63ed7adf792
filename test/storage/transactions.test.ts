// A partition's side of transactions: transactional batches open a producer's
// transaction, a marker ends it, the first unstable offset is the oldest open one's start,
// aborted transactions are listed for read_committed fetches; all of it is rebuilt when a
// log is reopened or truncated, and the cleaner drops aborted records and leaves open
// transactions alone.
import test, { type ExecutionContext } from 'ava';
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
