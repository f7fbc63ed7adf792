// librdkafka 2.15.1's admin client (@confluentinc/kafka-javascript's KafkaJS-style API)
// on what Kafka 4 added: ListGroups filtered by group type (KIP-848), DescribeConsumerGroups
// of a consumer group (ConsumerGroupDescribe: assignment and target), and DescribeTopics
// with topic ids. The broker's trace shows which APIs it used.
import test from 'ava';
import { startBroker } from '../../src/index.js';
import { eventually, kafka } from '../support/helpers.js';
import { librdkafka, librdkafkaModule } from '../support/librdkafka.js';

test('ListGroups by type, a KIP-848 group described through ConsumerGroupDescribe, topics described with their ids', async (t) => {
  const b = await startBroker({ config: { 'group.consumer.heartbeat.interval.ms': '250', 'group.initial.rebalance.delay.ms': '0' } });
  t.teardown(() => b.close());
  const rd = librdkafka(b.bootstrap);
  const admin = rd.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'described', numPartitions: 2 }] });

  const modern = rd.consumer({ 'group.id': 'modern-group', 'group.protocol': 'consumer', 'auto.offset.reset': 'earliest' });
  await modern.connect();
  t.teardown(() => modern.disconnect());
  await modern.subscribe({ topics: ['described'] });
  void modern.run({ eachMessage: async () => undefined });
  const classic = kafka(b.bootstrap).consumer({ groupId: 'classic-group', heartbeatInterval: 300 });
  await classic.connect();
  t.teardown(() => classic.disconnect());
  await classic.subscribe({ topic: 'described' });
  void classic.run({ eachMessage: async () => undefined });
  await eventually(() => modern.assignment().length === 2, 20_000, 'the consumer-protocol member is assigned');

  const { CONSUMER, CLASSIC } = librdkafkaModule().KafkaJS.ConsumerGroupTypes;
  const byType = async (type: number) => (await admin.listGroups({ matchConsumerGroupTypes: [type] })).groups.map((g) => g.groupId).sort();
  await eventually(async () => (await byType(CLASSIC)).includes('classic-group'), 20_000, 'the classic group listed');
  t.deepEqual(await byType(CONSUMER), ['modern-group']);
  t.false((await byType(CLASSIC)).includes('modern-group'));

  const [described] = (await admin.describeGroups(['modern-group'])).groups;
  t.like(described, { groupId: 'modern-group', type: CONSUMER, partitionAssignor: 'uniform' });
  t.deepEqual(described!.members[0]!.targetAssignment?.topicPartitions.map((p) => p.partition).sort(), [0, 1], 'the target, which only ConsumerGroupDescribe carries');
  t.true(b.trace({ api: 'ConsumerGroupDescribe' }).length > 0, 'asked with ConsumerGroupDescribe');

  const [topic] = await admin.fetchTopicMetadata({ topics: ['described'] });
  const ours = b.broker.metadata.topics.get('described')!.topicId;
  t.is(Buffer.from(topic!.topicId.base64, 'base64').toString('hex'), ours, 'the topic id Krill gave it');
  t.is(topic!.partitions.length, 2);
});
