// log.dirs with several directories: new partitions go to the one with the fewest,
// DescribeLogDirs shows them, and a directory whose storage fails goes offline as Kafka
// takes it — its partitions answer KAFKA_STORAGE_ERROR until a restart, the other
// directory serves on, and nothing acknowledged is lost once it is back.
//
// The failure is caused as Kafka's own LogDirFailureTest causes it: a partition's
// directory is replaced by a file, and the next segment roll cannot create its files.
import fs from 'node:fs';
import path from 'node:path';
import { Admin as PlatformaticAdmin, alterReplicaLogDirsV2, Connection } from '@platformatic/kafka';
import test, { type ExecutionContext } from 'ava';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodeRecords, encodeBatch } from '../../src/protocol/records/records.js';
import { RawClient } from '../support/raw-client.js';
import { eventually, tempDir } from '../support/helpers.js';

const PARTITIONS = 4;

async function connect(t: ExecutionContext, b: RunningBroker): Promise<RawClient> {
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  return c;
}

async function produce(c: RawClient, topic: string, partition: number, value: string): Promise<number> {
  const records = await encodeBatch({ records: [{ value: value.padEnd(1500, '.') }] });
  const r = await c.request(0, 9, { transactionalId: null, acks: -1, timeoutMs: 5000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] });
  return r.responses[0]!.partitionResponses[0]!.errorCode;
}

