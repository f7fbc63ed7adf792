// A 3-broker in-process cluster driven by kafkajs: placement, replication with acks=all,
// leader failover with no acknowledged record lost, catch-up and ISR rejoin, controller
// failover, min.insync.replicas and the ISR shrinking around a lagging follower; each with
// the brokers' logs in memory (the cluster's default) and in log directories.
import test, { type ExecutionContext } from 'ava';
import { ErrorCode, type RunningCluster } from '../../src/index.js';
import { decodeRecords } from '../../src/protocol/records/records.js';
import { clusterWithAdmin, eventually, partitionsOf, readEverything, sleep } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

/** The Kafka error name kafkajs reports, however deep it wrapped it. */
function errorType(e: unknown): string | undefined {
  for (let x = e as { type?: string; cause?: unknown } | undefined; x; x = x.cause as typeof x) if (x.type) return x.type;
  return undefined;
}

/** Declares the test twice: brokers keeping their logs in memory (the default) and in log directories. */
function clusterTest(title: string, body: (t: ExecutionContext, storage: 'memory' | 'disk') => Promise<void>): void {
  for (const storage of ['memory', 'disk'] as const) test(`${title} (${storage})`, (t) => body(t, storage));
}

function logEnd(c: RunningCluster, id: number, topic: string, partition: number): number {
  return c.brokers[id]!.broker?.replicas.partition(topic, partition)?.log.logEndOffset ?? -1;
}

clusterTest('6 partitions x RF 3 on 3 brokers: two leaders each, acks=all replicates to every broker', async (t, storage) => {
  const { c, k, admin } = await clusterWithAdmin(t, { storage, brokers: 3 });
  t.true(await admin.createTopics({ topics: [{ topic: 'spread', numPartitions: 6, replicationFactor: 3 }], waitForLeaders: true }));
  const parts = await partitionsOf(admin, 'spread');
  const leadersPer = new Map<number, number>();
  for (const p of parts) {
    leadersPer.set(p.leader, (leadersPer.get(p.leader) ?? 0) + 1);
    t.is(new Set(p.replicas).size, 3);
    t.deepEqual([...p.isr].sort(), [0, 1, 2]);
  }
  t.deepEqual([...leadersPer.values()], [2, 2, 2]);

  const producer = k.producer({ idempotent: true });
  await producer.connect();
  for (let i = 0; i < 30; i++) {
    await producer.send({ topic: 'spread', acks: -1, messages: Array.from({ length: 10 }, (_, j) => ({ key: `k${i * 10 + j}`, value: `v${i * 10 + j}` })) });
  }
  await producer.disconnect();
  // acks=all: by the time the sends returned, every ISR member holds every record.
  for (let p = 0; p < 6; p++) {
    const ends = [0, 1, 2].map((id) => logEnd(c, id, 'spread', p));
    t.true(ends.every((e) => e === ends[0]), `partition ${p} log ends ${ends.join(',')}`);
  }
  const total = [0, 1, 2, 3, 4, 5].reduce((n, p) => n + logEnd(c, 0, 'spread', p), 0);
  t.is(total, 300);
});

