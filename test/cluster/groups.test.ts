// Consumer groups on a cluster: the coordinator is the leader of the group's
// __consumer_offsets partition; when that broker stops, the group moves to the new
// leader with its committed offsets, and the consumers carry on.
import test from 'ava';
import { clusterWithAdmin, eventually, sleep } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

test('the group coordinator fails over with the offsets partition and the group resumes from its commits', async (t) => {
  const { c, k, admin } = await clusterWithAdmin(t, { brokers: 3, config: { 'offsets.topic.num.partitions': '3' } });
  await admin.createTopics({ topics: [{ topic: 'grouped', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
  const producer = k.producer({ idempotent: true });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const produce = async (from: number, n: number) => {
    for (let i = from; i < from + n; i++) await producer.send({ topic: 'grouped', acks: -1, messages: [{ value: `g${i}`, partition: i % 3 }] });
  };
  await produce(0, 30);

  const seen: string[] = [];
  const consumer = k.consumer({ groupId: 'survivors', maxWaitTimeInMs: 100, heartbeatInterval: 500, sessionTimeout: 6000 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'grouped', fromBeginning: true });
  void consumer.run({ autoCommitInterval: 100, eachMessage: async ({ message }) => { seen.push(message.value!.toString()); } });
  const waitFor = (n: number) => eventually(() => new Set(seen).size >= n, 30_000, `${n} distinct records`);
  await waitFor(30);
  t.is(new Set(seen).size, 30);

  const raw = await RawClient.connect(c.brokers[0]!.port);
  const coordinatorOf = async () => (await raw.request(10, 3, { key: 'survivors', keyType: 0 })).nodeId!;
  const coordinator = await coordinatorOf();
  const rawOn = coordinator === 0 ? await RawClient.connect(c.brokers[1]!.port) : raw;
  if (rawOn !== raw) raw.close();
  t.teardown(() => rawOn.close());
  // Offsets are committed (and replicated) before the coordinator goes.
  await sleep(500);
  // kafkajs gives up on the stopped broker after its retries, restarts the consumer and
  // joins as a new member, so the group waits out the old member's session timeout.
  await c.stop(coordinator);
  await produce(30, 30);
  await waitFor(60);
  t.is(new Set(seen).size, 60, 'the consumer carried on after its coordinator stopped');
  const moved = (await rawOn.request(10, 3, { key: 'survivors', keyType: 0 })).nodeId!;
  t.not(moved, coordinator);
  t.true(moved >= 0);
  await consumer.disconnect();

  // A new member of the group starts from the committed offsets, not from the beginning.
  await produce(60, 3);
  const later: string[] = [];
  const second = k.consumer({ groupId: 'survivors', maxWaitTimeInMs: 100 });
  await second.connect();
  await second.subscribe({ topic: 'grouped', fromBeginning: true });
  void second.run({ eachMessage: async ({ message }) => { later.push(message.value!.toString()); } });
  await eventually(() => later.length >= 3, 30_000, 'the new member to read');
  await sleep(300);
  await second.disconnect();
  t.deepEqual(later.sort(), ['g60', 'g61', 'g62']);
});
