import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { CompressionTypes } from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { eventually, kafka, tempDir, withBroker } from '../support/helpers.js';

test('kafkajs admin creates, lists and describes topics; producer and consumer round-trip', async (t) => {
  await withBroker({}, async (b) => {
    const k = kafka(b.bootstrap);
    const admin = k.admin();
    await admin.connect();
    t.true(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] }));
    t.false(await admin.createTopics({ topics: [{ topic: 'orders', numPartitions: 3 }] }), 'second create reports the topic exists');
    t.true((await admin.listTopics()).includes('orders'));
    const md = await admin.fetchTopicMetadata({ topics: ['orders'] });
    t.is(md.topics[0]!.partitions.length, 3);

    const producer = k.producer();
    await producer.connect();
    const sent = [];
    for (let p = 0; p < 3; p++) {
      const r = await producer.send({
        topic: 'orders', acks: -1, compression: CompressionTypes.GZIP,
        messages: Array.from({ length: 10 }, (_, i) => ({ partition: p, key: `k${i}`, value: `v${p}-${i}`, headers: { h: `x${i}` } })),
      });
      sent.push(r[0]!);
    }
    t.deepEqual(sent.map((s) => s.baseOffset), ['0', '0', '0']);
    const offsets = await admin.fetchTopicOffsets('orders');
    t.deepEqual(offsets.map((o) => [o.partition, o.low, o.high]).sort(), [[0, '0', '10'], [1, '0', '10'], [2, '0', '10']]);

    const consumer = k.consumer({ groupId: 'g1' });
    await consumer.connect();
    await consumer.subscribe({ topic: 'orders', fromBeginning: true });
    const got: string[] = [];
    await new Promise<void>((resolve) => {
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          t.is(message.headers!['h']!.toString(), `x${message.key!.toString().slice(1)}`);
          got.push(`${partition}:${message.offset}:${message.value!.toString()}`);
          if (got.length === 30) resolve();
        },
      });
    });
    t.is(new Set(got).size, 30);
    t.true(got.includes('2:9:v2-9'));
    await consumer.disconnect();
    await producer.disconnect();
    await admin.deleteTopics({ topics: ['orders'] });
    t.false((await admin.listTopics()).includes('orders'));
    await admin.disconnect();
  });
});

test('an idempotent kafkajs producer gets dense offsets', async (t) => {
  await withBroker({}, async (b) => {
    const k = kafka(b.bootstrap);
    const producer = k.producer({ idempotent: true, maxInFlightRequests: 1 });
    await producer.connect();
    const admin = k.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'idem', numPartitions: 1 }] });
    for (let i = 0; i < 5; i++) await producer.send({ topic: 'idem', acks: -1, messages: [{ value: `a${i}` }, { value: `b${i}` }] });
    const [o] = await admin.fetchTopicOffsets('idem');
    t.is(o!.high, '10');
    await producer.disconnect();
    await admin.disconnect();
  });
});

test('topic configs: create with configs, describe, alter', async (t) => {
  await withBroker({}, async (b) => {
    const admin = kafka(b.bootstrap).admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'cfg', configEntries: [{ name: 'retention.ms', value: '1000' }] }] });
    const desc = async () => (await admin.describeConfigs({ resources: [{ type: 2, name: 'cfg' }], includeSynonyms: false })).resources[0]!.configEntries;
    const r1 = (await desc()).find((c) => c.configName === 'retention.ms')!;
    t.is(r1.configValue, '1000');
    t.false(r1.isDefault);
    t.is((await desc()).find((c) => c.configName === 'max.message.bytes')!.configValue, '1048588');
    await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'cfg', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }] });
    const after = await desc();
    t.is(after.find((c) => c.configName === 'cleanup.policy')!.configValue, 'compact');
    t.is(after.find((c) => c.configName === 'retention.ms')!.configValue, '604800000', 'AlterConfigs replaces the whole override set');
    await t.throwsAsync(admin.createTopics({ topics: [{ topic: 'bad', configEntries: [{ name: 'no.such.config', value: '1' }] }] }));
    await admin.createPartitions({ topicPartitions: [{ topic: 'cfg', count: 4 }] });
    t.is((await admin.fetchTopicMetadata({ topics: ['cfg'] })).topics[0]!.partitions.length, 4);
    await admin.disconnect();
  });
});

