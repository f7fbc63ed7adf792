// Partition reassignment in a 3-broker cluster: a partition moved from brokers {0,1} to
// {1,2} under acks=all produce load loses nothing; the move waits for the new replica,
// shows in ListPartitionReassignments meanwhile and can be cancelled; bad requests get
// Kafka's errors. Driven by kafkajs's admin client, bad input hand-framed.
import test from 'ava';
import type { IResourceConfig } from 'kafkajs';
import { ErrorCode } from '../../src/protocol/errors.js';
import { clusterWithAdmin, eventually, kafka, partitionsOf, readEverything } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

test('a partition moved from {0,1} to {1,2} under acks=all load: every acknowledged record kept, once; the old replica deleted', async (t) => {
  const { c, admin } = await clusterWithAdmin(t, { brokers: 3, config: { 'min.insync.replicas': '2' } });
  await admin.createTopics({ topics: [{ topic: 'moving', replicaAssignment: [{ partition: 0, replicas: [0, 1] }] }], waitForLeaders: true });
  const producer = kafka(c.bootstrap, 'mover').producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const acked: string[] = [];
  let stop = false;
  t.teardown(() => {
    stop = true;
  });
  const load = (async () => {
    for (let i = 0; !stop; i++) {
      await producer.send({ topic: 'moving', acks: -1, messages: [{ value: `v${i}` }] });
      acked.push(`v${i}`);
    }
  })();
  // A failed send ends the load; the test then fails on what it finds.
  const loadFailure = load.then(() => null, (e: Error) => e);
  await eventually(() => acked.length >= 50, 20_000, 'load under way');

  // Broker 2 does not fetch yet: the move must wait for it, and is listed meanwhile.
  const newcomer = c.brokers.find((b) => b.id === 2)!.broker!;
  newcomer.replicas.replicationPaused = true;
  await admin.alterPartitionReassignments({ topics: [{ topic: 'moving', partitionAssignment: [{ partition: 0, replicas: [1, 2] }] }] });
  // kafkajs hands the answer on as decoded (its typings name other fields).
  const ongoing = (await admin.listPartitionReassignments({})) as unknown as { topics: Array<{ name: string; partitions: unknown[] }> };
  t.deepEqual(ongoing.topics, [{ name: 'moving', partitions: [{ partition: 0, replicas: [1, 2, 0], addingReplicas: [2], removingReplicas: [0] }] }]);
  await eventually(() => acked.length >= 150, 20_000, 'load goes on while the move waits');
  newcomer.replicas.replicationPaused = false;

  await eventually(async () => (await admin.listPartitionReassignments({})).topics.length === 0, 30_000, 'the move completes');
  stop = true;
  t.is(await loadFailure, null, 'no send failed');
  const [state] = await partitionsOf(admin, 'moving');
  t.deepEqual([state!.replicas, [...state!.isr].sort()], [[1, 2], [1, 2]]);
  t.true([1, 2].includes(state!.leader), `leader ${state!.leader}`);
  await eventually(() => c.brokers.find((b) => b.id === 0)!.broker!.replicas.partition('moving', 0) === undefined, 10_000, 'broker 0 let go of its replica');

  const read = (await readEverything(c.bootstrap, 'moving', acked.length)).get(0)!.map(([, v]) => v);
  t.deepEqual(read.slice(0, acked.length), acked, 'every acknowledged record, in order, once');
  t.log(`${acked.length} records produced with acks=all across the move`);
});

