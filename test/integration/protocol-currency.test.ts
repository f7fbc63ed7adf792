// The versions Kafka 4.2 added to APIs Krill serves: what each adds, against Kafka's
// definitions (franz-go's, through 4.2). No client we can run speaks these versions yet:
// Produce v13 is written and read byte by byte from the protocol's layout; the rest go
// through Krill's codec, cross-checked by name through kafkajs.
import test, { type ExecutionContext } from 'ava';
import { startBroker } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { Reader, Writer } from '../../src/protocol/primitives.js';
import { encodeBatch } from '../../src/protocol/records/records.js';
import { kafka } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

const NO_ID = '0'.repeat(32);

async function setup(t: ExecutionContext, topics: string[] = []) {
  const b = await startBroker();
  t.teardown(() => b.close());
  const admin = kafka(b.bootstrap).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  if (topics.length > 0) await admin.createTopics({ topics: topics.map((topic) => ({ topic, numPartitions: 2 })) });
  const raw = await RawClient.connect(b.port);
  t.teardown(() => raw.close());
  const idOf = async (topic: string) => (await raw.request(3, 12, { topics: [{ topicId: NO_ID, name: topic }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })).topics[0]!.topicId!;
  return { b, admin, raw, idOf };
}

test('ApiVersions advertises Kafka 4.2\'s newest versions and keeps every old one', async (t) => {
  const { raw } = await setup(t);
  const res = await raw.request(18, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
  const range = new Map(res.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]]));
  const newest: Record<number, number> = {
    0: 13, 1: 18, 2: 11, 3: 13, 8: 10, 9: 10, 15: 6, 27: 2, 34: 2, 45: 1, 46: 0, 48: 1, 49: 1, 50: 0, 51: 0, 57: 2, 60: 2, 66: 2, 68: 1, 69: 1, 71: 0, 72: 0, 74: 1, 75: 0,
  };
  for (const [key, max] of Object.entries(newest)) t.deepEqual(range.get(Number(key)), [0, max], `api ${key}`);
});

test('Produce v13 names topics by id, in the protocol\'s layout; an unknown id is UNKNOWN_TOPIC_ID', async (t) => {
  const { b, raw, idOf } = await setup(t, ['by-id']);
  const id = await idOf('by-id');
  const batch = await encodeBatch({ records: [{ key: 'k', value: 'hello' }, { key: 'k2', value: 'world' }] });
  const unknown = 'ab'.repeat(16);
  // Header v2: api key, version, correlation id, client id, tags. Body: transactional id
  // (compact nullable string), acks, timeout, [topic id, [partition, compact records, tags], tags], tags.
  const body = new Writer()
    .int16(0).int16(13).int32(77).int16(4).raw(Buffer.from('test')).uvarint(0)
    .uvarint(0).int16(-1).int32(5000)
    .uvarint(3)
    .raw(Buffer.from(id, 'hex')).uvarint(2).int32(1).uvarint(batch.length + 1).raw(batch).uvarint(0).uvarint(0)
    .raw(Buffer.from(unknown, 'hex')).uvarint(2).int32(0).uvarint(batch.length + 1).raw(batch).uvarint(0).uvarint(0)
    .uvarint(0)
    .toBuffer();
  const size = Buffer.alloc(4);
  size.writeInt32BE(body.length);
  const pending = raw.nextFrame();
  raw.sendRaw(Buffer.concat([size, body]));
  const r = new Reader(await pending);
  t.is(r.int32(), 77, 'correlation id');
  r.uvarint(); // response header tags
  t.is(r.uvarint() - 1, 2, 'two topics');
  const topics: Array<{ id: string; partition: number; error: number; baseOffset: bigint }> = [];
  for (let i = 0; i < 2; i++) {
    const topicId = Buffer.from(r.view(16)).toString('hex');
    t.is(r.uvarint() - 1, 1);
    const partition = r.int32();
    const error = r.int16();
    const baseOffset = r.buf.readBigInt64BE(r.pos);
    r.pos += 24; // base offset, log append time, log start offset
    t.is(r.uvarint() - 1, 0, 'no record errors');
    r.uvarint(); // error message (null = 0)
    for (let tags = r.uvarint(); tags > 0; tags--) {
      r.uvarint(); // tag
      r.pos += r.uvarint(); // its size, then its bytes
    }
    r.uvarint(); // topic tags
    topics.push({ id: topicId, partition, error, baseOffset });
  }
  t.deepEqual(topics, [
    { id, partition: 1, error: ErrorCode.NONE, baseOffset: 0n },
    { id: unknown, partition: 0, error: ErrorCode.UNKNOWN_TOPIC_ID, baseOffset: -1n },
  ]);

  // The records are where a kafkajs consumer, which names topics by name, finds them.
  const consumer = kafka(b.bootstrap).consumer({ groupId: 'by-id-reader' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'by-id', fromBeginning: true });
  const seen: string[] = [];
  await new Promise<void>((resolve) => {
    void consumer.run({ eachMessage: async ({ partition, message }) => {
      seen.push(`${partition}:${message.value!.toString()}`);
      if (seen.length === 2) resolve();
    } });
  });
  t.deepEqual(seen, ['1:hello', '1:world']);
});

