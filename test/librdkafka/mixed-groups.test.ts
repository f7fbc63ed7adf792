// KIP-848's mixed groups with unmodified clients: kafkajs (the classic protocol) reads a
// topic in a group; librdkafka 2.15.1 with group.protocol=consumer joins the same group,
// which is upgraded online; the two share the partitions and every record is read; when
// librdkafka leaves, the group turns classic again and kafkajs takes every partition back.
import test from 'ava';
import { startBroker } from '../../src/index.js';
import { eventually, kafka, topicWithProducer } from '../support/helpers.js';
import { librdkafka } from '../support/librdkafka.js';
import { RawClient } from '../support/raw-client.js';

test('a live classic group upgraded by a consumer-protocol member, shared, and downgraded when it leaves: every record read', async (t) => {
  const b = await startBroker({ config: { 'group.consumer.heartbeat.interval.ms': '250', 'group.initial.rebalance.delay.ms': '0' } });
  t.teardown(() => b.close());
  const k = kafka(b.bootstrap, 'classic-app');
  const { producer } = await topicWithProducer(t, k, 'mixed', 4);
  const send = (prefix: string) => producer.send({ topic: 'mixed', messages: Array.from({ length: 40 }, (_, i) => ({ partition: i % 4, value: `${prefix}${i}` })) });
  const reads = new Map<string, string[]>();
  const read = (who: string) => async ({ message }: { message: { value: Buffer | null } }) => {
    const v = message.value!.toString();
    reads.set(v, [...(reads.get(v) ?? []), who]);
  };
  const readAll = (prefix: string) => Array.from({ length: 40 }, (_, i) => `${prefix}${i}`).every((v) => reads.has(v));

  const classic = k.consumer({ groupId: 'mixed-group', heartbeatInterval: 300, sessionTimeout: 10_000, maxWaitTimeInMs: 100 });
  await classic.connect();
  t.teardown(() => classic.disconnect());
  await classic.subscribe({ topic: 'mixed', fromBeginning: true });
  void classic.run({ eachMessage: read('kafkajs') });
  await send('a');
  await eventually(() => readAll('a'), 20_000, 'the classic group reads');

  const modern = librdkafka(b.bootstrap).consumer({ 'group.id': 'mixed-group', 'group.protocol': 'consumer', 'auto.offset.reset': 'earliest', 'client.id': 'modern' });
  await modern.connect();
  let modernConnected = true;
  t.teardown(async () => {
    if (modernConnected) await modern.disconnect();
  });
  await modern.subscribe({ topics: ['mixed'] });
  void modern.run({ eachMessage: read('librdkafka') });
  await eventually(() => modern.assignment().length === 2, 30_000, 'the consumer-protocol member gets its share');
  const raw = await RawClient.connect(b.port);
  t.teardown(() => raw.close());
  const described = await raw.request(69, 1, { groupIds: ['mixed-group'], includeAuthorizedOperations: false });
  t.deepEqual(described.groups[0]!.members.map((m) => m.memberType).sort(), [0, 1], 'one classic member, one of the consumer protocol');
  await send('b');
  await eventually(() => readAll('b'), 30_000, 'both read what comes next');
  t.true(['kafkajs', 'librdkafka'].every((who) => [...reads].some(([v, by]) => v.startsWith('b') && by.includes(who))), 'each read part of it');

  await modern.disconnect();
  modernConnected = false;
  await eventually(async () => {
    const groups = await raw.request(16, 5, { statesFilter: [], typesFilter: [] });
    return groups.groups.some((g) => g.groupId === 'mixed-group' && g.groupType === 'classic');
  }, 30_000, 'the group is classic again');
  await send('c');
  await eventually(() => readAll('c'), 30_000, 'kafkajs reads every partition again');
  t.true([...reads].filter(([v]) => v.startsWith('c')).every(([, by]) => by.every((who) => who === 'kafkajs')));
});
