// Transaction version 2 (KIP-890 part 2) on the wire, as a Kafka 4 producer drives it: the
// finalized feature in ApiVersions, partitions and group offsets added by Produce v12 and
// TxnOffsetCommit v5 with no AddPartitionsToTxn, EndTxn v5 bumping the epoch, and the
// request of a finished transaction fenced. No client we can run speaks version 2 yet,
// so requests are framed by hand; what they write is read back by kafkajs. Also the error
// each request version gets for a partition the transaction does not hold (KIP-890 part 1).
import test, { type ExecutionContext } from 'ava';
import { startBroker, type RunningBroker, type StartBrokerOptions } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { Attr } from '../../src/protocol/records/batch.js';
import { encodeBatch } from '../../src/protocol/records/records.js';
import { eventually, kafka } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

async function setUp(t: ExecutionContext, opts: StartBrokerOptions = {}): Promise<{ b: RunningBroker; c: RawClient }> {
  const b = await startBroker(opts);
  t.teardown(() => b.close());
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  const created = await c.request(19, 4, { topics: [{ name: 't', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  t.is(created.topics[0]!.errorCode, ErrorCode.NONE);
  return { b, c };
}

async function init(c: RawClient, transactionalId: string): Promise<{ producerId: number; producerEpoch: number }> {
  for (;;) {
    const found = await c.request(10, 3, { key: transactionalId, keyType: 1 });
    if (found.errorCode !== ErrorCode.NONE) continue;
    const r = await c.request(22, 5, { transactionalId, transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
    if (r.errorCode === ErrorCode.NONE) return { producerId: r.producerId ?? -1, producerEpoch: r.producerEpoch ?? -1 };
    if (r.errorCode !== ErrorCode.COORDINATOR_LOAD_IN_PROGRESS && r.errorCode !== ErrorCode.CONCURRENT_TRANSACTIONS) throw new Error(`InitProducerId: ${r.errorCode}`);
    await new Promise((res) => setTimeout(res, 20));
  }
}

const batch = (p: { producerId: number; producerEpoch: number }, baseSequence: number, value: string) =>
  encodeBatch({ records: [{ value }], producerId: p.producerId, producerEpoch: p.producerEpoch, baseSequence, attributes: Attr.transactional });

async function produce(c: RawClient, version: number, transactionalId: string, partition: number, records: Buffer): Promise<{ errorCode: number; errorMessage?: string | null }> {
  const r = await c.request(0, version, { transactionalId, acks: -1, timeoutMs: 5000, topicData: [{ name: 't', partitionData: [{ index: partition, records }] }] });
  return r.responses[0]!.partitionResponses[0]!;
}

test('ApiVersions v3+ finalizes transaction.version 2 by default, as a Kafka 4.0 cluster is formatted; a level 0 is not finalized', async (t) => {
  for (const [features, finalized] of [[undefined, [2]], [{ 'transaction.version': 1 }, [1]], [{ 'transaction.version': 0 }, []]] as const) {
    const { c } = await setUp(t, features ? { features } : {});
    const r = await c.request(18, 3, { clientSoftwareName: 'krill-test', clientSoftwareVersion: '1' });
    t.deepEqual(r.supportedFeatures?.find((f) => f.name === 'transaction.version'), { name: 'transaction.version', minVersion: 0, maxVersion: 2 });
    const tv = r.finalizedFeatures?.filter((f) => f.name === 'transaction.version');
    t.deepEqual(tv?.map((f) => f.maxVersionLevel), [...finalized]);
    t.is(tv?.[0]?.minVersionLevel, finalized[0]);
    t.deepEqual(r.apiKeys.find((k) => k.apiKey === 26), { apiKey: 26, minVersion: 0, maxVersion: 5 });
  }
  await t.throwsAsync(startBroker({ features: { 'transaction.version': 3 } }), { message: /outside 0-2/ });
});

test('v2: Produce v12 and TxnOffsetCommit v5 add to the transaction; EndTxn v5 bumps the epoch and a late request of the old one is fenced', async (t) => {
  const { b, c } = await setUp(t);
  const p0 = await init(c, 'tv2');
  t.is((await produce(c, 12, 'tv2', 0, await batch(p0, 0, 'a1'))).errorCode, ErrorCode.NONE, 'no AddPartitionsToTxn: the partition leader adds it');
  t.is((await produce(c, 12, 'tv2', 0, await batch(p0, 1, 'a2'))).errorCode, ErrorCode.NONE);
  const find = await c.request(10, 3, { key: 'g', keyType: 0 });
  t.is(find.errorCode, ErrorCode.NONE);
  const commitOffset = (version: number, p: { producerId: number; producerEpoch: number }, offset: number) => c.request(28, version, {
    transactionalId: 'tv2', groupId: 'g', producerId: p.producerId, producerEpoch: p.producerEpoch, generationId: -1, memberId: '', groupInstanceId: null,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: '' }] }],
  });
  t.is((await commitOffset(5, p0, 2)).topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE, 'no AddOffsetsToTxn: the group coordinator adds it');
  const described = await c.request(65, 0, { transactionalIds: ['tv2'] });
  t.like(described.transactionStates[0], { transactionState: 'Ongoing', producerEpoch: p0.producerEpoch });
  t.deepEqual(described.transactionStates[0]!.topics.map((x) => x.topic).sort(), ['__consumer_offsets', 't']);

  const ended = await c.request(26, 5, { transactionalId: 'tv2', producerId: p0.producerId, producerEpoch: p0.producerEpoch, committed: true });
  t.deepEqual([ended.errorCode, ended.producerId, ended.producerEpoch], [ErrorCode.NONE, p0.producerId, p0.producerEpoch + 1]);
  const p1 = { producerId: p0.producerId, producerEpoch: p0.producerEpoch + 1 };
  const retried = await c.request(26, 5, { transactionalId: 'tv2', producerId: p0.producerId, producerEpoch: p0.producerEpoch, committed: true });
  t.true(retried.errorCode === ErrorCode.NONE || retried.errorCode === ErrorCode.CONCURRENT_TRANSACTIONS, 'a retry is answered as done once the markers are written');
  const offsets = async () => (await c.request(9, 7, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0] }], requireStable: true })).topics?.[0]?.partitions?.[0];
  await eventually(async () => (await offsets())?.committedOffset === 2, 5000, 'the offset committed with the transaction');

  // The next transaction, under the new epoch, starts its sequence again; the old epoch is fenced in the partition.
  t.is((await produce(c, 12, 'tv2', 0, await batch(p0, 2, 'late'))).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH, 'a late batch of the finished transaction');
  t.is((await produce(c, 12, 'tv2', 0, await batch(p1, 5, 'gap'))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER, 'a new epoch begins at sequence 0');
  // Both partitions of one request join the transaction together, as Kafka adds them in one call.
  const both = await c.request(0, 12, { transactionalId: 'tv2', acks: -1, timeoutMs: 5000, topicData: [{ name: 't', partitionData: [{ index: 0, records: await batch(p1, 0, 'x0') }, { index: 1, records: await batch(p1, 0, 'x1') }] }] });
  t.deepEqual(both.responses[0]!.partitionResponses.map((r) => r.errorCode), [ErrorCode.NONE, ErrorCode.NONE]);
  const aborted = await c.request(26, 5, { transactionalId: 'tv2', producerId: p1.producerId, producerEpoch: p1.producerEpoch, committed: false });
  t.deepEqual([aborted.errorCode, aborted.producerEpoch], [ErrorCode.NONE, p1.producerEpoch + 1]);
  const stale = await c.request(26, 5, { transactionalId: 'tv2', producerId: p0.producerId, producerEpoch: p0.producerEpoch, committed: true });
  t.is(stale.errorCode, ErrorCode.PRODUCER_FENCED);
  const empty = await c.request(26, 5, { transactionalId: 'tv2', producerId: p1.producerId, producerEpoch: p1.producerEpoch + 1, committed: false });
  t.deepEqual([empty.errorCode, empty.producerEpoch], [ErrorCode.NONE, p1.producerEpoch + 2], 'an abort with nothing open only bumps the epoch');

  // A read_committed consumer of an unmodified client reads the committed transaction only.
  const k = kafka(b.bootstrap);
  const consumer = k.consumer({ groupId: 'reader', readUncommitted: false, maxWaitTimeInMs: 50 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 't', fromBeginning: true });
  const seen: string[] = [];
  void consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); } });
  await eventually(() => seen.length >= 2, 10_000, 'the committed records');
  await new Promise((r) => setTimeout(r, 300));
  t.deepEqual(seen, ['a1', 'a2']);
});