test('OffsetCommit and OffsetFetch v10 name topics by id: commits land by name, unknown ids are UNKNOWN_TOPIC_ID', async (t) => {
  const { admin, raw, idOf } = await setup(t, ['offsets-a', 'offsets-b']);
  await raw.findCoordinator('g10');
  const a = await idOf('offsets-a');
  const b = await idOf('offsets-b');
  const unknown = 'cd'.repeat(16);
  const commit = await raw.request(8, 10, { groupId: 'g10', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [
    { name: '', topicId: a, partitions: [{ partitionIndex: 0, committedOffset: 5, committedLeaderEpoch: -1, committedMetadata: 'm' }] },
    { name: '', topicId: unknown, partitions: [{ partitionIndex: 0, committedOffset: 1, committedLeaderEpoch: -1, committedMetadata: null }] },
    { name: '', topicId: b, partitions: [{ partitionIndex: 1, committedOffset: 9, committedLeaderEpoch: -1, committedMetadata: null }] },
  ] });
  t.deepEqual(commit.topics.map((x) => [x.topicId, x.partitions.map((p) => p.errorCode)]), [[a, [0]], [unknown, [ErrorCode.UNKNOWN_TOPIC_ID]], [b, [0]]]);
  // kafkajs reads them back by name.
  const byName = await admin.fetchOffsets({ groupId: 'g10', topics: ['offsets-a', 'offsets-b'] });
  t.deepEqual(byName.map((x) => [x.topic, x.partitions.map((p) => p.offset).sort()]), [['offsets-a', ['-1', '5']], ['offsets-b', ['-1', '9']]]);

  const fetch = async (topics: Array<{ topicId: string; partitionIndexes: number[] }> | null) => (await raw.request(9, 10, {
    groups: [{ groupId: 'g10', memberId: null, memberEpoch: -1, topics: topics && topics.map((x) => ({ name: '', ...x })) }], requireStable: false,
  })).groups![0]!.topics!.map((x) => [x.topicId, x.partitions!.map((p) => [p.partitionIndex, p.committedOffset, p.errorCode])]);
  t.deepEqual(await fetch([{ topicId: unknown, partitionIndexes: [0] }, { topicId: a, partitionIndexes: [0, 1] }]), [
    [unknown, [[0, -1, ErrorCode.UNKNOWN_TOPIC_ID]]],
    [a, [[0, 5, 0], [1, -1, 0]]],
  ]);
  await admin.deleteTopics({ topics: ['offsets-b'] });
  t.deepEqual(await fetch(null), [[a, [[0, 5, 0]]]], 'all topics: a deleted topic has no id to name it by, and is left out');
});