test('deleteTopicRecords moves the log start offset', async (t) => {
  await withBroker({}, async (b) => {
    const k = kafka(b.bootstrap);
    const admin = k.admin();
    await admin.connect();
    await admin.createTopics({ topics: [{ topic: 'dr' }] });
    const p = k.producer();
    await p.connect();
    await p.send({ topic: 'dr', messages: Array.from({ length: 10 }, (_, i) => ({ value: String(i) })) });
    // kafkajs looks the leader up in metadata it already has, as it would against Kafka.
    await admin.fetchTopicMetadata({ topics: ['dr'] });
    await admin.deleteTopicRecords({ topic: 'dr', partitions: [{ partition: 0, offset: '4' }] });
    const [o] = await admin.fetchTopicOffsets('dr');
    t.is(o!.low, '4');
    t.is(o!.high, '10');
    await p.disconnect();
    await admin.disconnect();
  });
});

test('a clean restart on the same log directory keeps topics, ids, offsets and records', async (t) => {
  const dir = tempDir(t, 'restart');
  const b1 = await startBroker({ storage: dir });
  const k1 = kafka(b1.bootstrap);
  const admin1 = k1.admin();
  await admin1.connect();
  await admin1.createTopics({ topics: [{ topic: 'kept', numPartitions: 2 }] });
  const id1 = b1.broker.metadata.topics.get('kept')!.topicId;
  await admin1.disconnect();
  const p = k1.producer();
  await p.connect();
  await p.send({ topic: 'kept', acks: -1, messages: Array.from({ length: 20 }, (_, i) => ({ partition: i % 2, value: `r${i}` })) });
  await p.disconnect();
  await b1.close();

  const b2 = await startBroker({ storage: dir });
  t.teardown(() => b2.close());
  t.is(b2.broker.metadata.topics.get('kept')!.topicId, id1);
  const k2 = kafka(b2.bootstrap);
  const admin2 = k2.admin();
  await admin2.connect();
  t.deepEqual((await admin2.fetchTopicOffsets('kept')).map((o) => o.high).sort(), ['10', '10']);
  await admin2.disconnect();
  const c = k2.consumer({ groupId: 'after-restart' });
  await c.connect();
  await c.subscribe({ topic: 'kept', fromBeginning: true });
  const values = new Set<string>();
  await c.run({ eachMessage: async ({ message }) => void values.add(message.value!.toString()) });
  await eventually(() => values.size === 20, 15000, 'all records');
  await c.disconnect();
  t.pass();
});

test('a deleted topic\'s directory waits renamed for file.delete.delay.ms; the topic can be made again meanwhile, and a restart removes what waited', async (t) => {
  const dir = tempDir(t, 'delete');
  const b1 = await startBroker({ storage: dir });
  const admin1 = kafka(b1.bootstrap).admin();
  await admin1.connect();
  const p = kafka(b1.bootstrap).producer();
  await p.connect();
  await admin1.createTopics({ topics: [{ topic: 'gone', numPartitions: 1 }] });
  await p.send({ topic: 'gone', acks: -1, messages: [{ value: 'old' }, { value: 'old' }] });
  await admin1.deleteTopics({ topics: ['gone'] });
  const waiting = fs.readdirSync(dir).filter((f) => f.endsWith('-delete'));
  t.is(waiting.length, 1, 'kept under a -delete name for the default 60 s');
  t.regex(waiting[0]!, /^gone-0\./);
  await admin1.createTopics({ topics: [{ topic: 'gone', numPartitions: 1 }] });
  await p.send({ topic: 'gone', acks: -1, messages: [{ value: 'new' }] });
  t.deepEqual((await admin1.fetchTopicOffsets('gone')).map((o) => o.high), ['1'], 'the topic made again starts empty');
  await p.disconnect();
  await admin1.disconnect();
  await b1.close();
  t.true(fs.existsSync(path.join(dir, waiting[0]!)), 'closing leaves it to the next start');

  const b2 = await startBroker({ storage: dir });
  t.teardown(() => b2.close());
  await eventually(() => !fs.existsSync(path.join(dir, waiting[0]!)), 5000, 'removed by the next start');
  const admin2 = kafka(b2.bootstrap).admin();
  await admin2.connect();
  t.deepEqual((await admin2.fetchTopicOffsets('gone')).map((o) => o.high), ['1']);
  await admin2.disconnect();
});
