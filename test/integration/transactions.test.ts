// Transactions end to end with kafkajs: committed and aborted transactions, offsets sent
// in a transaction, read_committed consumers, fencing by a second producer, and a restart
// in the middle; and the errors Kafka gives a producer that gets the protocol wrong.
import { Consumer as PlatformaticConsumer, Producer as PlatformaticProducer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import test, { type ExecutionContext } from 'ava';
import type { Kafka } from 'kafkajs';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { Attr } from '../../src/protocol/records/batch.js';
import { encodeBatch } from '../../src/protocol/records/records.js';
import { kafka, tempDir } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

async function setUp(t: ExecutionContext, storage?: string): Promise<{ b: RunningBroker; k: Kafka }> {
  const b = await startBroker({ storage });
  t.teardown(() => b.close());
  const k = kafka(b.bootstrap);
  const admin = k.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 't', numPartitions: 2 }] });
  await admin.disconnect();
  return { b, k };
}

/** Every value of `topic` a consumer with this isolation reads, once `expect` have come (and a moment for more). */
async function readValues(k: Kafka, topic: string, readUncommitted: boolean, expect: number): Promise<string[]> {
  const c = k.consumer({ groupId: `reader-${readUncommitted}-${Math.random()}`, readUncommitted, maxWaitTimeInMs: 50 });
  await c.connect();
  await c.subscribe({ topic, fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, 10_000);
    void c.run({
      eachMessage: async ({ message }) => {
        seen.push(message.value!.toString());
        if (seen.length === expect) setTimeout(() => { clearTimeout(timer); resolve(); }, 300);
      },
    });
  });
  await c.disconnect();
  return seen.sort();
}

test('kafkajs: committed transactions are read, aborted ones only by read_uncommitted; sendOffsets commits with the transaction', async (t) => {
  const { k } = await setUp(t);
  const p = k.producer({ transactionalId: 'tx-a', maxInFlightRequests: 1, idempotent: true });
  await p.connect();
  t.teardown(() => p.disconnect());
  const one = await p.transaction();
  await one.send({ topic: 't', messages: [{ key: 'a', value: 'c1' }, { key: 'b', value: 'c2' }] });
  await one.commit();
  const two = await p.transaction();
  await two.send({ topic: 't', messages: [{ key: 'a', value: 'x1' }, { key: 'b', value: 'x2' }] });
  await two.sendOffsets({ consumerGroupId: 'g-aborted', topics: [{ topic: 't', partitions: [{ partition: 0, offset: '7' }] }] });
  await two.abort();
  const three = await p.transaction();
  await three.send({ topic: 't', messages: [{ key: 'a', value: 'c3' }] });
  await three.sendOffsets({ consumerGroupId: 'g', topics: [{ topic: 't', partitions: [{ partition: 1, offset: '42' }] }] });
  await three.commit();

  t.deepEqual(await readValues(k, 't', false, 3), ['c1', 'c2', 'c3']);
  t.deepEqual(await readValues(k, 't', true, 5), ['c1', 'c2', 'c3', 'x1', 'x2']);
  const admin = k.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const offsets = await admin.fetchOffsets({ groupId: 'g', topics: ['t'] });
  t.deepEqual(offsets[0]!.partitions.map((x) => [x.partition, x.offset]).sort(), [[0, '-1'], [1, '42']]);
  const aborted = await admin.fetchOffsets({ groupId: 'g-aborted', topics: ['t'] });
  t.deepEqual(aborted[0]!.partitions.map((x) => x.offset), ['-1', '-1'], 'offsets of an aborted transaction are never committed');
});

test('kafkajs: a second producer with the same transactional id fences the first and aborts its open transaction', async (t) => {
  const { k } = await setUp(t);
  const first = k.producer({ transactionalId: 'tx-f', maxInFlightRequests: 1, idempotent: true, retry: { retries: 2 } });
  await first.connect();
  t.teardown(() => first.disconnect());
  const open = await first.transaction();
  await open.send({ topic: 't', messages: [{ value: 'zombie' }] });
  const second = k.producer({ transactionalId: 'tx-f', maxInFlightRequests: 1, idempotent: true });
  await second.connect();
  t.teardown(() => second.disconnect());
  const mine = await second.transaction();
  await mine.send({ topic: 't', messages: [{ value: 'mine' }] });
  await mine.commit();
  const e = await t.throwsAsync(open.commit());
  t.regex(String((e as { type?: string }).type ?? e?.message), /PRODUCER_FENCED|INVALID_PRODUCER_EPOCH|fenced/i);
  t.deepEqual(await readValues(k, 't', false, 1), ['mine'], 'the zombie\'s record was aborted');
});