test('KIP-890 part 1 by request version: a partition not in the transaction is TRANSACTION_ABORTABLE from Produce v11 and TxnOffsetCommit v4, INVALID_TXN_STATE before', async (t) => {
  const { c } = await setUp(t);
  const p = await init(c, 'old');
  const records = await batch(p, 0, 'v');
  t.like(await produce(c, 10, 'old', 0, records), { errorCode: ErrorCode.INVALID_TXN_STATE, baseOffset: -1, errorMessage: 'Partition was not added to the transaction' });
  t.is((await produce(c, 11, 'old', 0, records)).errorCode, ErrorCode.TRANSACTION_ABORTABLE);
  t.is((await produce(c, 9, 'old', 0, await batch({ ...p, producerEpoch: p.producerEpoch + 1 }, 0, 'v'))).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH, 'a fenced epoch, as the partition leader words it');
  await c.request(10, 3, { key: 'g', keyType: 0 });
  const commit = (version: number) => c.request(28, version, {
    transactionalId: 'old', groupId: 'g', producerId: p.producerId, producerEpoch: p.producerEpoch, generationId: -1, memberId: '', groupInstanceId: null,
    topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: '' }] }],
  });
  t.is((await commit(3)).topics[0]!.partitions[0]!.errorCode, ErrorCode.INVALID_TXN_STATE, 'no AddOffsetsToTxn came first');
  t.is((await commit(4)).topics[0]!.partitions[0]!.errorCode, ErrorCode.TRANSACTION_ABORTABLE);
  const added = await c.request(25, 3, { transactionalId: 'old', producerId: p.producerId, producerEpoch: p.producerEpoch, groupId: 'g' });
  t.is(added.errorCode, ErrorCode.NONE);
  t.is((await commit(3)).topics[0]!.partitions[0]!.errorCode, ErrorCode.NONE);
  const verify = await c.request(24, 4, { transactions: [{ transactionalId: 'old', producerId: p.producerId, producerEpoch: p.producerEpoch, verifyOnly: true, topics: [{ name: 't', partitions: [0] }] }] });
  t.is(verify.resultsByTransaction?.[0]?.topicResults?.[0]?.resultsByPartition?.[0]?.partitionErrorCode, ErrorCode.TRANSACTION_ABORTABLE, 'the coordinator answers a broker\'s verification with 120');
});
