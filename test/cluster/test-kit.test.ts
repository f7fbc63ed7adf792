// The test kit in a 3-broker cluster: faults are shared and a fault may name the broker
// it applies to; the trace gathers every broker's; reset clears the whole cluster.
import test from 'ava';
import { clusterWithAdmin, partitionsOf } from '../support/helpers.js';

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
