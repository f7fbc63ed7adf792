// Admin and coordinator corners, at the protocol level: static membership, group.max.size,
// OffsetDelete, multi-group OffsetFetch, batched FindCoordinator, offsets retention,
// DeleteTopics by id, IncrementalAlterConfigs and broker DescribeConfigs.
import test, { type ExecutionContext } from 'ava';
import { ErrorCode } from '../../src/protocol/errors.js';
import type {
  JoinGroupResponse, } from '../../src/protocol/messages/index.js';
import { type RunningBroker, startBroker } from '../../src/index.js';
import { RawClient } from '../support/raw-client.js';
import { sleep } from '../support/helpers.js';

async function setup(t: ExecutionContext, config: Record<string, string> = {}): Promise<{ b: RunningBroker; c: RawClient }> {
  const b = await startBroker({ config });
  t.teardown(() => b.close());
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  await c.request(19, 5, { topics: [{ name: 't', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
  await c.findCoordinator('any');
  return { b, c };
}

const subscription = (topic: string) => Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 1, 0, topic.length]), Buffer.from(topic), Buffer.from([0xff, 0xff, 0xff, 0xff])]);

function join(c: RawClient, group: string, memberId: string, groupInstanceId: string | null = null) {
  return c.request(11, 5, {
    groupId: group, sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId, groupInstanceId, protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscription('t') }],
  });
}

async function joinAndSync(c: RawClient, group: string, groupInstanceId: string | null = null): Promise<JoinGroupResponse> {
  let j = await join(c, group, '', groupInstanceId);
  if (j.errorCode === ErrorCode.MEMBER_ID_REQUIRED) j = await join(c, group, j.memberId!, groupInstanceId);
  const s = await c.request(14, 3, { groupId: group, generationId: j.generationId, memberId: j.memberId, groupInstanceId, assignments: [{ memberId: j.memberId!, assignment: Buffer.from('a') }] });
  if (s.errorCode !== ErrorCode.NONE) throw new Error(`sync failed ${s.errorCode}`);
  return j;
}

const commit = (c: RawClient, group: string, generation: number, memberId: string, offset: number) => c.request(8, 7, {
  groupId: group, generationIdOrMemberEpoch: generation, memberId, groupInstanceId: null,
  topics: [{ name: 't', partitions: [{ partitionIndex: 0, committedOffset: offset, committedLeaderEpoch: -1, committedMetadata: 'm' }] }],
});

test('a static member restarting with a new member id keeps the generation and fences the old id', async (t) => {
  const { c } = await setup(t);
  const first = await joinAndSync(c, 'static', 'instance-1');
  const again = await join(c, 'static', '', 'instance-1');
  t.is(again.errorCode, ErrorCode.NONE);
  t.not(again.memberId, first.memberId);
  t.is(again.generationId, first.generationId, 'no rebalance for a returning static member');
  const old = await c.request(12, 3, { groupId: 'static', generationId: first.generationId, memberId: first.memberId, groupInstanceId: 'instance-1' });
  t.is(old.errorCode, ErrorCode.FENCED_INSTANCE_ID);
  const sync = await c.request(14, 3, { groupId: 'static', generationId: again.generationId, memberId: again.memberId, groupInstanceId: 'instance-1', assignments: [] });
  t.is(sync.assignment!.toString(), 'a', 'the assignment carries over');
});

