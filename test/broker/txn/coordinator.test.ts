// The transaction coordinator on an in-memory writer, with a clock the test moves and a
// marker channel that records what it is asked: the states a transaction goes through,
// what each is written as, fencing, timeouts, expiry, and a new coordinator finishing what
// the last one prepared.
import test from 'ava';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { type MarkerChannel, TransactionCoordinator } from '../../../src/broker/txn/coordinator.js';
import { readTxnRecord, txnKey, TxnState, txnValue } from '../../../src/broker/txn/records.js';
import { createLogger } from '../../../src/broker/logger.js';
import { MemoryPartitionWriter } from '../../support/memory-partition-writer.js';

const CONFIG: Record<string, number> = {
  'transaction.state.log.num.partitions': 1,
  'transaction.max.timeout.ms': 900_000,
  'transactional.id.expiration.ms': 600_000,
};

interface Sent { producerId: number; producerEpoch: number; commit: boolean; partitions: string[] }

function setUp(writer = new MemoryPartitionWriter(1), markersHold = false, transactionVersion = 1) {
  const clock = { now: 1_000_000 };
  const sent: Sent[] = [];
  let release: () => void = () => undefined;
  const markers: MarkerChannel = {
    async write(m) {
      sent.push({ producerId: m.producerId, producerEpoch: m.producerEpoch, commit: m.commit, partitions: [...m.partitions].flatMap(([t, ps]) => [...ps].map((p) => `${t}-${p}`)) });
      if (markersHold) await new Promise<void>((r) => { release = r; });
    },
  };
  let nextId = 100;
  const c = new TransactionCoordinator({
    writer, markers, config: { int: (n) => CONFIG[n]! }, logger: createLogger('silent', 0), now: () => clock.now,
    producerIds: { allocate: async () => nextId++ }, coordinatorEpoch: () => 5, transactionVersion: () => transactionVersion,
  });
  c.partitionElected(0);
  return { c, writer, clock, sent, release: () => release() };
}

const states = (w: MemoryPartitionWriter) => w.all().map((r) => readTxnRecord(r.key, r.value).record?.state);
const settle = () => new Promise((r) => setImmediate(r));

test('init, add, commit: each state is written before it is acted on, and the markers go to the partitions', async (t) => {
  const { c, writer, sent } = setUp();
  await c.loaded();
  const init = await c.initProducerId('a', 60_000, { producerId: -1, producerEpoch: -1 });
  t.deepEqual(init, { errorCode: ErrorCode.NONE, producerId: 100, producerEpoch: 0 });
  t.is(await c.addPartitions('a', 100, 0, [['t', 0], ['t', 1]], ErrorCode.PRODUCER_FENCED), ErrorCode.NONE);
  t.is(await c.addPartitions('a', 100, 0, [['t', 1]], ErrorCode.PRODUCER_FENCED), ErrorCode.NONE, 'already in: nothing written');
  t.deepEqual(c.verifyPartitions('a', 100, 0, [['t', 0], ['u', 0]]), [ErrorCode.NONE, ErrorCode.TRANSACTION_ABORTABLE]);
  t.is(await c.endTxn('a', 100, 0, true, ErrorCode.PRODUCER_FENCED), ErrorCode.NONE);
  await settle();
  t.deepEqual(sent, [{ producerId: 100, producerEpoch: 0, commit: true, partitions: ['t-0', 't-1'] }]);
  t.deepEqual(states(writer), [TxnState.Empty, TxnState.Ongoing, TxnState.PrepareCommit, TxnState.CompleteCommit]);
  t.is(await c.endTxn('a', 100, 0, true, ErrorCode.PRODUCER_FENCED), ErrorCode.NONE, 'a retried commit');
  t.is(await c.endTxn('a', 100, 0, false, ErrorCode.PRODUCER_FENCED), ErrorCode.INVALID_TXN_STATE);
});

