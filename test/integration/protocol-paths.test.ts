// Protocol paths the mainstream clients do not exercise: fetch sessions (KIP-227), old
// fetch and produce versions with legacy message sets, LogAppendTime, advertised
// listeners, retention by the background task.
import test, { type ExecutionContext } from 'ava';
import { Broker } from '../../src/broker/broker.js';
import { Keys, type TopicState } from '../../src/broker/controller/cluster-metadata.js';
import { EmbeddedStore } from '../../src/broker/controller/embedded-store.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { FetchResponse } from '../../src/protocol/messages/index.js';
import { Attr, Off } from '../../src/protocol/records/batch.js';
import { decodeRecords, encodeBatch, encodeLegacyMessage, readMessageSet } from '../../src/protocol/records/records.js';
import { type RunningBroker, startBroker } from '../../src/index.js';
import { eventually } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

async function setup(t: ExecutionContext, config: Record<string, string> = {}, topicConfigs: Array<{ name: string; value: string }> = []): Promise<{ b: RunningBroker; c: RawClient }> {
  const b = await startBroker({ config });
  t.teardown(() => b.close());
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  const r = await c.request(19, 5, { topics: [{ name: 't', numPartitions: 2, replicationFactor: 1, assignments: [], configs: topicConfigs }], timeoutMs: 1000, validateOnly: false });
  t.is(r.topics![0]!.errorCode, ErrorCode.NONE);
  return { b, c };
}

const produce = async (c: RawClient, partition: number, values: string[], version = 9) => c.request(0, version, {
  transactionalId: null, acks: 1, timeoutMs: 1000,
  topicData: [{ name: 't', partitionData: [{ index: partition, records: await encodeBatch({ records: values.map((value) => ({ value })) }) }] }],
});

function fetchReq(partitions: Array<{ partition: number; fetchOffset: number }>, session: { id: number; epoch: number }, forgotten: number[] = [], maxWaitMs = 0) {
  return {
    replicaId: -1, maxWaitMs, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: session.id, sessionEpoch: session.epoch,
    topics: partitions.length ? [{ topic: 't', partitions: partitions.map((p) => ({ partition: p.partition, currentLeaderEpoch: -1, fetchOffset: p.fetchOffset, logStartOffset: -1, partitionMaxBytes: 1 << 20 })) }] : [],
    forgottenTopicsData: forgotten.length ? [{ topic: 't', partitions: forgotten }] : [], rackId: '',
  };
}

const partitionsIn = (r: FetchResponse) => (r.responses ?? []).flatMap((t) => t.partitions!.map((p) => p.partitionIndex));

test('fetch sessions: a full fetch opens one; incremental fetches carry only partitions with news', async (t) => {
  const { c } = await setup(t);
  await produce(c, 0, ['a']);
  const full = await c.request(1, 11, fetchReq([{ partition: 0, fetchOffset: 0 }, { partition: 1, fetchOffset: 0 }], { id: 0, epoch: 0 }));
  t.true(full.sessionId! > 0);
  t.deepEqual(partitionsIn(full).sort(), [0, 1]);
  const id = full.sessionId!;
  const inc1 = await c.request(1, 11, fetchReq([{ partition: 0, fetchOffset: 1 }], { id, epoch: 1 }));
  t.is(inc1.errorCode, ErrorCode.NONE);
  t.deepEqual(partitionsIn(inc1), [], 'nothing new anywhere');
  await produce(c, 1, ['b']);
  const inc2 = await c.request(1, 11, fetchReq([], { id, epoch: 2 }));
  t.deepEqual(partitionsIn(inc2), [1], 'only the partition that got data');
  const wrongEpoch = await c.request(1, 11, fetchReq([], { id, epoch: 9 }));
  t.is(wrongEpoch.errorCode, ErrorCode.INVALID_FETCH_SESSION_EPOCH);
  const unknown = await c.request(1, 11, fetchReq([], { id: id + 100, epoch: 1 }));
  t.is(unknown.errorCode, ErrorCode.FETCH_SESSION_ID_NOT_FOUND);
  const forget = await c.request(1, 11, fetchReq([], { id, epoch: 3 }, [1]));
  t.is(forget.errorCode, ErrorCode.NONE);
  await produce(c, 1, ['c']);
  const inc4 = await c.request(1, 11, fetchReq([], { id, epoch: 4 }));
  t.deepEqual(partitionsIn(inc4), [], 'a forgotten partition is no longer reported');
});

