// Work a request may ask of the broker is bounded as Kafka bounds it, and a partition
// whose log cannot be opened leaves the broker serving the others.
import fs from 'node:fs';
import path from 'node:path';
import test, { type ExecutionContext } from 'ava';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeBatch } from '../../src/protocol/records/records.js';
import { descriptorsInUse, segmentFiles } from '../../src/storage/open-files.js';
import { RawClient } from '../support/raw-client.js';
import { canMount, smallDisk, tempDir } from '../support/helpers.js';

const PRODUCE = 0;
const CREATE_TOPICS = 19;
const CREATE_PARTITIONS = 37;

async function connect(t: ExecutionContext, b: RunningBroker): Promise<RawClient> {
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  return c;
}

const topic = (name: string, numPartitions: number) => ({ name, numPartitions, replicationFactor: 1, assignments: [], configs: [] });
const createTopics = (c: RawClient, topics: Array<ReturnType<typeof topic>>, validateOnly = false) =>
  c.request(CREATE_TOPICS, 5, { topics, timeoutMs: 1000, validateOnly }, 60_000);

test('CreateTopics asking for more than 10,000 partitions in all is refused whole with POLICY_VIOLATION, before anything is created', async (t) => {
  const b = await startBroker();
  t.teardown(() => b.close());
  const c = await connect(t, b);
  const r = await createTopics(c, [topic('a', 6_000), topic('b', 4_001), topic('dup', 1), topic('dup', 1)]);
  t.deepEqual(r.topics.map((x) => [x.name, x.errorCode, x.errorMessage]), [
    ['a', ErrorCode.POLICY_VIOLATION, 'Excessively large number of partitions per request.'],
    ['b', ErrorCode.POLICY_VIOLATION, 'Excessively large number of partitions per request.'],
    ['dup', ErrorCode.INVALID_REQUEST, 'Create topics request from client contains multiple entries for the following topics: dup'],
    ['dup', ErrorCode.INVALID_REQUEST, 'Create topics request from client contains multiple entries for the following topics: dup'],
  ]);
  t.false(b.broker.metadata.topics.has('a'));
  t.false(b.broker.metadata.topics.has('b'));
  // 10,000 exactly is allowed (validated only, so no logs are opened).
  const ok = await createTopics(c, [topic('a', 6_000), topic('b', 4_000)], true);
  t.deepEqual(ok.topics.map((x) => x.errorCode), [ErrorCode.NONE, ErrorCode.NONE]);
  t.is((await createTopics(c, [topic('huge', 2 ** 31 - 1)], true)).topics[0]!.errorCode, ErrorCode.POLICY_VIOLATION);
  t.is((await createTopics(c, [topic('small', 2)])).topics[0]!.errorCode, ErrorCode.NONE, 'the broker serves on');
});