async function fetchValues(c: RawClient, topic: string, partition: number): Promise<{ errorCode: number; values: string[] }> {
  const r = await c.request(1, 11, {
    replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  const p = r.responses[0]!.partitions[0]!;
  const values = p.records ? (await decodeRecords(p.records as Buffer)).flatMap((b) => b.records.map((x) => x.value!.toString().replace(/\.+$/, ''))) : [];
  return { errorCode: p.errorCode, values };
}

const describeLogDirs = (c: RawClient) => c.request(35, 4, { topics: null });

test.serial('partitions spread over log.dirs; a failed directory goes offline alone and comes back whole after a restart', async (t) => {
  const root = tempDir(t, 'dirs');
  const [a, b] = [path.join(root, 'a'), path.join(root, 'b')];
  const storage = `${a},${b}`;
  let broker = await startBroker({ storage });
  t.teardown(() => broker.close());
  let c = await connect(t, broker);
  // Segments of one batch each: every append after the first rolls, creating files.
  const created = await c.request(19, 5, { topics: [{ name: 't', numPartitions: PARTITIONS, replicationFactor: 1, assignments: [], configs: [{ name: 'segment.bytes', value: '1024' }] }], timeoutMs: 5000, validateOnly: false });
  t.is(created.topics[0]!.errorCode, ErrorCode.NONE);
  for (let p = 0; p < PARTITIONS; p++) t.is(await produce(c, 't', p, `first-${p}`), ErrorCode.NONE);

  const inDir = (dir: string) => Array.from({ length: PARTITIONS }, (_, p) => p).filter((p) => fs.existsSync(path.join(dir, `t-${p}`)));
  t.is(inDir(a).length, PARTITIONS / 2, 'each directory has half the partitions');
  t.is(inDir(b).length, PARTITIONS / 2);
  const described = await describeLogDirs(c);
  t.is(described.errorCode, ErrorCode.NONE);
  t.deepEqual(described.results.map((r) => [r.logDir, r.errorCode, r.topics.flatMap((x) => x.partitions.map((p) => p.partitionIndex))]), [
    [a, ErrorCode.NONE, inDir(a)],
    [b, ErrorCode.NONE, inDir(b)],
  ]);
  for (const r of described.results) {
    t.true(r.topics[0]!.partitions.every((p) => p.partitionSize > 1500 && p.offsetLag === 0 && !p.isFutureKey));
    const [total, usable] = [r.totalBytes ?? -1, r.usableBytes ?? -1];
    t.true(total > 0 && usable > 0 && usable <= total);
  }

  // Directory b fails under one of its partitions.
  const [victim] = inDir(b);
  const healthy = inDir(a);
  const partitionDir = path.join(b, `t-${victim}`);
  fs.renameSync(partitionDir, `${partitionDir}.away`);
  fs.writeFileSync(partitionDir, 'not a directory');
  t.is(await produce(c, 't', victim!, 'lost'), ErrorCode.KAFKA_STORAGE_ERROR, 'the append that met the failure is refused');
  await eventually(async () => (await describeLogDirs(c)).results[1]!.errorCode === ErrorCode.KAFKA_STORAGE_ERROR, 10_000, 'directory b offline');
  const after = await describeLogDirs(c);
  t.deepEqual(after.results[1]!.topics, [], 'an offline directory shows no partitions');
  t.is(after.results[0]!.errorCode, ErrorCode.NONE);

  for (const p of inDir(b)) {
    t.is(await produce(c, 't', p, 'nope'), ErrorCode.KAFKA_STORAGE_ERROR, `partition ${p} on the failed directory refuses appends`);
    t.is((await fetchValues(c, 't', p)).errorCode, ErrorCode.KAFKA_STORAGE_ERROR, `and fetches`);
  }
  for (const p of healthy) t.is(await produce(c, 't', p, `second-${p}`), ErrorCode.NONE, `partition ${p} on the other directory serves on`);
  // The controller hears of the offline replicas and takes away their leadership.
  await eventually(async () => {
    const md = await c.request(3, 9, { topics: [{ name: 't' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
    return md.topics[0]!.partitions.filter((p) => inDir(b).includes(p.partitionIndex)).every((p) => p.leaderId === -1 && (p.offlineReplicas ?? []).includes(0) && p.errorCode === ErrorCode.LEADER_NOT_AVAILABLE);
  }, 10_000, 'partitions of b without a leader, their replica offline');
  // New partitions go to the directory that serves.
  await c.request(19, 5, { topics: [{ name: 'later', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  t.true(fs.existsSync(path.join(a, 'later-0')) && fs.existsSync(path.join(a, 'later-1')));
  t.is(await produce(c, 'later', 1, 'x'), ErrorCode.NONE);

  // Repaired and restarted, the directory serves what was acknowledged, and nothing else.
  await broker.close();
  fs.rmSync(partitionDir);
  fs.renameSync(`${partitionDir}.away`, partitionDir);
  broker = await startBroker({ storage });
  c = await connect(t, broker);
  for (let p = 0; p < PARTITIONS; p++) {
    const expected = healthy.includes(p) ? [`first-${p}`, `second-${p}`] : [`first-${p}`];
    await eventually(async () => (await fetchValues(c, 't', p)).errorCode === ErrorCode.NONE, 10_000, `partition ${p} led again`);
    t.deepEqual((await fetchValues(c, 't', p)).values, expected, `partition ${p} holds exactly what was acknowledged`);
    t.is(await produce(c, 't', p, `third-${p}`), ErrorCode.NONE);
  }
  t.true((await describeLogDirs(c)).results.every((r) => r.errorCode === ErrorCode.NONE));
});

test('DescribeLogDirs names the partitions asked for; old versions and memory storage answer too', async (t) => {
  const dir = tempDir(t, 'describe');
  const broker = await startBroker({ storage: dir });
  t.teardown(() => broker.close());
  const c = await connect(t, broker);
  await c.request(19, 5, { topics: [{ name: 'x', numPartitions: 3, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  const r = await c.request(35, 1, { topics: [{ topic: 'x', partitions: [2, 0, 7] }, { topic: 'unknown', partitions: [0] }] });
  t.deepEqual(r.results.map((d) => [d.logDir, d.errorCode, d.topics.map((x) => [x.name, x.partitions.map((p) => [p.partitionIndex, p.partitionSize])])]), [
    [dir, ErrorCode.NONE, [['x', [[0, 0], [2, 0]]]]],
  ]);

  const mem = await startBroker();
  t.teardown(() => mem.close());
  const m = await connect(t, mem);
  await m.request(19, 5, { topics: [{ name: 'y', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  const v4 = await m.request(35, 4, { topics: null });
  t.deepEqual(v4.results.map((d) => [d.logDir, d.errorCode, d.topics.map((x) => x.name), d.totalBytes, d.usableBytes]), [['memory', ErrorCode.NONE, ['y'], -1, -1]]);
});

test('@platformatic/kafka\'s admin describes the log directories of every broker', async (t) => {
  const root = tempDir(t, 'platformatic');
  const broker = await startBroker({ storage: `${path.join(root, 'a')},${path.join(root, 'b')}` });
  t.teardown(() => broker.close());
  const c = await connect(t, broker);
  await c.request(19, 5, { topics: [{ name: 'p', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  t.is(await produce(c, 'p', 1, 'one'), ErrorCode.NONE);
  const admin = new PlatformaticAdmin({ clientId: 'plat-admin', bootstrapBrokers: [broker.bootstrap] });
  t.teardown(() => admin.close());
  const described = await admin.describeLogDirs({ topics: [{ name: 'p', partitions: [0, 1] }] });
  t.deepEqual(described.map((b) => [b.broker, b.results.map((r) => [r.logDir, r.topics.map((x) => x.partitions.map((p) => [p.partitionIndex, p.partitionSize > 0n]))])]), [
    [0, [[path.join(root, 'a'), [[[0, false]]]], [path.join(root, 'b'), [[[1, true]]]]]],
  ]);
  t.true(described[0]!.results.every((r) => r.totalBytes > 0n && r.usableBytes > 0n));
});

test('AlterReplicaLogDirs through @platformatic/kafka\'s codec moves a partition to the other directory while it is written to: nothing lost, the copy listed as future until it takes over', async (t) => {
  const root = tempDir(t, 'move');
  const [a, b] = [path.join(root, 'a'), path.join(root, 'b')];
  const storage = `${a},${b}`;
  // Old files go at once, and small segments make the copy take many steps.
  const config = { 'log.segment.delete.delay.ms': '0' };
  let broker = await startBroker({ storage, config });
  t.teardown(() => broker.close());
  let c = await connect(t, broker);
  await c.request(19, 5, { topics: [{ name: 'mv', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [{ name: 'segment.bytes', value: '16384' }] }], timeoutMs: 5000, validateOnly: false });
  const from = fs.existsSync(path.join(a, 'mv-0')) ? a : b;
  const to = from === a ? b : a;
  const written: string[] = [];
  for (let i = 0; i < 300; i++) {
    t.is(await produce(c, 'mv', 0, `v${i}`), ErrorCode.NONE);
    written.push(`v${i}`);
  }

  // Held back from taking over until the test has seen the copy.
  let holding = true;
  broker.broker.replicas.moves.holdSwapsWhile(() => holding);
  const codec = new Connection('move-codec');
  await codec.connect(broker.host, broker.port);
  t.teardown(() => codec.close());
  // The client's codec throws on an error in any partition, with the answer attached.
  const moved = await alterReplicaLogDirsV2.api.async(codec, [{ path: to, topics: [{ name: 'mv', partitions: [0] }] }, { path: path.join(root, 'c'), topics: [{ name: 'mv', partitions: [1] }] }])
    .catch((e: { response?: alterReplicaLogDirsV2.AlterReplicaLogDirsResponse }) => {
      if (!e.response) throw e;
      return e.response;
    });
  t.deepEqual(moved.results.map((r) => [r.topicName, r.partitions.map((p) => [p.partitionIndex, p.errorCode])]), [['mv', [[0, ErrorCode.NONE], [1, ErrorCode.LOG_DIR_NOT_FOUND]]]]);
  // Writes go on while the copy catches up, listed in its new directory as a future replica.
  for (let i = 300; i < 400; i++) {
    t.is(await produce(c, 'mv', 0, `v${i}`), ErrorCode.NONE);
    written.push(`v${i}`);
  }
  const futureIn = async () => (await describeLogDirs(c)).results.flatMap((r) => r.topics.flatMap((x) => x.partitions.filter((p) => p.isFutureKey).map((p) => [r.logDir, x.name, p.partitionIndex, p.offsetLag])));
  await eventually(async () => JSON.stringify(await futureIn()) === JSON.stringify([[path.resolve(to), 'mv', 0, 0]]), 10_000, 'the copy caught up, as a future replica');
  t.true(fs.existsSync(path.join(from, 'mv-0')), 'the partition is still served from where it was');
  holding = false;
  for (let i = 400; fs.existsSync(path.join(from, 'mv-0')) && i < 5000; i++) {
    t.is(await produce(c, 'mv', 0, `v${i}`), ErrorCode.NONE);
    written.push(`v${i}`);
    await new Promise((r) => setTimeout(r, 5));
  }
  t.false(fs.existsSync(path.join(from, 'mv-0')), 'the old copy is gone');
  t.true(fs.existsSync(path.join(to, 'mv-0')));
  t.deepEqual(await futureIn(), [], 'no future replica left');
  t.log(`${written.length} records written across the move`);
  const inTo = (await describeLogDirs(c)).results.find((r) => r.logDir === path.resolve(to))!;
  t.deepEqual(inTo.topics.find((x) => x.name === 'mv')?.partitions.map((p) => [p.partitionIndex, p.isFutureKey]).filter(([i]) => i === 0), [[0, false]]);
  t.deepEqual(await readAll(c, 'mv'), written, 'every record from the new directory, once, in order');

  // Not here yet: the directory is remembered for when the partition is made.
  const early = await c.request(34, 2, { dirs: [{ path: to, topics: [{ name: 'later', partitions: [0] }] }] });
  t.is(early.results[0]!.partitions[0]!.errorCode, ErrorCode.REPLICA_NOT_AVAILABLE);
  await c.request(19, 5, { topics: [{ name: 'later', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  t.true(fs.existsSync(path.join(to, 'later-0')), 'created where it was asked to go');

  await broker.close();
  broker = await startBroker({ storage, config });
  c = await connect(t, broker);
  t.deepEqual(await readAll(c, 'mv'), written, 'after a restart too');
});

/** Every value of partition 0 of `topic`, fetched from offset 0 on. */
async function readAll(c: RawClient, topic: string): Promise<string[]> {
  const all: string[] = [];
  for (;;) {
    const r = await c.request(1, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: all.length, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    const values = (await decodeRecords(r.responses[0]!.partitions[0]!.records as Buffer)).flatMap((x) => x.records.map((rec) => rec.value!.toString().replace(/\.+$/, '')));
    if (values.length === 0) return all;
    all.push(...values);
  }
}
