// The test kit in a 3-broker cluster: faults are shared and a fault may name the broker
// it applies to; the trace gathers every broker's; reset clears the whole cluster.
import test from 'ava';
import { clusterWithAdmin, eventually, partitionsOf } from '../support/helpers.js';

test('a fault on the leader of a partition: kafkajs retries through it; the trace says which broker answered; reset clears the cluster', async (t) => {
  const { c, k, admin } = await clusterWithAdmin(t, { brokers: 3 });
  await admin.createTopics({ topics: [{ topic: 'ck', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
  const [p0] = await partitionsOf(admin, 'ck');
  c.addFault({ api: 'Produce', broker: p0!.leader, error: 'NOT_LEADER_OR_FOLLOWER', count: 2 });
  const follower = p0!.replicas.find((r) => r !== p0!.leader)!;
  c.addFault({ api: 'Produce', broker: follower, error: 'INVALID_REQUEST', count: -1 });
  const producer = k.producer({ retry: { retries: 5, initialRetryTime: 20 } });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: 'ck', messages: [{ value: 'v' }] });
  const produced = c.trace({ api: 'Produce' });
  t.deepEqual(produced.map((e) => [e.broker, e.fault?.error ?? null]), [[p0!.leader, 'NOT_LEADER_OR_FOLLOWER'], [p0!.leader, 'NOT_LEADER_OR_FOLLOWER'], [p0!.leader, null]]);
  t.like(c.faults(), [{ broker: follower, error: 'INVALID_REQUEST', remaining: -1 }], 'the leader\'s fault is spent; the follower\'s never matched');
  const reset = await c.reset();
  t.deepEqual(reset.topics, ['ck']);
  t.deepEqual(c.faults(), []);
  t.deepEqual(c.trace({ api: 'Produce' }), []);
});

test('over the cluster\'s HTTP plane: brokers stopped and started, a clean leader move, a round-trip time; bad input is 400 or 404', async (t) => {
  const { c, k, admin } = await clusterWithAdmin(t, { brokers: 3, http: true });
  const call = async (method: string, route: string, body?: unknown) => {
    const res = await fetch(c.http! + route, { method, body: body === undefined ? undefined : JSON.stringify(body) });
    return res.status;
  };
  await admin.createTopics({ topics: [{ topic: 'mv', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
  const [p0] = await partitionsOf(admin, 'mv');
  const target = p0!.isr.find((r) => r !== p0!.leader)!;
  t.is(await call('POST', '/v1/partitions/mv/0/leader', { broker: target }), 204);
  const [moved] = await partitionsOf(admin, 'mv');
  t.is(moved!.leader, target);
  const producer = k.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: 'mv', acks: -1, messages: [{ value: 'after the move' }] });
  t.is(await call('POST', '/v1/partitions/mv/0/leader', { broker: 7 }), 409, 'not a replica');
  t.is(await call('POST', '/v1/partitions/mv/0/leader', { leader: 1 }), 400);
  t.is(await call('POST', '/v1/partitions/nope/0/leader', { broker: 0 }), 409);

  t.is(await call('POST', `/v1/brokers/${target}/rtt`, { rttMs: 150 }), 204);
  await producer.send({ topic: 'mv', acks: -1, messages: [{ value: 'slow' }] });
  const slow = c.trace({ api: 'Produce' }).filter((e) => e.broker === target).at(-1)!;
  t.true(slow.durationMs >= 149, `the answer waited out the round-trip time (${slow.durationMs} ms)`);
  t.is(await call('POST', `/v1/brokers/${target}/rtt`, { rttMs: 0 }), 204);

  const other = [0, 1, 2].find((id) => id !== target)!;
  t.is(await call('POST', `/v1/brokers/${other}/stop`), 204);
  t.is(c.brokers.find((b) => b.id === other)!.broker, null);
  t.is(await call('POST', `/v1/brokers/${other}/start`), 204);
  t.not(c.brokers.find((b) => b.id === other)!.broker, null);
  t.is(await call('POST', '/v1/brokers/9/stop'), 404);
  t.is(await call('POST', '/v1/brokers/0/explode'), 404);
  t.is(await call('POST', '/v1/network/partition', { groups: [[0, 1], [1, 2]] }), 400, 'a broker in two groups');
  t.is(await call('POST', '/v1/network/partition', { groups: [[0, 1, 2]] }), 400, 'one group is no split');
});

test('a network split isolating a partition\'s leader: acks=all fails once the ISR shrinks below min.insync.replicas; after the heal nothing acknowledged is lost', async (t) => {
  const { c, k, admin } = await clusterWithAdmin(t, { brokers: 3, config: { 'replica.lag.time.max.ms': '1000', 'min.insync.replicas': '2' } });
  await admin.createTopics({ topics: [{ topic: 'split', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
  const [p0] = await partitionsOf(admin, 'split');
  const leader = p0!.leader;
  const producer = k.producer({ retry: { retries: 0 } });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const acked: string[] = [];
  const send = async (value: string) => {
    await producer.send({ topic: 'split', acks: -1, timeout: 2000, messages: [{ value }] });
    acked.push(value);
  };
  await send('before');
  c.splitNetwork([[leader], [0, 1, 2].filter((id) => id !== leader)]);
  let refused: unknown = null;
  for (let i = 0; i < 40 && refused === null; i++) {
    await send(`during-${i}`).catch((e: unknown) => { refused = e; });
    await new Promise((r) => setTimeout(r, 100));
  }
  t.regex(String((refused as Error | null)?.message), /in-sync replicas|NOT_ENOUGH_REPLICAS|timed out|Request timed out/i, 'the isolated leader cannot meet min.insync.replicas');
  c.healNetwork();
  await eventually(async () => {
    const [p] = await partitionsOf(admin, 'split');
    return p!.isr.length === 3;
  }, 20_000, 'the followers back in the ISR');
  await send('after');
  const seen = new Set<string>();
  const consumer = k.consumer({ groupId: 'split-reader', maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'split', fromBeginning: true });
  void consumer.run({ eachMessage: async ({ message }) => { seen.add(message.value!.toString()); } });
  await eventually(() => acked.every((v) => seen.has(v)), 15_000, 'every acknowledged record');
  t.true(acked.length >= 2 && acked.every((v) => seen.has(v)), `${acked.length} acknowledged records read back`);
});
