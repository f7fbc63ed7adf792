// The classic group coordinator on an in-memory partition writer: no broker, no log, no
// socket, and a clock the test moves.
import test from 'ava';
import { BrokerConfig } from '../../../src/broker/config.js';
import { GroupCoordinator, type JoinParams } from '../../../src/broker/group/coordinator.js';
import { groupKey, readCoordinatorRecord } from '../../../src/broker/group/records.js';
import { createLogger } from '../../../src/broker/logger.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { MemoryPartitionWriter } from '../../support/memory-partition-writer.js';

const PARTITIONS = 4;
/** Kafka's default group.initial.rebalance.delay.ms: the first rebalance of an empty group waits this long for more members. */
const INITIAL_DELAY = 3000;

type Clock = { now: number };

async function setup(writer = new MemoryPartitionWriter(PARTITIONS), config: Record<string, string> = {}) {
  const clock: Clock = { now: 1_000_000 };
  const coordinator = new GroupCoordinator({
    writer,
    config: new BrokerConfig({ 'group.initial.rebalance.delay.ms': String(INITIAL_DELAY), ...config }),
    topicExists: (topic) => topic === 'orders',
    logger: createLogger('silent', 0),
    now: () => clock.now,
  });
  for (let i = 0; i < PARTITIONS; i++) coordinator.partitionElected(i);
  await coordinator.manager.loaded();
  return { coordinator, writer, clock };
}

const join = (groupId: string, over: Partial<JoinParams> = {}): JoinParams => ({
  groupId, sessionTimeoutMs: 10_000, rebalanceTimeoutMs: 30_000, memberId: '', groupInstanceId: null,
  protocolType: 'consumer', protocols: [{ name: 'range', metadata: Buffer.from('sub') }],
  clientId: 'client', clientHost: '/127.0.0.1', requireKnownMemberId: false, ...over,
});

/** Lets the initial rebalance delay pass: the joins waiting on an empty group's first rebalance are answered. */
function settle(coordinator: GroupCoordinator, clock: Clock): void {
  clock.now += INITIAL_DELAY;
  coordinator.tick(clock.now);
}

/** Two members join an empty group; the leader's sync hands out the assignment. */
async function stableGroupOfTwo(coordinator: GroupCoordinator, clock: Clock, groupId: string) {
  const first = coordinator.join(join(groupId, { clientId: 'a' }));
  const second = coordinator.join(join(groupId, { clientId: 'b' }));
  settle(coordinator, clock);
  const [a, b] = await Promise.all([first, second]);
  const leader = a.leader === a.memberId ? a : b;
  const follower = leader === a ? b : a;
  const followerSync = coordinator.sync({ groupId, generationId: follower.generationId, memberId: follower.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments: [] });
  const leaderSync = await coordinator.sync({
    groupId, generationId: leader.generationId, memberId: leader.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range',
    assignments: [{ memberId: leader.memberId, assignment: Buffer.from('p0') }, { memberId: follower.memberId, assignment: Buffer.from('p1') }],
  });
  return { leader, follower, leaderSync, followerSync: await followerSync };
}

test('two members join, the leader assigns, both get their share and the group is stored', async (t) => {
  const { coordinator, writer, clock } = await setup();
  const { leader, follower, leaderSync, followerSync } = await stableGroupOfTwo(coordinator, clock, 'g');
  t.is(leader.errorCode, ErrorCode.NONE);
  t.is(leader.generationId, 1);
  t.is(leader.members.length, 2, 'only the leader is told the members');
  t.is(follower.members.length, 0);
  t.is(leaderSync.assignment.toString(), 'p0');
  t.is(followerSync.assignment.toString(), 'p1');
  t.is(coordinator.groups.get('g')!.state, 'Stable');
  const stored = writer.all().map((r) => readCoordinatorRecord(r.key, r.value)).filter((r) => r?.kind === 'group');
  const last = stored[stored.length - 1]!;
  t.true(last.kind === 'group' && last.value!.generation === 1 && last.value!.members.length === 2);
  t.is(coordinator.heartbeat('g', 1, follower.memberId, null), ErrorCode.NONE);
  t.is(coordinator.heartbeat('g', 0, follower.memberId, null), ErrorCode.ILLEGAL_GENERATION);
});