test('while markers are in flight the producer is told CONCURRENT_TRANSACTIONS', async (t) => {
  const { c, release } = setUp(undefined, true);
  await c.loaded();
  await c.initProducerId('a', 60_000, { producerId: -1, producerEpoch: -1 });
  await c.addPartitions('a', 100, 0, [['t', 0]], ErrorCode.PRODUCER_FENCED);
  t.is(await c.endTxn('a', 100, 0, false, ErrorCode.PRODUCER_FENCED), ErrorCode.NONE);
  t.is(await c.addPartitions('a', 100, 0, [['t', 0]], ErrorCode.PRODUCER_FENCED), ErrorCode.CONCURRENT_TRANSACTIONS);
  t.is((await c.initProducerId('a', 60_000, { producerId: -1, producerEpoch: -1 })).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS);
  release();
  await settle();
  await settle();
  t.is(await c.endTxn('a', 100, 0, false, ErrorCode.PRODUCER_FENCED), ErrorCode.NONE, 'complete: a retried abort');
});

test('a new InitProducerId fences the old epoch and aborts its open transaction under a bumped epoch', async (t) => {
  const { c, sent } = setUp();
  await c.loaded();
  await c.initProducerId('a', 60_000, { producerId: -1, producerEpoch: -1 });
  await c.addPartitions('a', 100, 0, [['t', 0]], ErrorCode.PRODUCER_FENCED);
  t.is((await c.initProducerId('a', 60_000, { producerId: -1, producerEpoch: -1 })).errorCode, ErrorCode.CONCURRENT_TRANSACTIONS, 'the client retries');
  await settle();
  t.deepEqual(sent, [{ producerId: 100, producerEpoch: 1, commit: false, partitions: ['t-0'] }]);
  t.deepEqual(await c.initProducerId('a', 60_000, { producerId: -1, producerEpoch: -1 }), { errorCode: ErrorCode.NONE, producerId: 100, producerEpoch: 2 });
  t.is(await c.endTxn('a', 100, 0, true, ErrorCode.PRODUCER_FENCED), ErrorCode.PRODUCER_FENCED);
  t.is(await c.addPartitions('a', 100, 1, [['t', 0]], ErrorCode.INVALID_PRODUCER_EPOCH), ErrorCode.INVALID_PRODUCER_EPOCH);
  t.is((await c.initProducerId('a', 60_000, { producerId: 100, producerEpoch: 1 })).errorCode, ErrorCode.PRODUCER_FENCED, 'KIP-360: only the current epoch may be bumped');
  t.deepEqual(await c.initProducerId('a', 60_000, { producerId: 100, producerEpoch: 2 }), { errorCode: ErrorCode.NONE, producerId: 100, producerEpoch: 3 });
});

test('KIP-360: a producer naming its idempotent id takes on a new transactional id; a retried bump gets the current epoch back', async (t) => {
  const { c } = setUp();
  await c.loaded();
  t.deepEqual(await c.initProducerId('b', 60_000, { producerId: 7, producerEpoch: 0 }), { errorCode: ErrorCode.NONE, producerId: 100, producerEpoch: 0 }, 'the id is new: its own producer id');
  t.deepEqual(await c.initProducerId('b', 60_000, { producerId: 100, producerEpoch: 0 }), { errorCode: ErrorCode.NONE, producerId: 100, producerEpoch: 1 });
  t.deepEqual(await c.initProducerId('b', 60_000, { producerId: 100, producerEpoch: 0 }), { errorCode: ErrorCode.NONE, producerId: 100, producerEpoch: 1 }, 'the same bump asked again');
  t.is((await c.initProducerId('b', 60_000, { producerId: 55, producerEpoch: 3 })).errorCode, ErrorCode.PRODUCER_FENCED, 'another producer id');
});

