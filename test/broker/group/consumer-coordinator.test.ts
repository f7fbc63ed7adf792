// The KIP-848 consumer group coordinator on an in-memory partition writer, a topic
// catalog the test edits and a clock it moves: joins, revoke-then-assign, epochs and
// fencing, static members, leaving, session timeouts, regex subscriptions, offsets.
import test from 'ava';
import { BrokerConfig } from '../../../src/broker/config.js';
import { GroupCoordinator } from '../../../src/broker/group/coordinator.js';
import { createLogger } from '../../../src/broker/logger.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import type { ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '../../../src/protocol/messages/index.js';
import { MemoryPartitionWriter } from '../../support/memory-partition-writer.js';
import { assignmentBytes, readAssignment, subscriptionBytes } from '../../../src/protocol/consumer-protocol.js';

/** The authorized-operations field when not asked for. */
const OMITTED = -2147483648;

const ORDERS = '0a'.repeat(16);
const INVOICES = '0b'.repeat(16);

async function setup(config: Record<string, string> = {}, writer = new MemoryPartitionWriter(1)) {
  const clock = { now: 1_000_000 };
  const topics = new Map([['orders', { topicId: ORDERS, partitions: 4, internal: false }]]);
  const coordinator = new GroupCoordinator({
    writer,
    config: new BrokerConfig({ 'offsets.topic.num.partitions': '1', ...config }),
    topicExists: (t) => topics.has(t),
    topics: { byName: (n) => topics.get(n), nameOf: (id) => [...topics].find(([, x]) => x.topicId === id)?.[0], names: () => topics.keys() },
    logger: createLogger('silent', 0),
    now: () => clock.now,
  });
  coordinator.partitionElected(0);
  await coordinator.manager.loaded();
  const client = { clientId: 'c', clientHost: '/127.0.0.1' };
  const beat = (over: Partial<ConsumerGroupHeartbeatRequest>, version = 1): Promise<ConsumerGroupHeartbeatResponse> => coordinator.consumer.heartbeat({
    groupId: 'g', memberId: 'm1', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30_000, subscribedTopicNames: ['orders'],
    subscribedTopicRegex: null, serverAssignor: null, topicPartitions: [], ...over,
  }, version, client);
  /** A later heartbeat of a member: only what changed, and the partitions it owns. */
  const again = (memberId: string, memberEpoch: number, owned: number[], over: Partial<ConsumerGroupHeartbeatRequest> = {}) => beat({
    memberId, memberEpoch, rebalanceTimeoutMs: -1, subscribedTopicNames: null, topicPartitions: owned.length ? [{ topicId: ORDERS, partitions: owned }] : [], ...over,
  });
  return { coordinator, clock, topics, beat, again, writer };
}

const parts = (r: ConsumerGroupHeartbeatResponse) => r.assignment?.topicPartitions.flatMap((t) => [...t.partitions]) ?? null;

test('a second member gets partitions only once the first has revoked them; the group settles Stable', async (t) => {
  const { coordinator, beat, again } = await setup();
  const first = await beat({ memberId: 'm1' });
  t.like(first, { errorCode: 0, memberId: 'm1', memberEpoch: 1, heartbeatIntervalMs: 5000 });
  t.deepEqual(parts(first), [0, 1, 2, 3]);

  const second = await beat({ memberId: 'm2' });
  t.like(second, { errorCode: 0, memberEpoch: 2 });
  t.deepEqual(parts(second), [], 'what it is to get is still the first member\'s');
  t.is(coordinator.consumer.describe('g', OMITTED).groupState, 'Reconciling');

  const revoke = await again('m1', 1, [0, 1, 2, 3]);
  t.like(revoke, { memberEpoch: 1 }, 'a member revoking keeps its epoch');
  t.deepEqual(parts(revoke), [0, 1]);
  t.is((await again('m2', 2, [])).assignment, null, 'not released yet: nothing new to say');

  t.like(await again('m1', 1, [0, 1]), { memberEpoch: 2, assignment: null });
  t.deepEqual(parts(await again('m2', 2, [])), [2, 3]);
  const described = coordinator.consumer.describe('g', OMITTED);
  t.like(described, { errorCode: 0, groupState: 'Stable', groupEpoch: 2, assignmentEpoch: 2, assignorName: 'uniform' });
  t.deepEqual(described.members.map((m) => [m.memberId, m.memberEpoch, m.assignment.topicPartitions.map((x) => [x.topicName, [...x.partitions]])]), [
    ['m1', 2, [['orders', [0, 1]]]],
    ['m2', 2, [['orders', [2, 3]]]],
  ]);
});

