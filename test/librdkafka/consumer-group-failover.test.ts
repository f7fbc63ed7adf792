// A KIP-848 group across a coordinator failover, with librdkafka 2.15.1's consumers on a
// 3-broker in-process cluster: the broker leading the group's __consumer_offsets partition
// stops; the next leader reads the group back from the log, and the members carry on at
// their epochs with the partitions they had: no rebalance, every record read.
import test from 'ava';
import { clusterWithAdmin, eventually } from '../support/helpers.js';
import { librdkafka, type RdConsumer } from '../support/librdkafka.js';
import { RawClient } from '../support/raw-client.js';

test('the group survives its coordinator stopping: same epoch, same partitions, every record read', async (t) => {
  const { c, admin } = await clusterWithAdmin(t, { brokers: 3, config: { 'offsets.topic.num.partitions': '3', 'group.consumer.heartbeat.interval.ms': '250' } });
  await admin.createTopics({ topics: [{ topic: 'failover', numPartitions: 6, replicationFactor: 3 }], waitForLeaders: true });
  const rd = librdkafka(c.bootstrap);
  const producer = rd.producer({ 'enable.idempotence': true });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const send = (prefix: string) => producer.send({ topic: 'failover', messages: Array.from({ length: 60 }, (_, i) => ({ partition: i % 6, value: `${prefix}${i}` })) });
  const reads = new Map<string, number>();
  const consumers: RdConsumer[] = [];
  for (const name of ['one', 'two']) {
    const consumer = rd.consumer({ 'group.id': 'survivors848', 'group.protocol': 'consumer', 'auto.offset.reset': 'earliest', 'client.id': name });
    await consumer.connect();
    await consumer.subscribe({ topics: ['failover'] });
    void consumer.run({ eachMessage: async ({ message }) => {
      reads.set(message.value!.toString(), (reads.get(message.value!.toString()) ?? 0) + 1);
    } });
    consumers.push(consumer);
  }
  t.teardown(async () => {
    for (const consumer of consumers) await consumer.disconnect().catch(() => undefined);
  });
  const owned = () => consumers.map((x) => x.assignment().map((a) => a.partition).sort((p, q) => p - q));
  await eventually(() => owned().every((ps) => ps.length === 3), 30_000, 'the two split the topic');
  await send('a');
  await eventually(() => reads.size === 60, 30_000);

  const raw = await RawClient.connect(c.brokers[0]!.port);
  const coordinator = (await raw.request(10, 3, { key: 'survivors848', keyType: 0 })).nodeId!;
  raw.close();
  const describeOn = async (broker: number) => {
    const client = await RawClient.connect(c.brokers[broker]!.port);
    try {
      return (await client.request(69, 1, { groupIds: ['survivors848'], includeAuthorizedOperations: false })).groups[0]!;
    } finally {
      client.close();
    }
  };
  const before = await describeOn(coordinator);
  t.is(before.groupState, 'Stable');
  const split = owned();

  await c.stop(coordinator);
  const survivor = [0, 1, 2].find((b) => b !== coordinator)!;
  const other = await RawClient.connect(c.brokers[survivor]!.port);
  t.teardown(() => other.close());
  await eventually(async () => ((await other.request(10, 3, { key: 'survivors848', keyType: 0 })).nodeId ?? -1) >= 0, 30_000, 'a new coordinator');
  const moved = (await other.request(10, 3, { key: 'survivors848', keyType: 0 })).nodeId!;
  t.not(moved, coordinator);
  await send('b');
  await eventually(() => reads.size === 120, 30_000, 'the members read on after the failover');
  const after = await describeOn(moved);
  t.like(after, { errorCode: 0, groupEpoch: before.groupEpoch }, 'the new coordinator knows the group at its epoch: no rebalance');
  t.deepEqual(after.members.map((m) => m.memberEpoch), before.members.map((m) => m.memberEpoch));
  t.deepEqual(owned(), split, 'each member kept its partitions');
});