test('a long-poll fetch is woken by a produce', async (t) => {
  const { c, b } = await setup(t);
  const other = await RawClient.connect(b.port);
  t.teardown(() => other.close());
  const started = Date.now();
  const pending = c.request(1, 11, fetchReq([{ partition: 0, fetchOffset: 0 }], { id: 0, epoch: -1 }, [], 10000));
  await new Promise((r) => setTimeout(r, 200));
  await produce(other, 0, ['wake']);
  const r = await pending;
  t.true(Date.now() - started < 5000);
  const recs = await decodeRecords(r.responses![0]!.partitions![0]!.records as Buffer);
  t.is(recs[0]!.records[0]!.value!.toString(), 'wake');
});

test('Fetch v0-v3 get legacy message sets; Produce v0-v2 message sets are stored as v2 batches', async (t) => {
  const { c } = await setup(t);
  const legacy = Buffer.concat([encodeLegacyMessage(1, 0, Date.now(), Buffer.from('k'), Buffer.from('old-1')), encodeLegacyMessage(1, 1, Date.now(), null, Buffer.from('old-2'))]);
  const r = await c.request(0, 2, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records: legacy }] }] });
  t.is(r.responses![0]!.partitionResponses![0]!.errorCode, ErrorCode.NONE);
  await produce(c, 0, ['new-3']);
  for (const [version, magic] of [[0, 0], [2, 1]] as const) {
    const f = await c.request(1, version, fetchReq([{ partition: 0, fetchOffset: 0 }], { id: 0, epoch: -1 }));
    const msgs = readMessageSet(f.responses![0]!.partitions![0]!.records as Buffer);
    t.deepEqual(msgs.map((m) => [m.offset, m.magic, m.value?.toString()]), [[0, magic, 'old-1'], [1, magic, 'old-2'], [2, magic, 'new-3']]);
    t.true(msgs.every((m) => m.crcValid));
  }
  const v11 = await c.request(1, 11, fetchReq([{ partition: 0, fetchOffset: 0 }], { id: 0, epoch: -1 }));
  const stored = v11.responses![0]!.partitions![0]!.records as Buffer;
  t.is(stored[Off.magic], 2, 'stored as a v2 batch');
});

test('message.timestamp.type=LogAppendTime stamps the broker time', async (t) => {
  const { c } = await setup(t, {}, [{ name: 'message.timestamp.type', value: 'LogAppendTime' }]);
  const before = Date.now();
  const p = await c.request(0, 9, {
    transactionalId: null, acks: 1, timeoutMs: 1000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records: await encodeBatch({ records: [{ value: 'x', timestamp: 1000 }] }) }] }],
  });
  const logAppendTime = p.responses![0]!.partitionResponses![0]!.logAppendTimeMs!;
  t.true(logAppendTime >= before);
  const f = await c.request(1, 11, fetchReq([{ partition: 0, fetchOffset: 0 }], { id: 0, epoch: -1 }));
  const batch = f.responses![0]!.partitions![0]!.records as Buffer;
  t.truthy(batch.readInt16BE(Off.attributes) & Attr.logAppendTime);
  const [d] = await decodeRecords(batch);
  t.is(d!.records[0]!.timestamp, logAppendTime);
});

test('ListOffsets: earliest, latest, by time and max timestamp', async (t) => {
  const { c } = await setup(t);
  for (const ts of [1000, 3000, 2000]) {
    await c.request(0, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records: await encodeBatch({ records: [{ value: 'x', timestamp: ts }] }) }] }] });
  }
  const ask = async (timestamp: number) => (await c.request(2, 7, { replicaId: -1, isolationLevel: 0, topics: [{ name: 't', partitions: [{ partitionIndex: 0, currentLeaderEpoch: -1, timestamp }] }] })).topics![0]!.partitions![0]!;
  t.like(await ask(-2), { offset: 0, timestamp: -1 });
  t.like(await ask(-1), { offset: 3, timestamp: -1 });
  t.like(await ask(1500), { offset: 1, timestamp: 3000 });
  t.like(await ask(2500), { offset: 1, timestamp: 3000 });
  t.like(await ask(9999), { offset: -1, timestamp: -1 });
  t.like(await ask(-3), { offset: 1, timestamp: 3000 });
});

