// Consumer groups driven by real JS clients (kafkajs, @platformatic/kafka), plus the
// coordinator rules clients rely on, checked at the protocol level.
import test from 'ava';
import { Consumer as PlatformaticConsumer, Producer as PlatformaticProducer, stringDeserializers, stringSerializers } from '@platformatic/kafka';
import type { Consumer, EachBatchPayload, Kafka } from 'kafkajs';
import { ErrorCode } from '../../src/protocol/errors.js';
import { startBroker } from '../../src/index.js';
import { eventually, kafka, tempDir, withBroker } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

async function topicWith(k: Kafka, topic: string, partitions: number, count: number): Promise<Set<string>> {
  const admin = k.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic, numPartitions: partitions }] });
  await admin.disconnect();
  const p = k.producer();
  await p.connect();
  const values = new Set<string>();
  const messages = Array.from({ length: count }, (_, i) => {
    values.add(`m${i}`);
    return { partition: i % partitions, value: `m${i}` };
  });
  await p.send({ topic, acks: -1, messages });
  await p.disconnect();
  return values;
}

test('two kafkajs members split a 6-partition topic with no overlap and read everything once', async (t) => {
  await withBroker({}, async (b) => {
    const k = kafka(b.bootstrap);
    await topicWith(k, 'split', 6, 0);
    const seen: Array<{ who: string; partition: number; value: string }> = [];
    const members: Consumer[] = [];
    for (const who of ['a', 'b']) {
      const c = k.consumer({ groupId: 'split-group', sessionTimeout: 6000, heartbeatInterval: 500 });
      await c.connect();
      await c.subscribe({ topic: 'split', fromBeginning: true });
      await c.run({ eachMessage: async ({ partition, message }) => void seen.push({ who, partition, value: message.value!.toString() }) });
      members.push(c);
    }
    const admin = k.admin();
    await admin.connect();
    await eventually(async () => {
      const g = (await admin.describeGroups(['split-group'])).groups[0]!;
      return g.state === 'Stable' && g.members.length === 2;
    }, 20000, 'both members in a stable group');
    const producer = k.producer();
    await producer.connect();
    const expected = new Set<string>();
    await producer.send({ topic: 'split', acks: -1, messages: Array.from({ length: 300 }, (_, i) => (expected.add(`m${i}`), { partition: i % 6, value: `m${i}` })) });
    await producer.disconnect();
    await eventually(() => seen.length >= 300 && new Set(seen.map((s) => s.who)).size === 2, 20000, 'both members to read');
    t.is(seen.length, 300);
    t.deepEqual([...new Set(seen.map((s) => s.value))].sort(), [...expected].sort());
    const owners = new Map<number, Set<string>>();
    for (const s of seen) owners.set(s.partition, (owners.get(s.partition) ?? new Set()).add(s.who));
    t.true([...owners.values()].every((o) => o.size === 1), 'each partition read by one member');
    const described = { d: await admin.describeGroups(['split-group']), l: await admin.listGroups() };
    await admin.disconnect();
    t.is(described.d.groups[0]!.state, 'Stable');
    t.is(described.d.groups[0]!.members.length, 2);
    t.true(described.l.groups.some((g) => g.groupId === 'split-group' && g.protocolType === 'consumer'));
    for (const c of members) await c.disconnect();
  });
});

test('eachBatch with manual commits: a new member resumes exactly from the committed offset', async (t) => {
  await withBroker({}, async (b) => {
    const k = kafka(b.bootstrap);
    await topicWith(k, 'manual', 1, 50);
    const first = k.consumer({ groupId: 'manual-group' });
    await first.connect();
    await first.subscribe({ topic: 'manual', fromBeginning: true });
    let read = 0;
    await first.run({
      autoCommit: false,
      eachBatch: async ({ batch, resolveOffset }: EachBatchPayload) => {
        for (const m of batch.messages) {
          if (Number(m.offset) >= 30) break;
          resolveOffset(m.offset);
          read++;
        }
      },
    });
    await eventually(() => read >= 30, 15000, '30 records');
    await first.commitOffsets([{ topic: 'manual', partition: 0, offset: '30' }]);
    await first.disconnect();
    const admin = k.admin();
    await admin.connect();
    const committed = await admin.fetchOffsets({ groupId: 'manual-group', topics: ['manual'] });
    t.is(committed[0]!.partitions[0]!.offset, '30');
    await admin.disconnect();
    const second = k.consumer({ groupId: 'manual-group' });
    await second.connect();
    await second.subscribe({ topic: 'manual', fromBeginning: true });
    const offsets: number[] = [];
    await second.run({ eachMessage: async ({ message }) => void offsets.push(Number(message.offset)) });
    await eventually(() => offsets.length >= 20, 15000, 'the rest');
    t.deepEqual(offsets, Array.from({ length: 20 }, (_, i) => 30 + i));
    await second.disconnect();
  });
});