test('CreatePartitions adding more than 10,000 partitions in all is refused whole with POLICY_VIOLATION', async (t) => {
  const b = await startBroker();
  t.teardown(() => b.close());
  const c = await connect(t, b);
  await createTopics(c, [topic('x', 1), topic('y', 1)]);
  const r = await c.request(CREATE_PARTITIONS, 3, { topics: [{ name: 'x', count: 5_001, assignments: null }, { name: 'y', count: 5_002, assignments: null }, { name: 'nope', count: 2, assignments: null }], timeoutMs: 1000, validateOnly: false });
  t.deepEqual(r.results.map((x) => [x.name, x.errorCode, x.errorMessage]), [
    ['x', ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.'],
    ['y', ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.'],
    ['nope', ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.'],
  ]);
  t.is(b.broker.metadata.topics.get('x')!.partitions.length, 1);
  const grown = await c.request(CREATE_PARTITIONS, 3, { topics: [{ name: 'x', count: 3, assignments: null }], timeoutMs: 1000, validateOnly: false });
  t.is(grown.results[0]!.errorCode, ErrorCode.NONE);
  // A topic created while a request waits is not in the request's total; the bound holds per topic as well
  // (the socket fuzzer found a broker stalled placing two billion partitions).
  t.like(await b.broker.services.topics.createPartitions(b.broker.metadata.topics.get('y')!, 2 ** 31 - 1, null, false), { errorCode: ErrorCode.POLICY_VIOLATION });
  t.like(await b.broker.services.topics.createTopic(topic('z', 10_001), false), { errorCode: ErrorCode.POLICY_VIOLATION });
});

test('a partition whose log cannot be opened is offline (KAFKA_STORAGE_ERROR) and the broker serves the rest', async (t) => {
  const dir = tempDir(t, 'offline');
  // A file where partition 0's directory must go: opening its log fails, as EMFILE or a full disk would.
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'blocked-0'), 'not a directory');
  const b = await startBroker({ storage: dir });
  t.teardown(() => b.close());
  const c = await connect(t, b);
  t.is((await createTopics(c, [topic('blocked', 2)])).topics[0]!.errorCode, ErrorCode.NONE);
  const produce = async (partition: number) => (await c.request(PRODUCE, 9, {
    transactionalId: null, acks: 1, timeoutMs: 1000,
    topicData: [{ name: 'blocked', partitionData: [{ index: partition, records: await encodeBatch({ records: [{ value: 'v' }] }) }] }],
  })).responses[0]!.partitionResponses[0]!;
  t.is((await produce(0)).errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
  t.like(await produce(1), { errorCode: ErrorCode.NONE, baseOffset: 0 });
});

(canMount ? test : test.skip)('produce to a broker whose disk is full answers KAFKA_STORAGE_ERROR on an open connection, and fetches read what was acknowledged', async (t) => {
  const disk = smallDisk(t, 512 * 1024);
  const b = await startBroker({ storage: disk.dir, logLevel: 'silent' });
  t.teardown(() => b.close());
  const c = await connect(t, b);
  t.is((await createTopics(c, [topic('full', 1)])).topics[0]!.errorCode, ErrorCode.NONE);
  let acked = 0;
  let last;
  for (let i = 0; i < 1000; i++) {
    last = (await c.request(PRODUCE, 9, {
      transactionalId: null, acks: -1, timeoutMs: 1000,
      topicData: [{ name: 'full', partitionData: [{ index: 0, records: await encodeBatch({ records: [{ value: Buffer.alloc(4000, 1) }] }) }] }],
    })).responses[0]!.partitionResponses[0]!;
    if (last.errorCode !== ErrorCode.NONE) break;
    acked++;
  }
  t.is(last!.errorCode, ErrorCode.KAFKA_STORAGE_ERROR);
  t.false(c.closed, 'the connection stays open');
  t.true(acked > 10);
  const fetched = await c.request(1, 11, {
    replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 24, isolationLevel: 0, sessionId: 0, sessionEpoch: -1, rackId: '',
    topics: [{ topic: 'full', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 24 }] }], forgottenTopicsData: [],
  });
  const p = fetched.responses[0]!.partitions[0]!;
  t.is(p.errorCode, ErrorCode.NONE);
  t.is(p.highWatermark, acked, 'every acknowledged record, and nothing of the refused ones');
});

test.serial('50,000 partitions created in batches Kafka accepts: the broker stays within its descriptor budget and produces to a sample', async (t) => {
  const b = await startBroker({ storage: tempDir(t, 'many') });
  t.teardown(() => b.close());
  const c = await connect(t, b);
  for (let i = 0; i < 5; i++) {
    t.is((await createTopics(c, [topic(`many-${i}`, 10_000)])).topics[0]!.errorCode, ErrorCode.NONE);
  }
  t.true(descriptorsInUse()! < segmentFiles.capacity + 1000, `${descriptorsInUse()} descriptors in use, ${segmentFiles.capacity} for segment files`);
  for (let i = 0; i < 50; i++) {
    const r = await c.request(PRODUCE, 9, {
      transactionalId: null, acks: 1, timeoutMs: 1000,
      topicData: [{ name: `many-${i % 5}`, partitionData: [{ index: (i * 7919) % 10_000, records: await encodeBatch({ records: [{ value: `v${i}` }] }) }] }],
    });
    t.is(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
  }
});

test.serial('a 10,000-partition CreateTopics opens its logs a slice at a time: other clients are answered meanwhile, and it answers once all are open', async (t) => {
  const b = await startBroker({ storage: tempDir(t, 'slices') });
  t.teardown(() => b.close());
  const c = await connect(t, b);
  const other = await connect(t, b);
  const order: string[] = [];
  const created = createTopics(c, [topic('wide', 10_000)]).then((r) => {
    order.push('created');
    return r;
  });
  // Once the broker has begun opening the topic's logs.
  while (!b.broker.metadata.topics.has('wide')) await new Promise((r) => setImmediate(r));
  await other.request(18, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
  order.push('other client answered');
  t.is((await created).topics[0]!.errorCode, ErrorCode.NONE);
  t.deepEqual(order, ['other client answered', 'created']);
  const r = await c.request(PRODUCE, 9, {
    transactionalId: null, acks: 1, timeoutMs: 1000,
    topicData: [{ name: 'wide', partitionData: [{ index: 9_999, records: await encodeBatch({ records: [{ value: 'last' }] }) }] }],
  });
  t.is(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE, 'the last partition is open when CreateTopics answers');
});