test('requests Kafka refuses are refused with its errors and words', async (t) => {
  const { beat } = await setup({ 'group.consumer.max.size': '1' });
  t.like(await beat({ groupId: '' }), { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "GroupId can't be empty." });
  t.like(await beat({ memberId: '' }), { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: "MemberId can't be empty." });
  t.like(await beat({ memberId: '' }, 0), { errorCode: 0 }, 'v0: the coordinator names the member');
  t.like(await beat({ memberId: 'x', rebalanceTimeoutMs: -1 }), { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'RebalanceTimeoutMs must be provided in first request.' });
  t.like(await beat({ memberId: 'x', subscribedTopicNames: null }), { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'SubscribedTopicNames or SubscribedTopicRegex must be set in first request.' });
  t.like(await beat({ memberId: 'x', topicPartitions: [{ topicId: ORDERS, partitions: [0] }] }), { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'TopicPartitions must be empty when (re-)joining.' });
  t.like(await beat({ memberId: 'x', memberEpoch: -3 }), { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'MemberEpoch is invalid.' });
  t.like(await beat({ memberId: 'x', serverAssignor: 'sticky' }), { errorCode: ErrorCode.UNSUPPORTED_ASSIGNOR, errorMessage: 'ServerAssignor sticky is not supported. Supported assignors: uniform, range.' });
  t.like(await beat({ memberId: 'x', subscribedTopicRegex: '(orders' }), { errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION });
  t.like(await beat({ groupId: 'other', memberId: 'x', memberEpoch: 3, topicPartitions: null }), { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, errorMessage: 'Consumer group other not found.' });
  t.like(await beat({ memberId: 'm1' }), { errorCode: ErrorCode.GROUP_MAX_SIZE_REACHED }, 'the v0 member filled the group');
  const { beat: beat2, again: again2 } = await setup();
  await beat2({ memberId: 'm1' });
  t.like(await again2('m1', 2, []), { errorCode: ErrorCode.FENCED_MEMBER_EPOCH, errorMessage: 'The consumer group member has a greater member epoch (2) than the one known by the group coordinator (1). The member must abandon all its partitions and rejoin.' });
  t.like(await again2('nobody', 1, []), { errorCode: ErrorCode.UNKNOWN_MEMBER_ID, errorMessage: 'Member nobody is not a member of group g.' });
});

test('a member that leaves, or goes silent past its session, gives its partitions back', async (t) => {
  const { beat, again, clock, coordinator } = await setup({ 'group.consumer.session.timeout.ms': '10000' });
  await beat({ memberId: 'm1' });
  await beat({ memberId: 'm2' });
  await again('m1', 1, [0, 1, 2, 3]);
  await again('m1', 1, [0, 1]);
  await again('m2', 2, []);
  t.like(await again('m1', 2, [0, 1], { memberEpoch: -1 }), { errorCode: 0, memberEpoch: -1 });
  const after = await again('m2', 2, [2, 3]);
  t.like(after, { memberEpoch: 3 });
  t.deepEqual(parts(after), [0, 1, 2, 3]);
  await beat({ memberId: 'm3' });
  clock.now += 11_000;
  await again('m3', 4, []);
  coordinator.tick(clock.now);
  t.deepEqual(coordinator.consumer.describe('g', OMITTED).members.map((m) => m.memberId), ['m3'], 'm2 went silent: fenced');
});

test('a static member that leaves keeps its partitions and takes them back under a new member id, without a rebalance', async (t) => {
  const { beat, again, coordinator } = await setup();
  await beat({ memberId: 'a1', instanceId: 'instance-a' });
  await beat({ memberId: 'b1', instanceId: 'instance-b' });
  await again('a1', 1, [0, 1, 2, 3], { instanceId: 'instance-a' });
  await again('a1', 1, [0, 1], { instanceId: 'instance-a' });
  await again('b1', 2, [], { instanceId: 'instance-b' });
  const epoch = coordinator.consumer.describe('g', OMITTED).groupEpoch;
  t.like(await again('a1', 2, [0, 1], { instanceId: 'instance-a', memberEpoch: -2 }), { errorCode: 0, memberEpoch: -2 });
  t.like(await beat({ memberId: 'b2', instanceId: 'instance-b' }), { errorCode: ErrorCode.UNRELEASED_INSTANCE_ID }, 'instance-b has not left');
  const back = await beat({ memberId: 'a2', instanceId: 'instance-a' });
  t.like(back, { errorCode: 0, memberId: 'a2', memberEpoch: 2 });
  t.deepEqual(parts(back), [0, 1]);
  t.is(coordinator.consumer.describe('g', OMITTED).groupEpoch, epoch, 'no new group epoch');
});