test('@platformatic/kafka: an idempotent producer takes on a transactional id; its aborted transaction is not read', async (t) => {
  const { b } = await setUp(t);
  // It names the producer id it already has in InitProducerId (KIP-360), which Kafka accepts for a new transactional id.
  const producer = new PlatformaticProducer({ clientId: 'plat-tx', bootstrapBrokers: [b.bootstrap], serializers: stringSerializers, idempotent: true, transactionalId: 'plat-tx' });
  t.teardown(() => producer.close());
  for (const [i, commit] of [[0, true], [1, false], [2, true]] as const) {
    const txn = await producer.beginTransaction();
    await txn.send({ messages: [{ topic: 't', key: `k${i}`, value: `v${i}`, partition: 0 }] });
    if (commit) await txn.commit();
    else await txn.abort();
  }
  const consumer = new PlatformaticConsumer({ groupId: 'plat-reader', clientId: 'plat-c', bootstrapBrokers: [b.bootstrap], deserializers: stringDeserializers });
  t.teardown(() => consumer.close());
  const stream = await consumer.consume({ topics: ['t'], mode: 'earliest', isolationLevel: 1, maxWaitTime: 100 });
  const values: string[] = [];
  for await (const m of stream) {
    values.push(String(m.value));
    if (values.length === 2) break;
  }
  await stream.close();
  t.deepEqual(values, ['v0', 'v2']);
});

test('a restart with a transaction open: what was committed reads back, and the next producer of the id aborts the open one', async (t) => {
  const dir = tempDir(t, 'txn-restart');
  let { b, k } = await setUp(t, dir);
  const p = k.producer({ transactionalId: 'tx-r', maxInFlightRequests: 1, idempotent: true });
  await p.connect();
  const done = await p.transaction();
  await done.send({ topic: 't', messages: [{ value: 'before' }] });
  await done.commit();
  const open = await p.transaction();
  await open.send({ topic: 't', messages: [{ value: 'open' }] });
  await b.close();
  await p.disconnect().catch(() => undefined);

  b = await startBroker({ storage: dir });
  t.teardown(() => b.close());
  k = kafka(b.bootstrap);
  // The new producer with the id fences the open transaction: it is aborted, never read.
  const again = k.producer({ transactionalId: 'tx-r', maxInFlightRequests: 1, idempotent: true });
  await again.connect();
  t.teardown(() => again.disconnect());
  const after = await again.transaction();
  await after.send({ topic: 't', messages: [{ value: 'after' }] });
  await after.commit();
  t.deepEqual(await readValues(k, 't', false, 2), ['after', 'before']);
});