test('Metadata returns advertised.listeners and marks internal topics', async (t) => {
  const b = await startBroker({ config: { 'advertised.listeners': 'PLAINTEXT://kafka.example:19092' } });
  t.teardown(() => b.close());
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  await b.broker.services.topics.ensureOffsetsTopic();
  const md = await c.request(3, 12, { topics: null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  t.like(md.brokers![0], { nodeId: 0, host: 'kafka.example', port: 19092 });
  const offsets = md.topics!.find((x) => x.name === '__consumer_offsets')!;
  t.true(offsets.isInternal);
  t.is(offsets.partitions!.length, 50);
  const missing = await c.request(3, 12, { topics: [{ topicId: '0'.repeat(32), name: 'nope' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  t.is(missing.topics![0]!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});

test('Metadata names no leader (LEADER_NOT_AVAILABLE, leader -1) for a partition whose leader is not a live broker', async (t) => {
  // A topic led by broker 7, which never registered: what a broker reports in the moment
  // between a leader's death and the controller moving its partitions.
  const store = new EmbeddedStore();
  const topic: TopicState = { name: 'orphan', topicId: '2'.repeat(32), internal: false, configs: {}, partitions: [{ partition: 0, replicas: [7, 0], leader: 7, leaderEpoch: 4, isr: [7, 0] }] };
  const other = store.client();
  await other.put(`/krill/${Keys.topic('orphan')}`, JSON.stringify(topic));
  // Another broker holds the controller role, so this one moves no leadership.
  await other.put(`/krill/${Keys.controller}`, '9', await other.grantLease(60_000));
  t.teardown(() => other.close());
  const b = await Broker.start({ storage: 'memory', host: '127.0.0.1', port: 0, logLevel: 'silent', store: store.client() });
  t.teardown(() => b.close());
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  const md = await c.request(3, 12, { topics: [{ topicId: '0'.repeat(32), name: 'orphan' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  t.like(md.topics![0]!.partitions![0], { errorCode: ErrorCode.LEADER_NOT_AVAILABLE, leaderId: -1, leaderEpoch: 4, replicaNodes: [7, 0], isrNodes: [7, 0], offlineReplicas: [7] });
  t.deepEqual(md.brokers!.map((x) => x.nodeId), [0]);
});

test('retention.ms is enforced by the background task, moving the log start offset', async (t) => {
  const { b, c } = await setup(t, { 'log.retention.check.interval.ms': '50' }, [{ name: 'segment.bytes', value: '200' }, { name: 'retention.ms', value: '100' }]);
  for (let i = 0; i < 5; i++) await produce(c, 0, [`old-${i}`.padEnd(150, '.')]);
  const log = b.broker.replicas.partition('t', 0)!.log;
  await eventually(() => log.logStartOffset >= 4, 5000, 'old segments to be deleted');
  t.is(log.logEndOffset, 5);
});

test('a client that disconnects during a long-poll fetch does not stall the broker (regression)', async (t) => {
  const { b, c } = await setup(t);
  // The waiting fetch used to spin on an already-closed connection until max_wait_ms ran out.
  void c.request(1, 11, fetchReq([{ partition: 0, fetchOffset: 0 }], { id: 0, epoch: -1 }, [], 30000)).catch(() => undefined);
  await new Promise((r) => setTimeout(r, 100));
  c.close();
  const other = await RawClient.connect(b.port);
  t.teardown(() => other.close());
  const r = await other.request(0, 9, {
    transactionalId: null, acks: 1, timeoutMs: 1000,
    topicData: [{ name: 't', partitionData: [{ index: 0, records: await encodeBatch({ records: [{ value: 'after' }] }) }] }],
  });
  t.is(r.responses![0]!.partitionResponses![0]!.errorCode, ErrorCode.NONE);
});