test('a regex subscription takes in a topic created later; offsets need the member\'s current epoch', async (t) => {
  const { beat, again, topics, clock, coordinator } = await setup();
  const joined = await beat({ memberId: 'm1', subscribedTopicNames: null, subscribedTopicRegex: 'orders|invoices' });
  t.deepEqual(parts(joined), [0, 1, 2, 3]);
  topics.set('invoices', { topicId: INVOICES, partitions: 2, internal: false });
  coordinator.tick(clock.now);
  const grown = await again('m1', 1, [0, 1, 2, 3]);
  t.like(grown, { memberEpoch: 2 });
  t.deepEqual(grown.assignment?.topicPartitions.map((x) => [x.topicId, [...x.partitions]]), [[ORDERS, [0, 1, 2, 3]], [INVOICES, [0, 1]]]);

  const commit = (memberId: string, epoch: number, version = 9) => coordinator.manager.commitOffsets('g', epoch, memberId, null, [{ topic: 'orders', partition: 0, offset: 5, leaderEpoch: -1, metadata: null }], version);
  t.deepEqual(await commit('m1', 2), [ErrorCode.NONE]);
  t.deepEqual(await commit('m1', 1), [ErrorCode.STALE_MEMBER_EPOCH]);
  t.deepEqual(await commit('m1', 2, 8), [ErrorCode.UNSUPPORTED_VERSION], 'a KIP-848 member commits with v9+');
  t.deepEqual(await commit('', -1), [ErrorCode.UNKNOWN_MEMBER_ID], 'an admin commits only to a group without members');
  // A classic member of another protocol type cannot join; one of the consumer protocol can (mixed groups, below).
  t.like(await coordinator.join({ groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'connect', protocols: [{ name: 'range', metadata: Buffer.alloc(0) }], clientId: 'c', clientHost: 'h', requireKnownMemberId: false }), { errorCode: ErrorCode.INCONSISTENT_GROUP_PROTOCOL });
});

test('a new coordinator reads the group back from __consumer_offsets: members go on at their epochs, without a rebalance', async (t) => {
  const { beat, again, writer, coordinator } = await setup();
  await beat({ memberId: 'm1' });
  await beat({ memberId: 'm2', instanceId: 'static-2' });
  await again('m1', 1, [0, 1, 2, 3]);
  await again('m1', 1, [0, 1]);
  await again('m2', 2, [], { instanceId: 'static-2' });
  const before = coordinator.consumer.describe('g', OMITTED);
  t.is(before.groupState, 'Stable');
  // Kafka's record types: group epoch (3), member (5), target epoch (6), target member (7), current assignment (8).
  t.deepEqual([...new Set(writer.logs.get(0)!.flatMap((e) => ('key' in e ? [e.key.readInt16BE(0)] : [])))].sort(), [3, 5, 6, 7, 8]);

  const next = await setup({}, writer);
  const after = next.coordinator.consumer.describe('g', OMITTED);
  t.deepEqual(after, before);
  t.like(await next.again('m1', 2, [0, 1]), { errorCode: 0, memberEpoch: 2 });
  t.like(await next.again('m2', 2, [2, 3], { instanceId: 'static-2' }), { errorCode: 0, memberEpoch: 2 });
  t.is(next.coordinator.consumer.describe('g', OMITTED).groupEpoch, 2, 'no rebalance');

  // Deleting the group once it is empty leaves nothing of it to read back.
  await next.again('m1', 2, [0, 1], { memberEpoch: -1 });
  await next.again('m2', 3, [0, 1, 2, 3], { memberEpoch: -1, instanceId: 'static-2' });
  t.is(next.coordinator.manager.deleteGroup('g'), ErrorCode.NONE);
  const third = await setup({}, writer);
  t.like(third.coordinator.consumer.describe('g', OMITTED), { errorCode: ErrorCode.GROUP_ID_NOT_FOUND });
});