test('JoinGroup v4+: a new member is first given its id (MEMBER_ID_REQUIRED), then joins with it', async (t) => {
  const { coordinator, clock } = await setup();
  const first = await coordinator.join(join('g', { requireKnownMemberId: true }));
  t.is(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  t.regex(first.memberId, /^client-/);
  const joining = coordinator.join(join('g', { memberId: first.memberId, requireKnownMemberId: true }));
  settle(coordinator, clock);
  const joined = await joining;
  t.is(joined.errorCode, ErrorCode.NONE);
  t.is(joined.memberId, first.memberId);
  t.is((await coordinator.join(join('g', { memberId: 'nobody' }))).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
});

test('a static member restarting with the same protocols takes its place without a rebalance; its old id is fenced', async (t) => {
  const { coordinator, clock } = await setup();
  const joining = coordinator.join(join('g', { groupInstanceId: 'instance-1' }));
  settle(coordinator, clock);
  const first = await joining;
  await coordinator.sync({ groupId: 'g', generationId: 1, memberId: first.memberId, groupInstanceId: 'instance-1', protocolType: 'consumer', protocolName: 'range', assignments: [{ memberId: first.memberId, assignment: Buffer.from('all') }] });
  const again = await coordinator.join(join('g', { groupInstanceId: 'instance-1' }));
  t.is(again.errorCode, ErrorCode.NONE);
  t.is(again.generationId, 1, 'no new generation');
  t.not(again.memberId, first.memberId);
  t.is(coordinator.groups.get('g')!.state, 'Stable');
  t.is(coordinator.heartbeat('g', 1, first.memberId, 'instance-1'), ErrorCode.FENCED_INSTANCE_ID);
  t.is(coordinator.heartbeat('g', 1, again.memberId, 'instance-1'), ErrorCode.NONE);
});

test('a silent member is removed after its session timeout and the group rebalances without it', async (t) => {
  const { coordinator, clock } = await setup();
  const { leader, follower } = await stableGroupOfTwo(coordinator, clock, 'g');
  clock.now += 6_000;
  t.is(coordinator.heartbeat('g', 1, leader.memberId, null), ErrorCode.NONE);
  clock.now += 6_000;
  coordinator.tick(clock.now);
  const g = coordinator.groups.get('g')!;
  t.false(g.members.has(follower.memberId), 'the follower was silent for 12 s of a 10 s session');
  t.is(g.state, 'PreparingRebalance');
  t.is(coordinator.heartbeat('g', 1, leader.memberId, null), ErrorCode.REBALANCE_IN_PROGRESS);
  const rejoin = await coordinator.join(join('g', { memberId: leader.memberId }));
  t.is(rejoin.generationId, 2);
  t.is(rejoin.members.length, 1);
});

test('committed offsets are written, fetched, and found again by the next coordinator of the partition', async (t) => {
  const { coordinator, writer, clock } = await setup();
  const { leader } = await stableGroupOfTwo(coordinator, clock, 'g');
  const codes = await coordinator.manager.commitOffsets('g', 1, leader.memberId, null, [
    { topic: 'orders', partition: 0, offset: 42, leaderEpoch: 3, metadata: 'm' },
    { topic: 'missing', partition: 0, offset: 1, leaderEpoch: -1, metadata: null },
  ]);
  t.deepEqual(codes, [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  t.deepEqual(await coordinator.manager.commitOffsets('g', 0, leader.memberId, null, [{ topic: 'orders', partition: 0, offset: 1, leaderEpoch: -1, metadata: null }]), [ErrorCode.ILLEGAL_GENERATION]);
  const fetched = coordinator.manager.fetchOffsets('g', [{ name: 'orders', partitions: [0, 1] }]);
  t.like(fetched[0]!.partitions[0]!.committed, { offset: 42, leaderEpoch: 3, metadata: 'm' });
  t.is(fetched[0]!.partitions[1]!.committed, null);

  // The partition's leadership moves to another coordinator over the same log.
  const index = coordinator.manager.partitionFor('g');
  writer.leading.delete(index);
  coordinator.partitionResigned(index);
  t.is(coordinator.manager.coordinatorError('g'), ErrorCode.NOT_COORDINATOR, 'no longer coordinated here');
  t.false(coordinator.groups.has('g'));
  writer.leading.add(index);
  const { coordinator: next } = await setup(writer);
  await next.manager.loaded();
  t.is(next.manager.coordinatorError('g'), null);
  t.like(next.manager.fetchOffsets('g', null)[0], { name: 'orders' });
  t.like(next.manager.fetchOffsets('g', null)[0]!.partitions[0]!.committed, { offset: 42, leaderEpoch: 3 });
  const loaded = next.groups.get('g')!;
  t.is(loaded.generationId, 1);
  t.is(loaded.members.size, 2, 'members come back from the group record');
  t.is(loaded.state, 'Stable');
});

test('a coordinator that does not lead the group\'s partition sends the client away; a member waiting on a join learns of it', async (t) => {
  const writer = new MemoryPartitionWriter(PARTITIONS);
  const { coordinator, clock } = await setup(writer);
  const { follower } = await stableGroupOfTwo(coordinator, clock, 'g');
  // New metadata from the follower starts a rebalance that waits for the leader to rejoin.
  const rejoin = coordinator.join(join('g', { memberId: follower.memberId, protocols: [{ name: 'range', metadata: Buffer.from('other') }] }));
  t.is(coordinator.groups.get('g')!.state, 'PreparingRebalance');
  const index = coordinator.manager.partitionFor('g');
  writer.leading.delete(index);
  coordinator.partitionResigned(index);
  t.is((await rejoin).errorCode, ErrorCode.NOT_COORDINATOR);
  t.is(coordinator.heartbeat('g', 1, follower.memberId, null), ErrorCode.NOT_COORDINATOR);
  t.deepEqual(await coordinator.manager.commitOffsets('g', -1, '', null, [{ topic: 'orders', partition: 0, offset: 1, leaderEpoch: -1, metadata: null }]), [ErrorCode.NOT_COORDINATOR]);
});

test('offsets of a group empty for offsets.retention.minutes expire, with tombstones written; a live group keeps its own', async (t) => {
  const { coordinator, writer, clock } = await setup(undefined, { 'offsets.retention.minutes': '1' });
  t.deepEqual(await coordinator.manager.commitOffsets('idle', -1, '', null, [{ topic: 'orders', partition: 0, offset: 5, leaderEpoch: -1, metadata: null }]), [ErrorCode.NONE]);
  const { leader } = await stableGroupOfTwo(coordinator, clock, 'busy');
  await coordinator.manager.commitOffsets('busy', 1, leader.memberId, null, [{ topic: 'orders', partition: 0, offset: 7, leaderEpoch: -1, metadata: null }]);
  clock.now += 61_000;
  coordinator.manager.expireOffsets(clock.now);
  t.false(coordinator.groups.has('idle'));
  t.true(coordinator.groups.has('busy'));
  const tombstones = writer.all().filter((r) => r.value === null).map((r) => readCoordinatorRecord(r.key, null));
  t.true(tombstones.some((r) => r?.kind === 'offset' && r.group === 'idle' && r.topic === 'orders'));
  t.true(writer.all().some((r) => r.value === null && r.key.equals(groupKey('idle'))));
});

test('LeaveGroup removes a member and rebalances; DeleteGroups refuses a group with members', async (t) => {
  const { coordinator, clock } = await setup();
  const { leader, follower } = await stableGroupOfTwo(coordinator, clock, 'g');
  t.is(coordinator.manager.deleteGroup('g'), ErrorCode.NON_EMPTY_GROUP);
  t.deepEqual(coordinator.leave('g', [{ memberId: follower.memberId, groupInstanceId: null }, { memberId: 'nobody', groupInstanceId: null }]), [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID]);
  t.is(coordinator.groups.get('g')!.state, 'PreparingRebalance');
  coordinator.leave('g', [{ memberId: leader.memberId, groupInstanceId: null }]);
  t.is(coordinator.groups.get('g')!.state, 'Empty');
  t.is(coordinator.manager.deleteGroup('g'), ErrorCode.NONE);
  t.is(coordinator.manager.deleteGroup('g'), ErrorCode.GROUP_ID_NOT_FOUND);
});