test('DescribeGroups v6 says an unknown group is not found; DescribeCluster v2 has no fenced brokers; ListOffsets v11 and Metadata v13', async (t) => {
  const { raw, idOf } = await setup(t, ['listed']);
  await raw.findCoordinator('nobody');
  const v6 = await raw.request(15, 6, { groups: ['nobody'], includeAuthorizedOperations: false });
  t.like(v6.groups[0], { groupId: 'nobody', errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group nobody not found.', groupState: '' });
  const v5 = await raw.request(15, 5, { groups: ['nobody'], includeAuthorizedOperations: false });
  t.like(v5.groups[0], { groupId: 'nobody', errorCode: ErrorCode.NONE, groupState: 'Dead' });

  for (const includeFencedBrokers of [false, true]) {
    const cluster = await raw.request(60, 2, { includeClusterAuthorizedOperations: false, endpointType: 1, includeFencedBrokers });
    t.deepEqual(cluster.brokers.map((x) => [x.brokerId, x.isFenced]), [[0, false]]);
  }

  const offsets = await raw.request(2, 11, { replicaId: -1, isolationLevel: 0, timeoutMs: 1000, topics: [{ name: 'listed', partitions: [
    { partitionIndex: 0, currentLeaderEpoch: -1, timestamp: -6, maxNumOffsets: 1 },
    { partitionIndex: 1, currentLeaderEpoch: -1, timestamp: -2, maxNumOffsets: 1 },
  ] }] });
  t.deepEqual(offsets.topics[0]!.partitions.map((p) => [p.errorCode, p.offset]), [[0, -1], [0, 0]], 'no tiered storage: no pending upload offset');

  const metadata = await raw.request(3, 13, { topics: [{ topicId: NO_ID, name: 'listed' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  t.is(metadata.errorCode, ErrorCode.NONE);
  t.is(metadata.topics[0]!.topicId, await idOf('listed'));
});

test('ListTransactions v2 filters by an RE2 pattern the whole transactional id must match; a bad pattern is INVALID_REGULAR_EXPRESSION', async (t) => {
  const { b } = await setup(t, ['txn-topic']);
  for (const transactionalId of ['orders-1', 'orders-2', 'payments-1']) {
    const producer = kafka(b.bootstrap).producer({ transactionalId, maxInFlightRequests: 1, idempotent: true });
    await producer.connect();
    t.teardown(() => producer.disconnect());
    const tx = await producer.transaction();
    await tx.send({ topic: 'txn-topic', messages: [{ value: transactionalId }] });
    await tx.commit();
  }
  // Krill's codec: @platformatic/kafka 1.35's v2 parser reads an error_message that neither Kafka's
  // definition (franz-go's, through 4.2) nor the broker has.
  const raw = await RawClient.connect(b.port);
  t.teardown(() => raw.close());
  const list = async (transactionalIdPattern: string | null) => {
    const r = await raw.request(66, 2, { stateFilters: [], producerIdFilters: [], durationFilter: -1, transactionalIdPattern });
    return { errorCode: r.errorCode, ids: r.transactionStates.map((x) => x.transactionalId).sort() };
  };
  t.deepEqual(await list(null), { errorCode: 0, ids: ['orders-1', 'orders-2', 'payments-1'] });
  t.deepEqual(await list(''), { errorCode: 0, ids: ['orders-1', 'orders-2', 'payments-1'] }, 'empty: no filter');
  t.deepEqual(await list('orders-\\d+'), { errorCode: 0, ids: ['orders-1', 'orders-2'] });
  t.deepEqual(await list('orders'), { errorCode: 0, ids: [] }, 'the pattern must match the whole id');
  t.deepEqual(await list('(ab(cd'), { errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, ids: [] });
});

test('ListConfigResources v1 (KIP-1142) lists config resources of the types asked for; v0 is ListClientMetricsResources', async (t) => {
  const { raw } = await setup(t, ['b-topic', 'a-topic']);
  await raw.request(44, 1, { resources: [{ resourceType: 16, resourceName: 'subs', configs: [{ name: 'metrics', configOperation: 0, value: '*' }] }], validateOnly: false });
  const list = async (version: number, resourceTypes: number[]) => raw.request(74, version, { resourceTypes });
  t.deepEqual((await list(0, [])).configResources, [{ resourceName: 'subs', resourceType: 16 }]);
  t.deepEqual((await list(1, [2, 16])).configResources.filter((r) => !r.resourceName.startsWith('__')), [
    { resourceName: 'a-topic', resourceType: 2 }, { resourceName: 'b-topic', resourceType: 2 }, { resourceName: 'subs', resourceType: 16 },
  ]);
  const all = (await list(1, [])).configResources.map((r) => r.resourceType);
  t.deepEqual([...new Set(all)], [2, 4, 8, 16], 'every type this broker has configs for (no group has configs here)');
  t.is((await list(1, [64])).errorCode, ErrorCode.INVALID_REQUEST, 'a type it does not list');
});