test('a pending move is cancelled back; bad targets, unknown partitions and replication factor changes are refused as Kafka refuses them', async (t) => {
  const { c, admin } = await clusterWithAdmin(t, { brokers: 3 });
  await admin.createTopics({ topics: [{ topic: 'stay', replicaAssignment: [{ partition: 0, replicas: [0, 1] }] }], waitForLeaders: true });
  const raw = await RawClient.connect(c.brokers[0]!.port);
  t.teardown(() => raw.close());
  const alter = async (topics: Array<{ name: string; partitions: Array<{ partitionIndex: number; replicas: number[] | null }> }>, version = 0, allowReplicationFactorChange = true) =>
    (await raw.request(45, version, { timeoutMs: 30_000, allowReplicationFactorChange, topics })).responses.flatMap((r) => r.partitions.map((p) => [r.name, p.partitionIndex, p.errorCode, p.errorMessage]));

  t.deepEqual(await alter([{ name: 'stay', partitions: [{ partitionIndex: 0, replicas: null }] }]), [['stay', 0, ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, 'No partition reassignment is in progress.']]);
  t.deepEqual(await alter([
    { name: 'stay', partitions: [{ partitionIndex: 0, replicas: [1, 7] }, { partitionIndex: 3, replicas: [1] }, { partitionIndex: 0, replicas: [] }] },
    { name: 'nope', partitions: [{ partitionIndex: 0, replicas: [0] }] },
  ]), [
    ['stay', 0, ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes broker 7, but no such broker is registered.'],
    ['stay', 3, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'Unable to find partition stay:3.'],
    ['stay', 0, ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'The manual partition assignment includes an empty replica list.'],
    ['nope', 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'Unable to find a topic named nope.'],
  ]);
  t.deepEqual(await alter([{ name: 'stay', partitions: [{ partitionIndex: 0, replicas: [0, 1, 2] }] }], 1, false),
    [['stay', 0, ErrorCode.INVALID_REPLICATION_FACTOR, 'The replication factor is changed from 2 to 3']]);

  c.brokers.find((b) => b.id === 2)!.broker!.replicas.replicationPaused = true;
  t.deepEqual(await alter([{ name: 'stay', partitions: [{ partitionIndex: 0, replicas: [2, 0] }] }], 1, false), [['stay', 0, ErrorCode.NONE, null]]);
  const listed = await raw.request(46, 0, { timeoutMs: 30_000, topics: [{ name: 'stay', partitionIndexes: [0, 5] }, { name: 'nope', partitionIndexes: [0] }] });
  t.deepEqual(listed.topics, [{ name: 'stay', partitions: [{ partitionIndex: 0, replicas: [2, 0, 1], addingReplicas: [2], removingReplicas: [1] }] }]);
  t.deepEqual(await alter([{ name: 'stay', partitions: [{ partitionIndex: 0, replicas: null }] }]), [['stay', 0, ErrorCode.NONE, null]]);
  t.deepEqual((await raw.request(46, 0, { timeoutMs: 30_000, topics: null })).topics, []);
  const [state] = await partitionsOf(admin, 'stay');
  t.deepEqual([...state!.replicas].sort(), [0, 1], 'back on its brokers');
  t.deepEqual(c.brokers.find((b) => b.id === 2)!.broker!.replicas.partition('stay', 0), undefined, 'the replica it was adding is gone');
});

test('a move throttled by leader/follower.replication.throttled.rate copies no faster than the rate, and completes whole', async (t) => {
  // Small follower fetches (replica.fetch.max.bytes), as the throttle acts between fetches: a move of less than one fetch is one fetch.
  const { c, admin } = await clusterWithAdmin(t, { brokers: 2, config: { 'replication.quota.window.num': '3', 'replica.fetch.max.bytes': '20000' } });
  await admin.createTopics({ topics: [{ topic: 'heavy', replicaAssignment: [{ partition: 0, replicas: [0] }] }], waitForLeaders: true });
  const producer = kafka(c.bootstrap).producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const count = 60;
  for (let i = 0; i < count; i++) await producer.send({ topic: 'heavy', messages: [{ value: `${i}`.padEnd(10_000, '.') }] });
  const rate = 100_000;
  // As kafka-reassign-partitions.sh --throttle sets them: the rates on the brokers, the replicas on the topic.
  // (kafkajs's ConfigResourceTypes.TOPIC is 2; the cluster-wide broker default is hand-framed: kafkajs refuses the empty name.)
  const topicConfigs = [{ type: 2, name: 'heavy', configEntries: [{ name: 'leader.replication.throttled.replicas', value: '0:0' }, { name: 'follower.replication.throttled.replicas', value: '0:1' }] }] as IResourceConfig[];
  await admin.alterConfigs({ validateOnly: false, resources: topicConfigs });
  const raw = await RawClient.connect(c.brokers[0]!.port);
  t.teardown(() => raw.close());
  const set = (name: string) => ({ name, configOperation: 0, value: String(rate) });
  const r = await raw.request(44, 1, { resources: [{ resourceType: 4, resourceName: '', configs: [set('leader.replication.throttled.rate'), set('follower.replication.throttled.rate')] }], validateOnly: false });
  t.is(r.responses[0]!.errorCode, ErrorCode.NONE);
  const started = Date.now();
  await admin.alterPartitionReassignments({ topics: [{ topic: 'heavy', partitionAssignment: [{ partition: 0, replicas: [1] }] }] });
  await eventually(async () => (await admin.listPartitionReassignments({})).topics.length === 0, 60_000, 'the move completes');
  const secs = (Date.now() - started) / 1000;
  // 600 KB at 100 KB/s over a rate spanning at least 2 s: the first 200 KB at once, the rest at the rate.
  const floor = (count * 10_000 - 2 * rate) / rate;
  t.true(secs >= floor * 0.9, `moved ${count * 10_000} bytes in ${secs} s; at least ${floor} s at ${rate} B/s`);
  const [state] = await partitionsOf(admin, 'heavy');
  t.deepEqual([state!.replicas, state!.leader], [[1], 1]);
  const read = (await readEverything(c.bootstrap, 'heavy', count)).get(0)!.map(([, v]) => Number.parseInt(v, 10));
  t.deepEqual(read, Array.from({ length: count }, (_, i) => i), 'every record on the new replica');
  t.log(`throttled move of ${count * 10_000} bytes took ${secs.toFixed(1)} s`);
});