test('bad requests: empty id, bad timeouts, unknown ids, EndTxn with nothing open', async (t) => {
  const { c } = setUp();
  await c.loaded();
  t.is((await c.initProducerId('', 60_000, { producerId: -1, producerEpoch: -1 })).errorCode, ErrorCode.INVALID_REQUEST);
  t.is((await c.initProducerId('a', 0, { producerId: -1, producerEpoch: -1 })).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  t.is((await c.initProducerId('a', 900_001, { producerId: -1, producerEpoch: -1 })).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  t.is(await c.addPartitions('nobody', 1, 0, [['t', 0]], ErrorCode.PRODUCER_FENCED), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  await c.initProducerId('a', 60_000, { producerId: -1, producerEpoch: -1 });
  t.is(await c.endTxn('a', 100, 0, true, ErrorCode.PRODUCER_FENCED), ErrorCode.INVALID_TXN_STATE);
  t.is(await c.endTxn('a', 999, 0, true, ErrorCode.PRODUCER_FENCED), ErrorCode.INVALID_PRODUCER_ID_MAPPING);
});

test('a transaction past its timeout is aborted and its producer fenced; an idle id expires with a tombstone', async (t) => {
  const { c, clock, sent, writer } = setUp();
  await c.loaded();
  await c.initProducerId('slow', 10_000, { producerId: -1, producerEpoch: -1 });
  await c.addPartitions('slow', 100, 0, [['t', 3]], ErrorCode.PRODUCER_FENCED);
  clock.now += 5_000;
  await c.expire(clock.now);
  t.deepEqual(sent, [], 'not yet');
  clock.now += 6_000;
  await c.expire(clock.now);
  await settle();
  t.deepEqual(sent, [{ producerId: 100, producerEpoch: 1, commit: false, partitions: ['t-3'] }]);
  t.is(await c.endTxn('slow', 100, 0, true, ErrorCode.PRODUCER_FENCED), ErrorCode.PRODUCER_FENCED, 'the producer that timed out is fenced');
  t.is(c.describe('slow').txn?.state, TxnState.CompleteAbort);
  clock.now += 600_001;
  await c.expire(clock.now);
  t.is(c.describe('slow').errorCode, ErrorCode.TRANSACTIONAL_ID_NOT_FOUND);
  t.is(writer.all().at(-1)!.value, null, 'a tombstone');
});

test('a new coordinator of the partition reads the ids back and finishes a prepared transaction', async (t) => {
  const first = setUp(undefined, true);
  await first.c.loaded();
  await first.c.initProducerId('a', 60_000, { producerId: -1, producerEpoch: -1 });
  await first.c.addPartitions('a', 100, 0, [['t', 0]], ErrorCode.PRODUCER_FENCED);
  await first.c.endTxn('a', 100, 0, true, ErrorCode.PRODUCER_FENCED);
  // The coordinator dies with the commit prepared and its markers not yet written.
  first.c.partitionResigned(0);
  const next = setUp(first.writer);
  await next.c.loaded();
  await settle();
  t.deepEqual(next.sent, [{ producerId: 100, producerEpoch: 0, commit: true, partitions: ['t-0'] }]);
  await settle();
  t.is(next.c.describe('a').txn?.state, TxnState.CompleteCommit);
  t.deepEqual(await next.c.initProducerId('a', 60_000, { producerId: -1, producerEpoch: -1 }), { errorCode: ErrorCode.NONE, producerId: 100, producerEpoch: 1 });
  t.is(first.c.coordinatorError('a'), ErrorCode.NOT_COORDINATOR);
});

// ---- transaction version 2 (KIP-890 part 2) ---------------------------------------------

test('v2: each EndTxn bumps the epoch; markers carry the new one; a retry gets the state it left', async (t) => {
  const { c, writer, sent } = setUp(undefined, false, 2);
  await c.loaded();
  await c.initProducerId('a', 60_000, { producerId: -1, producerEpoch: -1 });
  t.is(await c.addPartitions('a', 100, 0, [['t', 0]], ErrorCode.PRODUCER_FENCED, true), ErrorCode.NONE, 'added by the partition leader (Produce v12)');
  t.deepEqual(await c.endTxnV2('a', 100, 0, true), { errorCode: ErrorCode.NONE, producerId: 100, producerEpoch: 1 });
  await settle();
  const written = writer.all().map((r) => readTxnRecord(r.key, r.value).record!);
  t.like(written.find((r) => r.state === TxnState.PrepareCommit), { producerEpoch: 1, clientTransactionVersion: 2 }, 'the prepare is written with the new epoch');
  t.deepEqual(sent, [{ producerId: 100, producerEpoch: 1, commit: true, partitions: ['t-0'] }]);
  t.like(c.describe('a').txn, { state: TxnState.CompleteCommit, producerEpoch: 1 });
  t.deepEqual(await c.endTxnV2('a', 100, 0, true), { errorCode: ErrorCode.NONE, producerId: 100, producerEpoch: 1 }, 'a retried commit');
  t.is((await c.endTxnV2('a', 100, 0, false)).errorCode, ErrorCode.INVALID_TXN_STATE, 'a retry that is not the same');
  t.is((await c.endTxnV2('a', 100, 1, true)).errorCode, ErrorCode.INVALID_TXN_STATE, 'a commit with no transaction');
  t.is((await c.endTxnV2('a', 100, 5, true)).errorCode, ErrorCode.PRODUCER_FENCED);
  t.is((await c.addPartitions('a', 100, 0, [['t', 0]], ErrorCode.PRODUCER_FENCED, true)), ErrorCode.PRODUCER_FENCED, 'the last transaction\'s epoch is fenced');
  // An abort with no transaction open bumps the epoch, and sends no markers.
  t.deepEqual(await c.endTxnV2('a', 100, 1, false), { errorCode: ErrorCode.NONE, producerId: 100, producerEpoch: 2 });
  await settle();
  t.is(sent.length, 1);
  t.like(c.describe('a').txn, { state: TxnState.CompleteAbort, producerEpoch: 2 });
  t.deepEqual(await c.endTxnV2('a', 100, 1, false), { errorCode: ErrorCode.NONE, producerId: 100, producerEpoch: 2 }, 'a retried abort');
});

test('v2: the last epoch ends a transaction under a new producer id, which the answer gives', async (t) => {
  const writer = new MemoryPartitionWriter(1);
  const worn = {
    producerId: 7, lastProducerId: -1, nextProducerId: -1, producerEpoch: 32766, timeoutMs: 60_000, state: TxnState.Ongoing, partitions: new Map([['t', new Set([0])]]),
    lastUpdateMs: 1, startMs: 1, clientTransactionVersion: 2,
  };
  await writer.append(0, [{ key: txnKey('w'), value: txnValue(worn, 1) }]);
  const { c, sent } = setUp(writer, false, 2);
  await c.loaded();
  t.deepEqual(await c.endTxnV2('w', 7, 32766, true), { errorCode: ErrorCode.NONE, producerId: 100, producerEpoch: 0 });
  await settle();
  t.deepEqual(sent, [{ producerId: 7, producerEpoch: 32767, commit: true, partitions: ['t-0'] }], 'the markers close the old id\'s batches');
  t.like(c.describe('w').txn, { state: TxnState.CompleteCommit, producerId: 100, producerEpoch: 0, lastProducerId: 7, nextProducerId: -1 });
  t.deepEqual(await c.endTxnV2('w', 7, 32766, true), { errorCode: ErrorCode.NONE, producerId: 100, producerEpoch: 0 }, 'the retry across the new id');
});

test('v2: a timed-out transaction is fenced and its abort bumps once more; verification answers TRANSACTION_ABORTABLE', async (t) => {
  const { c, clock, sent } = setUp(undefined, false, 2);
  await c.loaded();
  await c.initProducerId('slow', 10_000, { producerId: -1, producerEpoch: -1 });
  await c.addPartitions('slow', 100, 0, [['t', 3]], ErrorCode.PRODUCER_FENCED, true);
  t.deepEqual(c.verifyPartitions('slow', 100, 0, [['t', 3], ['t', 4]]), [ErrorCode.NONE, ErrorCode.TRANSACTION_ABORTABLE]);
  t.deepEqual(c.verifyPartitions('slow', 100, 1, [['t', 3]]), [ErrorCode.PRODUCER_FENCED]);
  clock.now += 11_000;
  await c.expire(clock.now);
  await settle();
  t.deepEqual(sent, [{ producerId: 100, producerEpoch: 2, commit: false, partitions: ['t-3'] }]);
  t.is((await c.endTxnV2('slow', 100, 0, true)).errorCode, ErrorCode.PRODUCER_FENCED);
});