test('the errors Kafka gives: EndTxn with no transaction, an unknown partition, a bad timeout, a fenced epoch, a client\'s control batch', async (t) => {
  const { b } = await setUp(t);
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  const find = await c.request(10, 3, { key: 'tx-e', keyType: 1 });
  t.is(find.errorCode, ErrorCode.NONE);
  t.is((await c.request(22, 4, { transactionalId: 'tx-e', transactionTimeoutMs: 0, producerId: -1, producerEpoch: -1 })).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  t.is((await c.request(22, 4, { transactionalId: 'tx-e', transactionTimeoutMs: 900_001, producerId: -1, producerEpoch: -1 })).errorCode, ErrorCode.INVALID_TRANSACTION_TIMEOUT);
  const init = await c.request(22, 4, { transactionalId: 'tx-e', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  t.is(init.errorCode, ErrorCode.NONE);
  const [producerId, producerEpoch] = [init.producerId ?? -1, init.producerEpoch ?? -1];
  t.is((await c.request(26, 3, { transactionalId: 'tx-e', producerId, producerEpoch, committed: true })).errorCode, ErrorCode.INVALID_TXN_STATE);
  t.is((await c.request(26, 3, { transactionalId: 'tx-e', producerId: producerId + 1, producerEpoch, committed: true })).errorCode, ErrorCode.INVALID_PRODUCER_ID_MAPPING);
  const add = await c.request(24, 3, { v3AndBelowTransactionalId: 'tx-e', v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch, v3AndBelowTopics: [{ name: 't', partitions: [0] }, { name: 'nope', partitions: [0] }] });
  t.deepEqual(add.resultsByTopicV3AndBelow!.map((x) => [x.name, x.resultsByPartition.map((r) => r.partitionErrorCode)]), [['t', [ErrorCode.OPERATION_NOT_ATTEMPTED]], ['nope', [ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]]]);
  const added = await c.request(24, 3, { v3AndBelowTransactionalId: 'tx-e', v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch, v3AndBelowTopics: [{ name: 't', partitions: [0] }] });
  t.is(added.resultsByTopicV3AndBelow![0]!.resultsByPartition[0]!.partitionErrorCode, ErrorCode.NONE);
  const stale = await c.request(24, 3, { v3AndBelowTransactionalId: 'tx-e', v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch - 1, v3AndBelowTopics: [{ name: 't', partitions: [1] }] });
  t.is(stale.resultsByTopicV3AndBelow![0]!.resultsByPartition[0]!.partitionErrorCode, ErrorCode.PRODUCER_FENCED);
  const v1 = await c.request(24, 1, { v3AndBelowTransactionalId: 'tx-e', v3AndBelowProducerId: producerId, v3AndBelowProducerEpoch: producerEpoch - 1, v3AndBelowTopics: [{ name: 't', partitions: [1] }] });
  t.is(v1.resultsByTopicV3AndBelow![0]!.resultsByPartition[0]!.partitionErrorCode, ErrorCode.INVALID_PRODUCER_EPOCH, 'before v2 a fenced epoch is INVALID_PRODUCER_EPOCH');

  // A transactional batch, then ListOffsets read_committed stops before it until the commit.
  const records = await encodeBatch({ records: [{ value: 'v' }], producerId, producerEpoch, baseSequence: 0, attributes: Attr.transactional });
  const notAdded = await c.request(0, 9, { transactionalId: 'tx-e', acks: -1, timeoutMs: 5000, topicData: [{ name: 't', partitionData: [{ index: 1, records }] }] });
  t.is(notAdded.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.INVALID_TXN_STATE, 'KIP-890: a partition never added to the transaction refuses its batches');
  const noId = await c.request(0, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] });
  t.is(noId.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, 'transactional batches need the transactional id');
  const produced = await c.request(0, 9, { transactionalId: 'tx-e', acks: -1, timeoutMs: 5000, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] });
  t.is(produced.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
  const latest = async (isolationLevel: number) => (await c.request(2, 5, { replicaId: -1, isolationLevel, topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -1 }] }] })).topics[0]!.partitions[0]!.offset;
  t.is(await latest(0), 1);
  t.is(await latest(1), 0, 'the last stable offset stops at the open transaction');
  t.is((await c.request(26, 3, { transactionalId: 'tx-e', producerId, producerEpoch, committed: true })).errorCode, ErrorCode.NONE);
  for (let i = 0; i < 100 && await latest(1) !== 2; i++) await new Promise((r) => setTimeout(r, 20));
  t.is(await latest(1), 2, 'committed: the marker is at 1 and everything is stable');
  t.is((await c.request(26, 3, { transactionalId: 'tx-e', producerId, producerEpoch, committed: true })).errorCode, ErrorCode.NONE, 'a retried commit is answered as done');
  t.is((await c.request(26, 3, { transactionalId: 'tx-e', producerId, producerEpoch, committed: false })).errorCode, ErrorCode.INVALID_TXN_STATE);

  const control = await encodeBatch({ records: [{ key: Buffer.from([0, 0, 0, 1]), value: Buffer.from([0, 0, 0, 0, 0, 0]) }], producerId, producerEpoch, baseSequence: -1, attributes: Attr.transactional | Attr.control });
  const forged = await c.request(0, 9, { transactionalId: 'tx-e', acks: -1, timeoutMs: 5000, topicData: [{ name: 't', partitionData: [{ index: 1, records: control }] }] });
  t.is(forged.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.INVALID_RECORD, 'clients may not write control batches');

  const described = await c.request(65, 0, { transactionalIds: ['tx-e', 'unknown-id'] });
  t.deepEqual(described.transactionStates.map((s) => [s.transactionalId, s.errorCode, s.transactionState, s.producerId]), [
    ['tx-e', ErrorCode.NONE, 'CompleteCommit', producerId],
    ['unknown-id', ErrorCode.TRANSACTIONAL_ID_NOT_FOUND, '', -1],
  ]);
  const listed = await c.request(66, 1, { stateFilters: ['CompleteCommit', 'Bogus'], producerIdFilters: [], durationFilter: -1 });
  t.deepEqual(listed.unknownStateFilters, ['Bogus']);
  t.deepEqual(listed.transactionStates.map((s) => s.transactionalId), ['tx-e']);
  const producers = await c.request(61, 0, { topics: [{ name: 't', partitionIndexes: [0] }] });
  t.like(producers.topics[0]!.partitions[0]!.activeProducers[0], { producerId, producerEpoch, lastSequence: 0, currentTxnStartOffset: -1 });
});
