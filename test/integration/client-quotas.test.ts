// Client quotas end to end: set and described through @platformatic/kafka's admin client,
// then enforced on kafkajs's producer and consumer and on bare Produce requests — throttle
// times in the answers, reads muted while a client is throttled, and nothing lost. The
// brokers run with quota windows of 3 × 1 s so a test waits seconds, not tens of them.
import { Admin as PlatformaticAdmin, alterClientQuotasV1, Connection } from '@platformatic/kafka';
import test from 'ava';
import { startBroker, startCluster } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeBatch } from '../../src/protocol/records/records.js';
import { kafka, tempDir } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

const SHORT_WINDOWS = { 'quota.window.num': '3', 'quota.window.size.seconds': '1' };
const RATE = 100_000;

async function quotaBroker(t: import('ava').ExecutionContext) {
  const b = await startBroker({ config: SHORT_WINDOWS });
  t.teardown(() => b.close());
  const admin = new PlatformaticAdmin({ clientId: 'quota-admin', bootstrapBrokers: [b.bootstrap] });
  t.teardown(() => admin.close());
  return { b, admin };
}

test('quotas set, described and refused through a third-party admin client, as Kafka answers', async (t) => {
  const { b, admin } = await quotaBroker(t);
  // The client's own codec, which throws on an error in any entry with the answer attached.
  const c = new Connection('quota-codec');
  await c.connect(b.host, b.port);
  t.teardown(() => c.close());
  type Entries = Parameters<typeof alterClientQuotasV1.api.async>[1];
  const entries = [
    { entities: [{ entityType: 'user', entityName: 'alice' }], ops: [{ key: 'producer_byte_rate', value: 1024, remove: false }, { key: 'request_percentage', value: 12.5, remove: false }] },
    { entities: [{ entityType: 'client-id', entityName: null }], ops: [{ key: 'consumer_byte_rate', value: 2048, remove: false }] },
    { entities: [{ entityType: 'user', entityName: 'bob' }, { entityType: 'ip', entityName: '1.2.3.4' }], ops: [{ key: 'producer_byte_rate', value: 1, remove: false }] },
    { entities: [{ entityType: 'client-id', entityName: 'c' }], ops: [{ key: 'producer_byte_rate', value: 1.5, remove: false }] },
  ] as Entries;
  const altered = await alterClientQuotasV1.api.async(c, entries, false).then((r) => r.entries, (e: { response?: alterClientQuotasV1.AlterClientQuotasResponse }) => {
    if (!e.response) throw e;
    return e.response.entries;
  });
  t.deepEqual(altered.map((e) => [e.errorCode, e.errorMessage]), [
    [0, null], [0, null],
    [ErrorCode.INVALID_REQUEST, 'Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId'],
    [ErrorCode.INVALID_REQUEST, 'producer_byte_rate cannot be a fractional value.'],
  ]);
  const everything = await admin.describeClientQuotas({ components: [] });
  t.deepEqual(everything.map((e) => [e.entity, e.values]).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))), [
    [[{ entityType: 'client-id', entityName: null }], [{ key: 'consumer_byte_rate', value: 2048 }]],
    [[{ entityType: 'user', entityName: 'alice' }], [{ key: 'producer_byte_rate', value: 1024 }, { key: 'request_percentage', value: 12.5 }]],
  ]);
  const alice = await admin.describeClientQuotas({ components: [{ entityType: 'user', matchType: 0, match: 'alice' }], strict: true });
  t.is(alice.length, 1);
  await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: 'user', entityName: 'alice' }], ops: [{ key: 'producer_byte_rate', remove: true }, { key: 'request_percentage', remove: true }] }] });
  t.deepEqual(await admin.describeClientQuotas({ components: [{ entityType: 'user', matchType: 2 }] }), []);
  // A filter Kafka refuses: the client throws with the answer's error.
  const refused = await admin.describeClientQuotas({ components: [{ entityType: 'user', matchType: 2 }, { entityType: 'user', matchType: 1 }] }).then(() => null, (e: Error) => e);
  t.truthy(refused, 'a filter naming a type twice is refused');
});