clusterTest('failover: leaders move when a broker stops, clients carry on, nothing acknowledged is lost; the broker rejoins; the controller moves', async (t, storage) => {
  const { c, k, admin } = await clusterWithAdmin(t, { storage, brokers: 3 });
  await admin.createTopics({ topics: [{ topic: 'failover', numPartitions: 6, replicationFactor: 3 }], waitForLeaders: true });
  const producer = k.producer({ idempotent: true, retry: { retries: 20, initialRetryTime: 50 } });
  await producer.connect();
  const acked = new Map<number, string[]>();
  let seq = 0;
  // kafkajs drops, without an error, the partitions of a send whose leader moved to a broker
  // that had already answered that send (sendMessages skips brokers with a response): only
  // partitions in the response count as acknowledged, and the others are sent again.
  const send = async (rounds: number) => {
    for (let r = 0; r < rounds; r++) {
      let pending = Array.from({ length: 6 }, (_, i) => ({ partition: i, value: `m${seq++}` }));
      while (pending.length > 0) {
        const res = await producer.send({ topic: 'failover', acks: -1, messages: pending });
        const answered = new Set(res.filter((m) => m.errorCode === 0).map((m) => m.partition));
        for (const m of pending.filter((x) => answered.has(x.partition))) {
          if (!acked.has(m.partition)) acked.set(m.partition, []);
          acked.get(m.partition)!.push(m.value);
        }
        pending = pending.filter((x) => !answered.has(x.partition));
      }
    }
  };
  await send(20);

  const before = await partitionsOf(admin, 'failover');
  const victim = before[0]!.leader;
  await c.stop(victim);
  await send(20);
  const during = await partitionsOf(admin, 'failover');
  for (const p of during) {
    t.not(p.leader, victim, `partition ${p.partitionId} moved off the stopped broker`);
    t.false(p.isr.includes(victim));
  }
  const moved = before.filter((p) => p.leader === victim);
  for (const p of moved) t.true(during[p.partitionId]!.leader >= 0);

  await c.restart(victim);
  await send(10);
  const rejoined = async () => (await partitionsOf(admin, 'failover')).every((p) => p.isr.length === 3);
  await eventually(rejoined, 10000, 'rejoined');
  t.true(await rejoined(), 'the restarted broker caught up and is back in every ISR');
  for (let p = 0; p < 6; p++) t.is(logEnd(c, victim, 'failover', p), logEnd(c, during[p]!.leader, 'failover', p));

  const controller = c.controllerId();
  t.true(controller >= 0);
  await c.stop(controller);
  await eventually(() => c.controllerId() !== controller && c.controllerId() >= 0, 5000, 'a new controller');
  t.not(c.controllerId(), controller, 'another broker took over as controller');
  t.true(c.controllerId() >= 0);
  await send(10);
  await producer.disconnect();

  const total = [...acked.values()].reduce((n, v) => n + v.length, 0);
  const read = await readEverything(c.bootstrap, 'failover', total);
  for (const [p, values] of acked) t.deepEqual(read.get(p)?.map(([, v]) => v), values, `partition ${p}: every acknowledged record once, in order`);
});

clusterTest('min.insync.replicas=2: with two brokers down acks=all gets NOT_ENOUGH_REPLICAS and acks=1 still works', async (t, storage) => {
  const { c, k, admin } = await clusterWithAdmin(t, { storage, brokers: 3 });
  await admin.createTopics({ topics: [{ topic: 'minisr', numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true });
  const producer = k.producer({ retry: { retries: 0 } });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: 'minisr', acks: -1, messages: [{ value: 'all three' }] });
  const [p] = await partitionsOf(admin, 'minisr');
  const others = [0, 1, 2].filter((id) => id !== p!.leader);
  for (const id of others) await c.stop(id);
  const err = await t.throwsAsync(producer.send({ topic: 'minisr', acks: -1, messages: [{ value: 'refused' }] }));
  t.is(errorType(err), 'NOT_ENOUGH_REPLICAS');
  const ok = await producer.send({ topic: 'minisr', acks: 1, messages: [{ value: 'leader only' }] });
  t.is(ok[0]!.errorCode, 0);
  t.is(logEnd(c, p!.leader, 'minisr', 0), 2);
});