test('committed offsets and group state survive a broker restart', async (t) => {
  const dir = tempDir(t, 'groups');
  const b1 = await startBroker({ storage: dir });
  const k1 = kafka(b1.bootstrap);
  await topicWith(k1, 'keep', 2, 10);
  const c = k1.consumer({ groupId: 'keeper' });
  await c.connect();
  await c.subscribe({ topic: 'keep', fromBeginning: true });
  let n = 0;
  await c.run({ autoCommitThreshold: 1, eachMessage: async () => void n++ });
  await eventually(() => n >= 10, 15000, 'records');
  await c.disconnect();
  await b1.close();

  const b2 = await startBroker({ storage: dir });
  t.teardown(() => b2.close());
  const admin = kafka(b2.bootstrap).admin();
  await admin.connect();
  const offsets = await admin.fetchOffsets({ groupId: 'keeper', topics: ['keep'] });
  t.deepEqual(offsets[0]!.partitions.map((p) => p.offset).sort(), ['5', '5']);
  const groups = await admin.listGroups();
  t.true(groups.groups.some((g) => g.groupId === 'keeper'));
  t.is((await admin.describeGroups(['keeper'])).groups[0]!.state, 'Empty');
  await admin.disconnect();
});

test('a member that stops heartbeating loses its partitions after session.timeout.ms', async (t) => {
  await withBroker({}, async (b) => {
    const k = kafka(b.bootstrap);
    await topicWith(k, 'silent', 2, 0);
    const raw = await RawClient.connect(b.port);
    t.teardown(() => raw.close());
    await raw.findCoordinator('any');
    const meta = Buffer.from([0, 0, 0, 0, 0, 1, 0, 6, ...Buffer.from('silent'), 0xff, 0xff, 0xff, 0xff]);
    const join = (memberId: string) => raw.request(11, 5, {
      groupId: 'silent-group', sessionTimeoutMs: 6000, rebalanceTimeoutMs: 6000, memberId, groupInstanceId: null,
      protocolType: 'consumer', protocols: [{ name: 'RoundRobinAssigner', metadata: meta }],
    });
    const first = await join('');
    t.is(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    const j = await join(first.memberId!);
    t.is(j.errorCode, ErrorCode.NONE);
    const s = await raw.request(14, 3, { groupId: 'silent-group', generationId: j.generationId, memberId: j.memberId, groupInstanceId: null, assignments: [{ memberId: j.memberId!, assignment: Buffer.alloc(0) }] });
    t.is(s.errorCode, ErrorCode.NONE);
    const hb = await raw.request(12, 3, { groupId: 'silent-group', generationId: j.generationId! + 1, memberId: j.memberId, groupInstanceId: null });
    t.is(hb.errorCode, ErrorCode.ILLEGAL_GENERATION);
    const started = Date.now();
    // The raw member now falls silent; a kafkajs member joins and must end up alone.
    const c = k.consumer({ groupId: 'silent-group', sessionTimeout: 6000, heartbeatInterval: 500, rebalanceTimeout: 20000 });
    await c.connect();
    await c.subscribe({ topic: 'silent' });
    await c.run({ eachMessage: async () => undefined });
    const admin = k.admin();
    await admin.connect();
    await eventually(async () => {
      const g = (await admin.describeGroups(['silent-group'])).groups[0]!;
      return g.state === 'Stable' && g.members.length === 1 && g.members[0]!.memberId !== j.memberId;
    }, 20000, 'the silent member to be removed');
    t.true(Date.now() - started >= 5000, 'not before its session timeout');
    const hb2 = await raw.request(12, 3, { groupId: 'silent-group', generationId: j.generationId, memberId: j.memberId, groupInstanceId: null });
    t.is(hb2.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    await admin.disconnect();
    await c.disconnect();
  });
});

test('JoinGroup v4+ answers a first join with MEMBER_ID_REQUIRED and a member id', async (t) => {
  await withBroker({}, async (b) => {
    const raw = await RawClient.connect(b.port);
    t.teardown(() => raw.close());
    await raw.findCoordinator('any');
    const req = (memberId: string) => raw.request(11, 7, {
      groupId: 'mid', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId, groupInstanceId: null, protocolType: 'consumer',
      protocols: [{ name: 'range', metadata: Buffer.alloc(0) }],
    });
    const first = await req('');
    t.is(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    t.regex(first.memberId!, /^test-/);
    const second = await req(first.memberId!);
    t.is(second.errorCode, ErrorCode.NONE);
    t.is(second.leader, first.memberId);
    t.is(second.protocolName, 'range');
    const bad = await raw.request(11, 7, { groupId: 'mid', sessionTimeoutMs: 10, rebalanceTimeoutMs: 10, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [] });
    t.is(bad.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
  });
});

test('DeleteGroups refuses a group with members and deletes an empty one', async (t) => {
  await withBroker({}, async (b) => {
    const k = kafka(b.bootstrap);
    await topicWith(k, 'del', 1, 1);
    const c = k.consumer({ groupId: 'del-group' });
    await c.connect();
    await c.subscribe({ topic: 'del', fromBeginning: true });
    let n = 0;
    await c.run({ eachMessage: async () => void n++ });
    await eventually(() => n >= 1, 15000, 'a record');
    const admin = k.admin();
    await admin.connect();
    const e = await t.throwsAsync(admin.deleteGroups(['del-group']));
    t.regex(JSON.stringify((e as unknown as { groups: unknown }).groups), /NON_EMPTY_GROUP|not empty/i);
    await c.disconnect();
    await admin.deleteGroups(['del-group']);
    t.false((await admin.listGroups()).groups.some((g) => g.groupId === 'del-group'));
    await admin.disconnect();
  });
});

test('@platformatic/kafka produces and consumes through a group', async (t) => {
  await withBroker({}, async (b) => {
    await topicWith(kafka(b.bootstrap), 'plat', 3, 0);
    const producer = new PlatformaticProducer({ clientId: 'plat-p', bootstrapBrokers: [b.bootstrap], serializers: stringSerializers });
    await producer.send({ messages: Array.from({ length: 30 }, (_, i) => ({ topic: 'plat', key: `k${i}`, value: `v${i}`, partition: i % 3 })) });
    await producer.close();
    const consumer = new PlatformaticConsumer({ groupId: 'plat-group', clientId: 'plat-c', bootstrapBrokers: [b.bootstrap], deserializers: stringDeserializers });
    const stream = await consumer.consume({ topics: ['plat'], mode: 'earliest', autocommit: true, sessionTimeout: 10000, heartbeatInterval: 500 });
    const values = new Set<string>();
    for await (const m of stream) {
      values.add(String(m.value));
      if (values.size === 30) break;
    }
    t.is(values.size, 30);
    await stream.close();
    await consumer.close();
  });
});

test('the log cleaner compacts __consumer_offsets and the committed offsets survive it and a restart', async (t) => {
  const dir = tempDir(t, 'compact');
  const b1 = await startBroker({ storage: dir, config: { 'offsets.topic.segment.bytes': '1024', 'offsets.topic.num.partitions': '1' } });
  const raw = await RawClient.connect(b1.port);
  await raw.findCoordinator('compacted');
  await topicWith(kafka(b1.bootstrap), 'ct', 1, 0);
  for (let i = 1; i <= 40; i++) {
    await raw.request(8, 7, { groupId: 'compacted', generationIdOrMemberEpoch: -1, memberId: '', groupInstanceId: null, topics: [{ name: 'ct', partitions: [{ partitionIndex: 0, committedOffset: i, committedLeaderEpoch: -1, committedMetadata: '' }] }] });
  }
  raw.close();
  const log = b1.broker.replicas.partition('__consumer_offsets', 0)!.log;
  const sizeBefore = log.size;
  t.true(await b1.broker.cleaner.run() >= 30);
  t.true(log.size < sizeBefore);
  await b1.close();
  const b2 = await startBroker({ storage: dir, config: { 'offsets.topic.segment.bytes': '1024', 'offsets.topic.num.partitions': '1' } });
  t.teardown(() => b2.close());
  const admin = kafka(b2.bootstrap).admin();
  await admin.connect();
  const offsets = await admin.fetchOffsets({ groupId: 'compacted', topics: ['ct'] });
  t.is(offsets[0]!.partitions[0]!.offset, '40');
  await admin.disconnect();
});