test('group.max.size refuses a member beyond the limit', async (t) => {
  const { b, c } = await setup(t, { 'group.max.size': '1' });
  await joinAndSync(c, 'small');
  const c2 = await RawClient.connect(b.port);
  t.teardown(() => c2.close());
  const second = await join(c2, 'small', '');
  t.is(second.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
});

test('OffsetDelete removes committed offsets of an empty group and refuses a subscribed topic', async (t) => {
  const { b, c } = await setup(t);
  t.is((await commit(c, 'empty-group', -1, '', 5)).topics![0]!.partitions![0]!.errorCode, ErrorCode.NONE);
  const fetchV8 = () => c.request(9, 8, { groups: [{ groupId: 'empty-group', topics: [{ name: 't', partitionIndexes: [0] }] }, { groupId: 'nobody', topics: null }], requireStable: false });
  let f = await fetchV8();
  t.is(f.groups![0]!.topics![0]!.partitions![0]!.committedOffset, 5);
  t.is(f.groups![0]!.topics![0]!.partitions![0]!.metadata, 'm');
  t.deepEqual(f.groups![1]!.topics, []);
  const del = await c.request(47, 0, { groupId: 'empty-group', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] });
  t.is(del.topics![0]!.partitions![0]!.errorCode, ErrorCode.NONE);
  f = await fetchV8();
  t.is(f.groups![0]!.topics![0]!.partitions![0]!.committedOffset, -1);

  const j = await joinAndSync(c, 'busy-group');
  t.is((await commit(c, 'busy-group', j.generationId!, j.memberId!, 3)).topics![0]!.partitions![0]!.errorCode, ErrorCode.NONE);
  t.is((await commit(c, 'busy-group', j.generationId! + 1, j.memberId!, 3)).topics![0]!.partitions![0]!.errorCode, ErrorCode.ILLEGAL_GENERATION);
  t.is((await commit(c, 'busy-group', j.generationId!, 'stranger', 3)).topics![0]!.partitions![0]!.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  const busy = await c.request(47, 0, { groupId: 'busy-group', topics: [{ name: 't', partitions: [{ partitionIndex: 0 }] }] });
  t.is(busy.topics![0]!.partitions![0]!.errorCode, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
  const unknown = await c.request(47, 0, { groupId: 'no-such-group', topics: [] });
  t.is(unknown.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);

  // offsets.retention.minutes: offsets of a group empty for longer are expired.
  b.broker.groups.manager.expireOffsets(Date.now() + 8 * 24 * 3600_000);
  t.false(b.broker.groups.groups.has('empty-group'));
  t.true(b.broker.groups.groups.has('busy-group'), 'a group with members keeps its offsets');
});

test('FindCoordinator v4 answers several groups in one request', async (t) => {
  const { b, c } = await setup(t);
  const r = await c.request(10, 4, { keyType: 0, coordinatorKeys: ['a', 'b'] });
  t.deepEqual(r.coordinators!.map((x) => [x.key, x.nodeId, x.port, x.errorCode]), [['a', 0, b.port, 0], ['b', 0, b.port, 0]]);
  const v1 = await c.request(10, 1, { key: 'a', keyType: 0 });
  t.like(v1, { errorCode: 0, nodeId: 0, host: '127.0.0.1', port: b.port });
});

test('DeleteTopics v6 deletes by topic id and reports unknown ids', async (t) => {
  const { b, c } = await setup(t);
  const id = b.broker.metadata.topics.get('t')!.topicId;
  const r = await c.request(20, 6, { topics: [{ name: null, topicId: id }, { name: null, topicId: 'ab'.repeat(16) }], timeoutMs: 1000 });
  t.deepEqual(r.responses!.map((x) => [x.name, x.errorCode]), [['t', ErrorCode.NONE], [null, ErrorCode.UNKNOWN_TOPIC_ID]]);
  t.false(b.broker.metadata.topics.has('t'));
});

test('IncrementalAlterConfigs sets, appends and deletes; DescribeConfigs shows sources and synonyms', async (t) => {
  const { c } = await setup(t, { 'log.retention.hours': '24' });
  const alter = (configs: Array<{ name: string; configOperation: number; value: string | null }>) =>
    c.request(44, 1, { resources: [{ resourceType: 2, resourceName: 't', configs }], validateOnly: false });
  t.is((await alter([{ name: 'max.message.bytes', configOperation: 0, value: '2000' }, { name: 'cleanup.policy', configOperation: 2, value: 'compact' }])).responses![0]!.errorCode, ErrorCode.NONE);
  const describe = async (keys: string[]) => (await c.request(32, 4, { resources: [{ resourceType: 2, resourceName: 't', configurationKeys: keys }], includeSynonyms: true, includeDocumentation: false })).results![0]!.configs!;
  let cfg = await describe(['max.message.bytes', 'cleanup.policy', 'retention.ms']);
  const get = (n: string) => cfg.find((x) => x.name === n)!;
  t.like(get('max.message.bytes'), { value: '2000', configSource: 1 });
  t.is(get('cleanup.policy').value, 'delete,compact');
  t.like(get('retention.ms'), { value: String(24 * 3600_000), configSource: 4 }, 'falls back to the static broker config');
  t.true(get('max.message.bytes').synonyms!.some((s) => s.name === 'message.max.bytes' && s.source === 5));
  t.is((await alter([{ name: 'max.message.bytes', configOperation: 1, value: null }])).responses![0]!.errorCode, ErrorCode.NONE);
  cfg = await describe(['max.message.bytes']);
  t.like(cfg[0], { value: '1048588', configSource: 5 });
  t.is((await alter([{ name: 'max.message.bytes', configOperation: 0, value: 'lots' }])).responses![0]!.errorCode, ErrorCode.INVALID_CONFIG);
  const broker = await c.request(32, 4, { resources: [{ resourceType: 4, resourceName: '0', configurationKeys: ['num.partitions', 'log.retention.hours'] }], includeSynonyms: false, includeDocumentation: false });
  t.deepEqual(broker.results![0]!.configs!.map((x) => [x.name, x.value, x.configSource]), [['num.partitions', '1', 5], ['log.retention.hours', '24', 4]]);
});

test('a commit mid-rebalance: ILLEGAL_GENERATION from the old generation, REBALANCE_IN_PROGRESS from the new one before SyncGroup', async (t) => {
  const { b, c } = await setup(t);
  const a = await joinAndSync(c, 'midway');
  const c2 = await RawClient.connect(b.port);
  t.teardown(() => c2.close());
  // A second member makes the group rebalance; the first rejoins, which completes the join.
  const second = join(c2, 'midway', '').then((j) => (j.errorCode === ErrorCode.MEMBER_ID_REQUIRED ? join(c2, 'midway', j.memberId!) : j));
  await sleep(100);
  const rejoined = await join(c, 'midway', a.memberId!);
  await second;
  t.is(rejoined.generationId, a.generationId! + 1);
  t.is((await commit(c, 'midway', a.generationId!, a.memberId!, 5)).topics![0]!.partitions![0]!.errorCode, ErrorCode.ILLEGAL_GENERATION);
  t.is((await commit(c, 'midway', rejoined.generationId!, a.memberId!, 5)).topics![0]!.partitions![0]!.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
});
