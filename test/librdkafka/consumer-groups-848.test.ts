// librdkafka 2.15.1's consumer with group.protocol=consumer (KIP-848, GA in librdkafka
// 2.12), unmodified, against an in-process broker: members split a topic and read every
// record once, a member joining or leaving moves partitions without stopping the others,
// a regex subscription picks up a topic created later, and a static member that comes
// back finds its partitions without a rebalance.
import test, { type ExecutionContext } from 'ava';
import { startBroker } from '../../src/index.js';
import { eventually, kafka } from '../support/helpers.js';
import { librdkafka, type RdConsumer } from '../support/librdkafka.js';
import { RawClient } from '../support/raw-client.js';

async function setup(t: ExecutionContext, topics: Array<{ topic: string; numPartitions: number }>) {
  const b = await startBroker({ config: { 'group.consumer.heartbeat.interval.ms': '250' } });
  t.teardown(() => b.close());
  const admin = kafka(b.bootstrap).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics });
  const rd = librdkafka(b.bootstrap);
  const producer = rd.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const send = (topic: string, prefix: string, partitions: number) => producer.send({ topic, messages: Array.from({ length: 10 * partitions }, (_, i) => ({ partition: i % partitions, value: `${prefix}${i}` })) });
  /** Who read each value. */
  const reads = new Map<string, string[]>();
  const consumers: RdConsumer[] = [];
  const join = async (name: string, subscription: Array<string | RegExp>, extra: Record<string, unknown> = {}) => {
    const c = rd.consumer({ 'group.id': 'rd848', 'group.protocol': 'consumer', 'auto.offset.reset': 'earliest', 'client.id': name, ...extra });
    await c.connect();
    await c.subscribe({ topics: subscription });
    void c.run({ eachMessage: async ({ message }) => {
      const v = message.value!.toString();
      reads.set(v, [...(reads.get(v) ?? []), name]);
    } });
    consumers.push(c);
    return c;
  };
  t.teardown(async () => {
    for (const c of consumers) await c.disconnect().catch(() => undefined);
  });
  return { b, admin, rd, send, reads, join };
}

const partitionsOf = (c: RdConsumer) => c.assignment().map((a) => a.partition).sort((x, y) => x - y);
const readOnce = (reads: Map<string, string[]>, prefix: string) => [...reads].filter(([v]) => v.startsWith(prefix)).every(([, who]) => who.length === 1);

test('members split a topic and read each record once; joining and leaving move partitions', async (t) => {
  const { send, reads, join } = await setup(t, [{ topic: 'orders', numPartitions: 6 }]);
  await send('orders', 'a', 6);
  const one = await join('one', ['orders']);
  await eventually(() => reads.size === 60, 20_000, 'the first member reads everything');
  const two = await join('two', ['orders']);
  await eventually(() => partitionsOf(one).length === 3 && partitionsOf(two).length === 3, 20_000, 'the two split the topic');
  t.deepEqual([...partitionsOf(one), ...partitionsOf(two)].sort(), [0, 1, 2, 3, 4, 5]);
  await send('orders', 'b', 6);
  await eventually(() => reads.size === 120, 20_000, 'both read what came next');
  t.true(readOnce(reads, 'a') && readOnce(reads, 'b'), 'every record read once, across the handover');
  await two.disconnect();
  await eventually(() => partitionsOf(one).length === 6, 20_000, 'the one left takes all');
  await send('orders', 'c', 6);
  await eventually(() => reads.size === 180, 20_000);
  t.true([...reads].filter(([v]) => v.startsWith('c')).every(([, who]) => who.join() === 'one'));
});

test('a regex subscription picks up a topic created after the member joined', async (t) => {
  const { admin, send, reads, join } = await setup(t, [{ topic: 'metrics-cpu', numPartitions: 2 }, { topic: 'other', numPartitions: 1 }]);
  await send('metrics-cpu', 'cpu', 2);
  await send('other', 'other', 1);
  const c = await join('regex', [/^metrics-.*/]);
  await eventually(() => reads.size === 20, 20_000, 'the matching topic is read');
  await admin.createTopics({ topics: [{ topic: 'metrics-disk', numPartitions: 2 }] });
  await send('metrics-disk', 'disk', 2);
  await eventually(() => reads.size === 40, 30_000, 'the topic created later is read too');
  t.false([...reads.keys()].some((v) => v.startsWith('other')), 'a topic the pattern does not match is not');
  t.deepEqual(c.assignment().map((a) => a.topic).sort(), ['metrics-cpu', 'metrics-cpu', 'metrics-disk', 'metrics-disk']);
});

test('a static member that restarts gets its partitions back without a rebalance', async (t) => {
  const { b, reads, join } = await setup(t, [{ topic: 'static', numPartitions: 4 }]);
  const a = await join('a', ['static'], { 'group.instance.id': 'instance-a' });
  await join('b', ['static'], { 'group.instance.id': 'instance-b' });
  await eventually(() => partitionsOf(a).length === 2, 20_000);
  const before = partitionsOf(a);
  const raw = await RawClient.connect(b.port);
  t.teardown(() => raw.close());
  const describe = async () => (await raw.request(69, 1, { groupIds: ['rd848'], includeAuthorizedOperations: false })).groups[0]!;
  await eventually(async () => (await describe()).groupState === 'Stable', 20_000);
  const epoch = (await describe()).groupEpoch;
  await a.disconnect();
  const again = await join('a-again', ['static'], { 'group.instance.id': 'instance-a' });
  await eventually(() => partitionsOf(again).length === 2, 20_000);
  t.deepEqual(partitionsOf(again), before, 'the same partitions');
  t.is((await describe()).groupEpoch, epoch, 'no new group epoch: no rebalance');
  t.is(reads.size, 0);
});