clusterTest('a follower that stops fetching leaves the ISR after replica.lag.time.max.ms and rejoins once caught up', async (t, storage) => {
  const { c, k, admin } = await clusterWithAdmin(t, { storage, brokers: 3, config: { 'replica.lag.time.max.ms': '1000' } });
  await admin.createTopics({ topics: [{ topic: 'lag', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
  const [p] = await partitionsOf(admin, 'lag');
  const follower = p!.replicas.find((r) => r !== p!.leader)!;
  c.pauseReplication(follower);
  const producer = k.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  // acks=all waits for the stalled follower (which never reports its progress) until the
  // leader drops it from the ISR: the produce can only complete after the shrink.
  await producer.send({ topic: 'lag', acks: -1, timeout: 10_000, messages: [{ value: 'while stalled' }] });
  const shrunk = await partitionsOf(admin, 'lag');
  t.false(shrunk[0]!.isr.includes(follower));
  // Without the stalled follower in the ISR, acks=all no longer waits for it.
  await producer.send({ topic: 'lag', acks: -1, messages: [{ value: 'after the shrink' }] });
  t.true(logEnd(c, follower, 'lag', 0) < 2);
  c.resumeReplication(follower);
  const back = async () => (await partitionsOf(admin, 'lag'))[0]!.isr.includes(follower);
  await eventually(back, 10000, 'back');
  t.true(await back(), 'the follower is back in the ISR');
  t.is(logEnd(c, follower, 'lag', 0), 2);
});

clusterTest('preferred leader election: ElectLeaders moves leadership back to the first replica', async (t, storage) => {
  const { c, admin } = await clusterWithAdmin(t, { storage, brokers: 3, config: { 'auto.leader.rebalance.enable': 'false' } });
  await admin.createTopics({ topics: [{ topic: 'pref', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
  const preferred = (await partitionsOf(admin, 'pref'))[0]!.leader;
  await c.stop(preferred);
  await c.restart(preferred);
  const inIsr = async () => (await partitionsOf(admin, 'pref')).every((p) => p.isr.includes(preferred));
  await eventually(inIsr, 10000, 'inIsr');
  t.not((await partitionsOf(admin, 'pref'))[0]!.leader, preferred, 'leadership stayed where failover put it');

  const raw = await RawClient.connect(c.brokers[0]!.port);
  t.teardown(() => raw.close());
  const r = await raw.request(43, 2, { electionType: 0, topicPartitions: [{ topic: 'pref', partitions: [0, 1, 7] }], timeoutMs: 5000 });
  t.is(r.errorCode, ErrorCode.NONE);
  const results = new Map(r.replicaElectionResults![0]!.partitionResult!.map((p) => [p.partitionId, p.errorCode]));
  t.is(results.get(0), ErrorCode.NONE);
  t.is(results.get(7), ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  const after = await partitionsOf(admin, 'pref');
  t.is(after[0]!.leader, preferred);
  const again = await raw.request(43, 2, { electionType: 0, topicPartitions: [{ topic: 'pref', partitions: [0] }], timeoutMs: 5000 });
  t.is(again.replicaElectionResults![0]!.partitionResult![0]!.errorCode, ErrorCode.ELECTION_NOT_NEEDED);
});

clusterTest('auto.leader.rebalance.enable moves leadership back to the preferred replica once it is in sync', async (t, storage) => {
  const { c, admin } = await clusterWithAdmin(t, { storage, brokers: 3, config: { 'leader.imbalance.check.interval.seconds': '1' } });
  await admin.createTopics({ topics: [{ topic: 'auto', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
  const leaders = (await partitionsOf(admin, 'auto')).map((p) => p.leader);
  await c.stop(leaders[0]!);
  t.not((await partitionsOf(admin, 'auto'))[0]!.leader, leaders[0]);
  await c.restart(leaders[0]!);
  const back = async () => (await partitionsOf(admin, 'auto')).map((p) => p.leader).join() === leaders.join();
  await eventually(back, 10000, 'back');
  t.true(await back(), 'every partition is led by its preferred replica again');
});

clusterTest('a follower refuses Produce naming the leader (KIP-951), and consumer Fetch before v11, with NOT_LEADER_OR_FOLLOWER', async (t, storage) => {
  const { c, admin } = await clusterWithAdmin(t, { storage, brokers: 2 });
  await admin.createTopics({ topics: [{ topic: 'hint', numPartitions: 1, replicationFactor: 2 }], waitForLeaders: true });
  const [p] = await partitionsOf(admin, 'hint');
  const follower = c.brokers.find((b) => b.id !== p!.leader)!;
  const leader = c.brokers.find((b) => b.id === p!.leader)!;
  const raw = await RawClient.connect(follower.port);
  t.teardown(() => raw.close());
  const produced = await raw.request(0, 10, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: 'hint', partitionData: [{ index: 0, records: null }] }] });
  const pr = produced.responses![0]!.partitionResponses![0]!;
  t.is(pr.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  t.deepEqual(pr.currentLeader, { leaderId: leader.id, leaderEpoch: 0 });
  t.like(produced.nodeEndpoints![0], { nodeId: leader.id, host: '127.0.0.1', port: leader.port });
  const fetched = await raw.request(1, 16, {
    clusterId: null, replicaState: { replicaId: -1, replicaEpoch: -1 }, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topicId: c.brokers[0]!.broker!.metadata.topics.get('hint')!.topicId, partitions: [{ partition: 0, currentLeaderEpoch: 5, fetchOffset: 0, lastFetchedEpoch: -1, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  const fp = fetched.responses![0]!.partitions![0]!;
  t.is(fp.errorCode, ErrorCode.UNKNOWN_LEADER_EPOCH, 'a newer epoch than the follower knows');
  // Fetch v10 (no client metadata) from a consumer may only go to the leader.
  const old = await raw.request(1, 10, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'hint', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [],
  });
  t.is(old.responses![0]!.partitions![0]!.errorCode, ErrorCode.NOT_LEADER_OR_FOLLOWER);
});

clusterTest('consumers see only records below the high watermark', async (t, storage) => {
  const { c, k, admin } = await clusterWithAdmin(t, { storage, brokers: 3 });
  await admin.createTopics({ topics: [{ topic: 'hw', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
  const [p] = await partitionsOf(admin, 'hw');
  const followers = p!.replicas.filter((r) => r !== p!.leader);
  // Let the followers' pending long-polls end, then stall them.
  for (const f of followers) c.pauseReplication(f);
  await sleep(700);
  const producer = k.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: 'hw', acks: 1, messages: [{ value: 'not yet committed' }] });
  t.is(logEnd(c, p!.leader, 'hw', 0), 1);
  const raw = await RawClient.connect(c.brokers[p!.leader]!.port);
  t.teardown(() => raw.close());
  const fetch = () => raw.request(1, 11, {
    replicaId: -1, maxWaitMs: 0, minBytes: 0, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 'hw', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  const before = (await fetch()).responses![0]!.partitions![0]!;
  t.is(before.highWatermark, 0);
  t.is((before.records as Buffer).length, 0, 'the uncommitted record is not served');
  t.is((await admin.fetchTopicOffsets('hw'))[0]!.high, '0');
  for (const f of followers) c.resumeReplication(f);
  let after = before;
  await eventually(async () => (after = (await fetch()).responses![0]!.partitions![0]!).highWatermark !== 0, 5000, 'the high watermark to move');
  t.is(after.highWatermark, 1);
  t.true((after.records as Buffer).length > 0);
});

clusterTest('a returning leader truncates the tail it alone had and takes the new leader\'s records', async (t, storage) => {
  const { c, k, admin } = await clusterWithAdmin(t, { storage, brokers: 3 });
  await admin.createTopics({ topics: [{ topic: 'div', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
  const [p] = await partitionsOf(admin, 'div');
  const old = p!.leader;
  const followers = p!.replicas.filter((r) => r !== old);
  for (const f of followers) c.pauseReplication(f);
  await sleep(700);
  const producer = k.producer({ retry: { retries: 20, initialRetryTime: 50 } });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  await producer.send({ topic: 'div', acks: 1, messages: [{ value: 'only on the old leader' }] });
  t.is(logEnd(c, old, 'div', 0), 1);
  await c.stop(old);
  for (const f of followers) c.resumeReplication(f);
  await producer.send({ topic: 'div', acks: -1, messages: [{ value: 'committed by the new leader' }, { value: 'and another' }] });
  const [moved] = await partitionsOf(admin, 'div');
  t.not(moved!.leader, old);
  await c.restart(old);
  const valuesOn = async (id: number) => {
    const log = c.brokers[id]!.broker!.replicas.partition('div', 0)!.log;
    const batches = await decodeRecords(Buffer.concat(log.read(0, 1 << 20)));
    return batches.flatMap((b) => b.records.map((r) => `${r.offset}:${r.value!.toString()}`));
  };
  const caughtUp = async () => logEnd(c, old, 'div', 0) === 2 && (await valuesOn(old)).join() === (await valuesOn(moved!.leader)).join();
  await eventually(caughtUp, 5000, 'caughtUp');
  t.deepEqual(await valuesOn(old), ['0:committed by the new leader', '1:and another']);
});

clusterTest('kill: a broker that stops without deregistering is noticed after broker.session.timeout.ms; a restart within it first gives up its leaderships', async (t, storage) => {
  const { c, k, admin } = await clusterWithAdmin(t, { storage, brokers: 3, config: { 'broker.session.timeout.ms': '3000' } });
  await admin.createTopics({ topics: [{ topic: 'killed', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
  const producer = k.producer({ idempotent: true, retry: { retries: 30, initialRetryTime: 50 } });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const sent: string[] = [];
  const send = async (n: number) => {
    for (let i = 0; i < n; i++) {
      const value = `k${sent.length}`;
      await producer.send({ topic: 'killed', acks: -1, messages: [{ value, partition: 0 }] });
      sent.push(value);
    }
  };
  await send(20);
  const victim = (await partitionsOf(admin, 'killed'))[0]!.leader;
  await c.kill(victim);
  t.is((await partitionsOf(admin, 'killed'))[0]!.leader, victim, 'still registered: nobody knows yet');
  await send(20);
  t.not((await partitionsOf(admin, 'killed'))[0]!.leader, victim, 'the session ran out and leadership moved');
  await c.restart(victim);
  const full = async () => (await partitionsOf(admin, 'killed')).every((p) => p.isr.length === 3);
  await eventually(full, 10000, 'full');
  t.true(await full());

  // Killed and back before its session ends: the new run withdraws the old registration
  // and waits for its leaderships to move rather than trusting what it kept.
  const leader = (await partitionsOf(admin, 'killed'))[1]!.leader;
  await c.kill(leader);
  await c.restart(leader);
  const moved = async () => (await partitionsOf(admin, 'killed'))[1]!.leader !== leader;
  await eventually(moved, 5000, 'moved');
  t.true(await moved(), 'leadership moved off the restarted incarnation');
  await send(10);
  const read = await readEverything(c.bootstrap, 'killed', sent.length);
  t.deepEqual(read.get(0)?.map(([, v]) => v), sent);
});

clusterTest('every broker killed, or stopped, and started again: each keeps its log and nothing acknowledged is lost', async (t, storage) => {
  const { c, k, admin } = await clusterWithAdmin(t, { storage, brokers: 3, config: { 'broker.session.timeout.ms': '1000' } });
  await admin.createTopics({ topics: [{ topic: 'again', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
  const producer = k.producer({ idempotent: true });
  await producer.connect();
  const sent = Array.from({ length: 60 }, (_, i) => `v${i}`);
  for (let i = 0; i < sent.length; i += 10) {
    await producer.send({ topic: 'again', acks: -1, messages: sent.slice(i, i + 10).map((value, j) => ({ value, partition: (i / 10 + j) % 3 })) });
  }
  await producer.disconnect();
  const ends = [0, 1, 2].map((p) => logEnd(c, 0, 'again', p));
  t.is(ends.reduce((a, b) => a + b, 0), 60);
  for (const id of [0, 1, 2]) await c.kill(id);
  for (const id of [0, 1, 2]) await c.restart(id);
  for (const id of [0, 1, 2]) t.deepEqual([0, 1, 2].map((p) => logEnd(c, id, 'again', p)), ends, `broker ${id} came back with its log`);
  for (const id of [0, 1, 2]) await c.stop(id);
  for (const id of [0, 1, 2]) await c.restart(id);
  for (const id of [0, 1, 2]) t.deepEqual([0, 1, 2].map((p) => logEnd(c, id, 'again', p)), ends, `broker ${id} came back with its log`);
  const read = await readEverything(c.bootstrap, 'again', sent.length);
  t.deepEqual([...read.values()].flat().map(([, v]) => v).sort(), [...sent].sort());
});

clusterTest('explicit replica assignments are honoured; a replication factor above the live brokers is refused', async (t, storage) => {
  const { admin } = await clusterWithAdmin(t, { storage, brokers: 3 });
  await admin.createTopics({ topics: [{ topic: 'assigned', replicaAssignment: [{ partition: 0, replicas: [2, 1] }, { partition: 1, replicas: [0, 2] }] }], waitForLeaders: true });
  const parts = await partitionsOf(admin, 'assigned');
  t.deepEqual(parts.map((p) => [p.leader, p.replicas]), [[2, [2, 1]], [0, [0, 2]]]);
  await admin.createPartitions({ topicPartitions: [{ topic: 'assigned', count: 3, assignments: [[1, 0]] }] });
  t.deepEqual((await partitionsOf(admin, 'assigned'))[2]!.replicas, [1, 0]);
  const err = await t.throwsAsync(admin.createTopics({ topics: [{ topic: 'too-many', numPartitions: 1, replicationFactor: 4 }] }));
  t.regex(JSON.stringify((err as { errors?: unknown }).errors ?? err?.message), /INVALID_REPLICATION_FACTOR|replication factor/i);
});

clusterTest('unclean.leader.election.enable decides whether an out-of-sync replica may lead when the ISR is gone', async (t, storage) => {
  const { c, admin } = await clusterWithAdmin(t, { storage, brokers: 2, config: { 'replica.lag.time.max.ms': '600' } });
  const assignment = [{ partition: 0, replicas: [0, 1] }];
  await admin.createTopics({
    topics: [
      { topic: 'clean', replicaAssignment: assignment },
      { topic: 'unclean', replicaAssignment: assignment, configEntries: [{ name: 'unclean.leader.election.enable', value: 'true' }] },
    ],
    waitForLeaders: true,
  });
  // Broker 1 stops replicating and falls out of both ISRs; then the leader, broker 0, stops.
  c.pauseReplication(1);
  const outOfSync = async () => (await partitionsOf(admin, 'clean'))[0]!.isr.length === 1 && (await partitionsOf(admin, 'unclean'))[0]!.isr.length === 1;
  await eventually(outOfSync, 10000, 'outOfSync');
  t.true(await outOfSync());
  await c.stop(0);
  c.resumeReplication(1);
  // kafkajs gives up on a leaderless partition, so ask Metadata directly.
  const raw = await RawClient.connect(c.brokers[1]!.port);
  t.teardown(() => raw.close());
  const describe = async (topic: string) => (await raw.request(3, 12, { topics: [{ topicId: '0'.repeat(32), name: topic }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false })).topics![0]!.partitions![0]!;
  t.like(await describe('clean'), { errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1, isrNodes: [0], offlineReplicas: [0] }, 'no clean leader: it waits for broker 0, the last in-sync replica');
  t.like(await describe('unclean'), { errorCode: ErrorCode.NONE, leaderId: 1, isrNodes: [1], offlineReplicas: [0] }, 'the out-of-sync replica leads');
  // Broker 0 returns: the clean partition gets its leader back.
  await c.restart(0);
  const back = async () => (await describe('clean')).leaderId === 0;
  await eventually(back, 5000, 'back');
  t.true(await back());
});