test('mixed groups: a consumer-protocol member upgrades a live classic group; its classic member rejoins through the consumer protocol; the group turns classic again when the last consumer-protocol member leaves', async (t) => {
  const { coordinator, beat, again, writer } = await setup({ 'group.initial.rebalance.delay.ms': '0' });
  const sub = subscriptionBytes(['orders']);
  const classicJoin = (memberId: string) => coordinator.join({
    groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: null, protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: sub }], clientId: 'classic', clientHost: '/127.0.0.1', requireKnownMemberId: false,
  });
  const sync = (memberId: string, generationId: number, assignments: Array<{ memberId: string; assignment: Buffer }> = []) =>
    coordinator.sync({ groupId: 'g', generationId, memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments });

  // A classic group of one member holding every partition.
  const joined = await classicJoin('');
  const c1 = joined.memberId;
  t.like(joined, { errorCode: 0, generationId: 1, leader: c1 });
  t.like(await sync(c1, 1, [{ memberId: c1, assignment: assignmentBytes(new Map([['orders', [0, 1, 2, 3]]])) }]), { errorCode: 0 });

  // A member of the consumer protocol joins: the group is upgraded at generation 1 and moves to epoch 2.
  const k1 = await beat({ memberId: 'k1' });
  t.like(k1, { errorCode: 0, memberEpoch: 2 });
  t.deepEqual(parts(k1), [], 'its partitions are still the classic member\'s');
  const described = coordinator.consumer.describe('g', OMITTED);
  t.deepEqual(described.members.map((m) => [m.memberId, m.memberType, m.memberEpoch]).sort(), [[c1, 0, 1], ['k1', 1, 2]]);
  t.is(coordinator.groups.get('g')!.members.size, 0, 'no classic membership left beside the consumer group');

  // The classic member is told to rejoin, rejoins (eagerly owning nothing), and syncs its share.
  t.is(coordinator.heartbeat('g', 1, c1, null), ErrorCode.REBALANCE_IN_PROGRESS);
  const rejoined = await classicJoin(c1);
  t.like(rejoined, { errorCode: 0, generationId: 2, leader: '', members: [] });
  const synced = await sync(c1, 2);
  t.is(synced.errorCode, 0);
  t.deepEqual([...readAssignment(synced.assignment)], [['orders', [0, 1]]]);
  t.is(coordinator.heartbeat('g', 2, c1, null), ErrorCode.NONE);
  t.deepEqual(parts(await again('k1', 2, [])), [2, 3], 'released, the consumer-protocol member gets them');
  t.deepEqual(await coordinator.manager.commitOffsets('g', 2, c1, null, [{ topic: 'orders', partition: 0, offset: 1, leaderEpoch: -1, metadata: null }], 8), [ErrorCode.NONE], 'the classic member commits with its generation');
  t.deepEqual(await coordinator.manager.commitOffsets('g', 1, c1, null, [{ topic: 'orders', partition: 0, offset: 1, leaderEpoch: -1, metadata: null }], 8), [ErrorCode.ILLEGAL_GENERATION]);
  // A new coordinator reads the mixed group back, classic member and all.
  const next = (await setup({}, writer)).coordinator;
  t.deepEqual(next.consumer.describe('g', OMITTED).members.map((m) => [m.memberId, m.memberType, m.memberEpoch]).sort(), [[c1, 0, 2], ['k1', 1, 2]]);
  t.is(next.heartbeat('g', 2, c1, null), ErrorCode.NONE);

  // The last consumer-protocol member leaves: classic again, rebalancing at generation 2.
  t.like(await beat({ memberId: 'k1', memberEpoch: -1 }), { errorCode: 0 });
  const g = coordinator.groups.get('g')!;
  t.is(g.consumer, null);
  t.deepEqual([g.state, g.generationId, [...g.members.keys()]], ['PreparingRebalance', 2, [c1]]);
  t.is(coordinator.heartbeat('g', 2, c1, null), ErrorCode.REBALANCE_IN_PROGRESS);
  t.like(await classicJoin(c1), { errorCode: 0, generationId: 3, leader: c1 });
});

test('group.consumer.migration.policy=disabled keeps a live classic group classic: a consumer-protocol member is refused', async (t) => {
  const { coordinator, beat } = await setup({ 'group.initial.rebalance.delay.ms': '0', 'group.consumer.migration.policy': 'disabled' });
  const joined = await coordinator.join({
    groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId: '', groupInstanceId: null, protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscriptionBytes(['orders']) }], clientId: 'classic', clientHost: '/127.0.0.1', requireKnownMemberId: false,
  });
  t.is(joined.errorCode, 0);
  t.like(await beat({ memberId: 'k1' }), { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: 'Group g is not a consumer group.' });
  t.is(coordinator.groups.get('g')!.consumer, null);
});

test('mixed groups: a static classic member restarting under a new member id takes over its place in the consumer group', async (t) => {
  const { coordinator, beat } = await setup({ 'group.initial.rebalance.delay.ms': '0' });
  const join = (memberId: string) => coordinator.join({
    groupId: 'g', sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 10_000, memberId, groupInstanceId: 'i-1', protocolType: 'consumer',
    protocols: [{ name: 'range', metadata: subscriptionBytes(['orders']) }], clientId: 'classic', clientHost: '/127.0.0.1', requireKnownMemberId: true,
  });
  const first = await join('');
  await coordinator.sync({ groupId: 'g', generationId: first.generationId, memberId: first.memberId, groupInstanceId: 'i-1', protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: first.memberId, assignment: assignmentBytes(new Map([['orders', [0, 1, 2, 3]]])) }] });
  t.like(await beat({ memberId: 'k1' }), { errorCode: 0 });
  const restarted = await join('');
  t.is(restarted.errorCode, 0);
  t.not(restarted.memberId, first.memberId);
  const members = coordinator.consumer.describe('g', OMITTED).members;
  t.deepEqual(members.map((m) => [m.instanceId, m.memberType]).sort(), [[null, 1], ['i-1', 0]], 'one classic member for the instance, under its new id');
  t.true(members.some((m) => m.memberId === restarted.memberId));
});