test('a producer over producer_byte_rate gets throttle times, its reads muted meanwhile, and every record kept', async (t) => {
  const { b, admin } = await quotaBroker(t);
  await admin.alterClientQuotas({ entries: [{ entities: [{ entityType: 'client-id', entityName: 'test' }], ops: [{ key: 'producer_byte_rate', value: RATE, remove: false }] }] });
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  await c.request(19, 4, { topics: [{ name: 'q', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000 });
  const value = Buffer.alloc(40_000, 1);
  const throttles: number[] = [];
  let mutedFor = 0;
  let last = 0;
  for (let i = 0; i < 10; i++) {
    const records = await encodeBatch({ records: [{ value }] });
    const sent = Date.now();
    const r = await c.request(0, 9, { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: 'q', partitionData: [{ index: 0, records }] }] });
    // The request after a throttled answer is not read until the throttle time is over.
    if (last > 0) mutedFor = Math.max(mutedFor, (Date.now() - sent) / last);
    t.is(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
    t.is(r.responses[0]!.partitionResponses[0]!.baseOffset, i, 'acknowledged in order, none lost');
    throttles.push(r.throttleTimeMs ?? 0);
    last = r.throttleTimeMs ?? 0;
  }
  t.log(`throttle times: ${throttles.join(', ')} ms`);
  // 40 KB a request against 100 KB/s over a 2 s minimum span: the first five pass, then each waits.
  t.deepEqual(throttles.slice(0, 5), [0, 0, 0, 0, 0]);
  t.true(throttles.slice(5).every((ms) => ms > 0), 'every request over the quota is throttled');
  t.true(mutedFor >= 0.9, 'the next request waited out the throttle time');
});

test('kafkajs under producer and consumer byte quotas: held to the rates, every record read once', async (t) => {
  const { b, admin } = await quotaBroker(t);
  await admin.alterClientQuotas({
    entries: [
      { entities: [{ entityType: 'client-id', entityName: 'slow-producer' }], ops: [{ key: 'producer_byte_rate', value: RATE, remove: false }] },
      { entities: [{ entityType: 'client-id', entityName: 'slow-consumer' }], ops: [{ key: 'consumer_byte_rate', value: RATE, remove: false }] },
    ],
  });
  const count = 60;
  const bytes = count * 10_000;
  const producer = kafka(b.bootstrap, 'slow-producer').producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const started = Date.now();
  for (let i = 0; i < count; i += 5) {
    await producer.send({ topic: 'slow', messages: Array.from({ length: 5 }, (_, j) => ({ value: `${i + j}`.padEnd(10_000, '.') })) });
  }
  const produceSecs = (Date.now() - started) / 1000;
  // The rate spans at least 2 s, so 200 KB pass at once; the rest at the quota's pace.
  const floor = (bytes - 2 * RATE) / RATE;
  t.true(produceSecs >= floor * 0.9, `${bytes} bytes in ${produceSecs} s, at least ${floor} s at ${RATE} B/s`);

  const consumer = kafka(b.bootstrap, 'slow-consumer').consumer({ groupId: 'slow-readers', maxBytes: 50_000 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'slow', fromBeginning: true });
  const seen: number[] = [];
  const readStart = Date.now();
  await new Promise<void>((resolve) => {
    void consumer.run({ eachMessage: async ({ message }) => {
      seen.push(Number.parseInt(message.value!.toString(), 10));
      if (seen.length === count) resolve();
    } });
  });
  const readSecs = (Date.now() - readStart) / 1000;
  t.deepEqual(seen, Array.from({ length: count }, (_, i) => i), 'every record once, in order');
  t.true(readSecs >= floor * 0.9, `read ${bytes} bytes in ${readSecs} s, at least ${floor} s at ${RATE} B/s`);
  t.log(`produced in ${produceSecs.toFixed(1)} s, read in ${readSecs.toFixed(1)} s; ${bytes} bytes at ${RATE} B/s each way`);
});

test('controller_mutation_rate: CreateTopics v6 and DeleteTopics v5 refused with THROTTLING_QUOTA_EXCEEDED once in debt, kafkajs\'s older versions only throttled', async (t) => {
  const { b } = await quotaBroker(t);
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  // 2 partitions/s over three 1 s windows: a burst of 6. (@platformatic/kafka's admin does not know this key.)
  const mutationRate = (clientId: string) => c.request(49, 1, { entries: [{ entity: [{ entityType: 'client-id', entityName: clientId }], ops: [{ key: 'controller_mutation_rate', value: 2, remove: false }] }], validateOnly: false });
  await mutationRate('test');
  const topic = (name: string) => ({ name, numPartitions: 5, replicationFactor: 1, assignments: [], configs: [] });
  const r = await c.request(19, 6, { topics: [topic('m1'), topic('m2'), topic('m3')], timeoutMs: 5000, validateOnly: false });
  t.deepEqual(r.topics.map((x) => [x.name, x.errorCode, x.errorMessage]), [
    ['m1', 0, null], ['m2', 0, null], ['m3', ErrorCode.THROTTLING_QUOTA_EXCEEDED, 'The throttling quota has been exceeded.'],
  ], 'the second topic borrows, the third finds the client in debt');
  const owed = r.throttleTimeMs ?? 0;
  t.true(owed > 1000 && owed <= 2000, `throttled ${owed} ms: 4 partitions owed at 2/s`);
  // The connection was muted until the debt was repaid: the next deletion borrows again, the one after is refused.
  const d1 = await c.request(20, 5, { topicNames: ['m1'], timeoutMs: 5000 });
  t.is(d1.responses[0]!.errorCode, ErrorCode.NONE);
  const d2 = await c.request(20, 5, { topicNames: ['m2'], timeoutMs: 5000 });
  t.is(d2.responses[0]!.errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED);
  t.true((d2.throttleTimeMs ?? 0) > 0);

  await mutationRate('kafkajs-admin');
  const kadmin = kafka(b.bootstrap, 'kafkajs-admin').admin();
  await kadmin.connect();
  t.teardown(() => kadmin.disconnect());
  await kadmin.createTopics({ topics: [{ topic: 'k1', numPartitions: 3 }, { topic: 'k2', numPartitions: 3 }, { topic: 'k3', numPartitions: 3 }] });
  const listed = await kadmin.listTopics();
  t.true(['k1', 'k2', 'k3'].every((n) => listed.includes(n)), 'a version without the error creates them all and is throttled instead');
});

test('request_percentage: the broker\'s time on a client\'s requests is measured, and throttled at most one window', async (t) => {
  const { b } = await quotaBroker(t);
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  await c.request(49, 1, { entries: [{ entity: [{ entityType: 'client-id', entityName: 'test' }], ops: [{ key: 'request_percentage', value: 0.01, remove: false }] }], validateOnly: false });
  let throttle = 0;
  for (let i = 0; i < 500 && throttle === 0; i++) throttle = (await c.request(3, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })).throttleTimeMs ?? 0;
  t.true(throttle > 0 && throttle <= 1000, `Metadata throttled ${throttle} ms`);
  const versions = await c.request(18, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
  t.is(versions.throttleTimeMs, 0, 'ApiVersions is never throttled');
});

test('quotas live in the cluster metadata: set on one broker, described and applied on every other, kept across restarts', async (t) => {
  const c = await startCluster({ brokers: 3, config: SHORT_WINDOWS });
  t.teardown(() => c.close());
  const on = async (port: number) => {
    const r = await RawClient.connect(port);
    t.teardown(() => r.close());
    return r;
  };
  const set = (r: RawClient) => r.request(49, 1, { entries: [{ entity: [{ entityType: 'user', entityName: null }], ops: [{ key: 'producer_byte_rate', value: 4096, remove: false }] }], validateOnly: false });
  const describe = async (r: RawClient) => (await r.request(48, 1, { components: [], strict: false })).entries;
  const expected = [{ entity: [{ entityType: 'user', entityName: null }], values: [{ key: 'producer_byte_rate', value: 4096 }] }];
  await set(await on(c.brokers[0]!.port));
  for (const b of c.brokers.slice(1)) t.deepEqual(await describe(await on(b.port)), expected, `broker ${b.id} has it`);
  t.is(c.brokers[2]!.broker!.services.quotas.applied('producer_byte_rate', { user: 'ANONYMOUS', clientId: 'x' })?.bound, 4096, 'and applies it to an unauthenticated client');
  await c.restart(2);
  t.deepEqual(await describe(await on(c.brokers[2]!.port)), expected, 'a restarted broker reads it back');

  const dir = tempDir(t, 'quotas');
  const single = await startBroker({ storage: dir });
  await set(await on(single.port));
  await single.close();
  const reopened = await startBroker({ storage: dir });
  t.teardown(() => reopened.close());
  t.deepEqual(await describe(await on(reopened.port)), expected, 'a broker on disk keeps them in its metadata file');
});

test('connection_creation_rate: connections from an address over its rate are held for the throttle time, then closed', async (t) => {
  const { b } = await quotaBroker(t);
  const admin = await RawClient.connect(b.port);
  t.teardown(() => admin.close());
  const r = await admin.request(49, 1, { entries: [{ entity: [{ entityType: 'ip', entityName: '127.0.0.1' }], ops: [{ key: 'connection_creation_rate', value: 1, remove: false }] }], validateOnly: false });
  t.is(r.entries[0]!.errorCode, ErrorCode.NONE);
  // 1 a second over a 2 s minimum span: the first two are taken, the next is over.
  const outcomes: string[] = [];
  for (let i = 0; i < 3; i++) {
    const c = await RawClient.connect(b.port);
    t.teardown(() => c.close());
    const answered = await c.request(18, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' }, 1500).then(() => 'served', () => 'not served');
    outcomes.push(answered === 'served' ? answered : `${answered}${(await c.closedWithin(3000)) ? ', closed' : ''}`);
  }
  t.deepEqual(outcomes, ['served', 'served', 'not served, closed']);
});
