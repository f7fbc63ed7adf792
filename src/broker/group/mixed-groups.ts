// KIP-848's mixed groups, as Kafka 4.0's GroupMetadataManager runs them: a live classic
// group turns into a consumer group when a member of the consumer protocol joins it
// (online upgrade), its classic members carry on with JoinGroup, SyncGroup and Heartbeat
// against the consumer group (their generation is their member epoch, their assignment
// the server-side assignor's), and when the last member of the consumer protocol leaves a
// group of classic members it turns classic again and rebalances (online downgrade).
// `group.consumer.migration.policy` says which ways are allowed.
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.js';
import { assignmentBytes, readAssignment, readSubscription } from '../../protocol/consumer-protocol.js';
import type { Assignment } from './assignors.js';
import type { CoordinatorRecord } from '../coordinator/partition-writer.js';
import { ConsumerGroup, type ConsumerMember } from './consumer-group.js';
import { consumerGroupTombstones, currentRecord, groupEpochRecord, memberRecord, memberTombstones, targetEpochRecord, targetRecord } from './consumer-records.js';
import type { ConsumerGroupCoordinator, TopicCatalog } from './consumer-coordinator.js';
import { HeartbeatError } from './heartbeat-error.js';
import type { Group, JoinResult, Member, SyncResult } from './group.js';
import type { GroupManager } from './group-manager.js';
import { groupKey } from './records.js';

export interface ClassicJoin {
  groupId: string;
  memberId: string;
  groupInstanceId: string | null;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
  clientId: string;
  clientHost: string;
  requireKnownMemberId: boolean;
}

const EMPTY: Assignment = new Map();
const CONSUMER = 'consumer';

export class MixedGroups {
  constructor(
    private readonly manager: GroupManager,
    private readonly coordinator: ConsumerGroupCoordinator,
    private readonly deps: { config: { get(name: string): string | null; int(name: string): number }; topics: TopicCatalog; logger: { info(m: string): void }; now(): number },
  ) {}

  /** group.consumer.migration.policy: bidirectional (Kafka 4's default), upgrade, downgrade or disabled. */
  private allows(way: 'upgrade' | 'downgrade'): boolean {
    const policy = (this.deps.config.get('group.consumer.migration.policy') ?? 'bidirectional').toLowerCase();
    return policy === 'bidirectional' || policy === way;
  }

  /**
   * Kafka's validateOnlineUpgrade and convertToConsumerGroup: a classic group of the
   * consumer protocol within group.consumer.max.size becomes a consumer group at its
   * generation, each member keeping its assignment; null when it may not.
   */
  upgrade(g: Group, records: CoordinatorRecord[]): ConsumerGroup | null {
    if (!this.allows('upgrade') || g.protocolType !== CONSUMER || g.members.size > this.deps.config.int('group.consumer.max.size')) return null;
    const now = this.deps.now();
    const cg = new ConsumerGroup(g.groupId);
    cg.groupEpoch = g.generationId;
    cg.targetAssignmentEpoch = g.generationId;
    // The topics as they are now: only a change from here moves the epoch.
    cg.subscriptionMetadata = null;
    records.push({ key: groupKey(g.groupId), value: null });
    for (const m of g.members.values()) {
      const sub = readSubscription(g.metadataFor(m));
      const assigned = this.byId(readAssignment(m.assignment));
      const member: ConsumerMember = {
        memberId: m.memberId, instanceId: m.groupInstanceId, rackId: sub.rackId, clientId: m.clientId, clientHost: m.clientHost,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs, subscribedTopicNames: sub.topics, subscribedTopicRegex: null, serverAssignor: null,
        sessionDeadline: now + m.sessionTimeoutMs, revocationDeadline: null, state: 'STABLE', memberEpoch: g.generationId, previousMemberEpoch: g.generationId,
        assigned, pendingRevocation: EMPTY, classic: { sessionTimeoutMs: m.sessionTimeoutMs, protocols: m.protocols },
      };
      cg.target.set(m.memberId, assigned);
      cg.set(member);
      records.push(memberRecord(g.groupId, m.memberId, member), targetRecord(g.groupId, m.memberId, assigned), currentRecord(g.groupId, m.memberId, member));
    }
    records.push(groupEpochRecord(g.groupId, cg.groupEpoch), targetEpochRecord(g.groupId, cg.targetAssignmentEpoch));
    g.answerWaiting(ErrorCode.REBALANCE_IN_PROGRESS);
    g.members.clear();
    g.staticMembers.clear();
    g.pendingMembers.clear();
    g.leaderId = null;
    g.consumer = cg;
    this.deps.logger.info(`group ${g.groupId}: upgraded from the classic to the consumer protocol at generation ${cg.groupEpoch}, ${cg.members.size} classic member(s) kept`);
    return cg;
  }

  /**
   * Kafka's convertToClassicGroup: once only classic members are left, the group turns
   * classic at its epoch with their assignments, and rebalances. False when it stays.
   */
  maybeDowngrade(g: Group, cg: ConsumerGroup, records: CoordinatorRecord[]): boolean {
    const members = [...cg.members.values()];
    if (members.length === 0 || members.some((m) => !m.classic) || !this.allows('downgrade')) return false;
    records.push(...consumerGroupTombstones(cg));
    g.consumer = null;
    g.generationId = cg.groupEpoch;
    g.protocolType = CONSUMER;
    const first = members[0]!.classic!.protocols;
    g.protocolName = first.find((p) => members.every((m) => m.classic!.protocols.some((q) => q.name === p.name)))?.name ?? first[0]?.name ?? null;
    g.leaderId = null;
    for (const m of members) {
      const classic = m.classic!;
      const member: Member = {
        memberId: m.memberId, groupInstanceId: m.instanceId, clientId: m.clientId, clientHost: m.clientHost, sessionTimeoutMs: classic.sessionTimeoutMs,
        rebalanceTimeoutMs: m.rebalanceTimeoutMs, protocolType: CONSUMER, protocols: [...classic.protocols], assignment: this.bytes(cg.target.get(m.memberId) ?? EMPTY),
        lastHeartbeat: this.deps.now(), awaitingJoin: null, awaitingSync: null,
      };
      g.members.set(m.memberId, member);
      if (m.instanceId !== null) g.staticMembers.set(m.instanceId, m.memberId);
    }
    this.deps.logger.info(`group ${g.groupId}: downgraded from the consumer to the classic protocol; ${members.length} classic member(s) rebalance`);
    return true;
  }

  // ---- classic members of a consumer group --------------------------------------------

  /** Kafka's classicGroupJoinToConsumerGroup: the member joins or rejoins through the consumer protocol's reconciliation. */
  async join(g: Group, cg: ConsumerGroup, p: ClassicJoin): Promise<JoinResult> {
    const fail = (errorCode: number, memberId = p.memberId): JoinResult => ({ errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, skipAssignment: false, members: [] });
    if (p.protocolType !== CONSUMER || p.protocols.length === 0) return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    let memberId = p.memberId;
    if (memberId === '') {
      memberId = `${p.clientId}-${randomUUID()}`;
      // A dynamic member first gets its id, as with a classic group (JoinGroup v4+).
      if (p.groupInstanceId === null && p.requireKnownMemberId) return fail(ErrorCode.MEMBER_ID_REQUIRED, memberId);
    }
    const records: CoordinatorRecord[] = [];
    let existing = cg.members.get(memberId);
    if (p.groupInstanceId !== null) {
      const previous = cg.staticMember(p.groupInstanceId);
      if (previous && previous.memberId !== memberId) {
        if (p.memberId !== '') return fail(ErrorCode.FENCED_INSTANCE_ID);
        // A static member back under a new id takes over the old one's place and target.
        const target = cg.target.get(previous.memberId);
        cg.remove(previous.memberId);
        if (target) cg.target.set(memberId, target);
        records.push(...memberTombstones(g.groupId, previous.memberId));
        if (target) records.push(targetRecord(g.groupId, memberId, target));
        existing = { ...previous, memberId };
      }
    } else if (p.memberId !== '' && !existing) {
      return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    }
    const sub = readSubscription(p.protocols[0]!.metadata);
    const now = this.deps.now();
    let member: ConsumerMember;
    try {
      ({ member } = this.coordinator.upsertMember(cg, existing, memberId, {
        instanceId: p.groupInstanceId, rackId: sub.rackId, rebalanceTimeoutMs: p.rebalanceTimeoutMs, subscribedTopicNames: sub.topics,
        subscribedTopicRegex: null, serverAssignor: null, clientId: p.clientId, clientHost: p.clientHost,
        classic: { sessionTimeoutMs: p.sessionTimeoutMs, protocols: p.protocols.map((x) => ({ name: x.name, metadata: Buffer.from(x.metadata) })) },
        sessionTimeoutMs: p.sessionTimeoutMs,
      }, this.owned(sub.ownedPartitions), now, records));
    } catch (e) {
      if (!(e instanceof HeartbeatError)) throw e;
      return fail(e.code);
    }
    const written = await this.manager.write(g.groupId, records);
    if (written !== ErrorCode.NONE) return fail(written);
    return {
      errorCode: ErrorCode.NONE, generationId: member.memberEpoch, protocolType: CONSUMER, protocolName: p.protocols[0]!.name,
      leader: '', memberId, skipAssignment: false, members: [],
    };
  }

  /** Kafka's classicGroupSyncToConsumerGroup: the member's current assignment, once it is reconciled at the group's epoch. */
  sync(cg: ConsumerGroup, memberId: string, groupInstanceId: string | null, generationId: number, protocolType: string | null, protocolName: string | null): SyncResult {
    const fail = (errorCode: number): SyncResult => ({ errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    const m = this.classicMember(cg, memberId, groupInstanceId);
    if (typeof m === 'number') return fail(m);
    if (generationId !== m.memberEpoch) return fail(ErrorCode.ILLEGAL_GENERATION);
    if ((protocolType !== null && protocolType !== CONSUMER) || (protocolName !== null && !m.classic!.protocols.some((x) => x.name === protocolName))) {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    if (m.state !== 'STABLE' || m.memberEpoch < cg.groupEpoch) return fail(ErrorCode.REBALANCE_IN_PROGRESS);
    this.touch(cg, m);
    return { errorCode: ErrorCode.NONE, protocolType: CONSUMER, protocolName: protocolName ?? m.classic!.protocols[0]?.name ?? null, assignment: this.bytes(m.assigned) };
  }

  /**
   * Kafka's classicGroupHeartbeatToConsumerGroup: the session goes on; REBALANCE_IN_PROGRESS
   * when the member must rejoin to catch up with the group epoch, revoke, or take up
   * partitions now released.
   */
  heartbeat(cg: ConsumerGroup, memberId: string, groupInstanceId: string | null, generationId: number): number {
    const m = this.classicMember(cg, memberId, groupInstanceId);
    if (typeof m === 'number') return m;
    if (generationId !== m.memberEpoch) return ErrorCode.ILLEGAL_GENERATION;
    this.touch(cg, m);
    const released = m.state === 'UNRELEASED_PARTITIONS' && [...(cg.target.get(m.memberId) ?? EMPTY)].every(([t, ps]) => ps.every((p) => m.assigned.get(t)?.includes(p) || cg.ownerEpoch(t, p) < 0));
    return m.memberEpoch < cg.groupEpoch || m.state === 'UNREVOKED_PARTITIONS' || released ? ErrorCode.REBALANCE_IN_PROGRESS : ErrorCode.NONE;
  }

  /** The classic member `memberId` (or the static member of `groupInstanceId`), or the error Kafka gives. */
  private classicMember(cg: ConsumerGroup, memberId: string, groupInstanceId: string | null): ConsumerMember | number {
    const m = groupInstanceId !== null ? cg.staticMember(groupInstanceId) : cg.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (m.memberId !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    // A member of the consumer protocol does not speak the classic one.
    if (!m.classic) return ErrorCode.UNKNOWN_MEMBER_ID;
    return m;
  }

  /** A classic member's session moves on with each request it sends. */
  private touch(cg: ConsumerGroup, m: ConsumerMember): void {
    cg.set({ ...m, sessionDeadline: this.deps.now() + m.classic!.sessionTimeoutMs });
  }

  /** Partitions named by topic, as the consumer protocol's records name them: by topic id (unknown topics dropped). */
  private byId(byName: ReadonlyMap<string, readonly number[]>): Assignment {
    const out = new Map<string, number[]>();
    for (const [topic, partitions] of byName) {
      const id = this.deps.topics.byName(topic)?.topicId;
      if (id) out.set(id, [...partitions].sort((a, b) => a - b));
    }
    return out;
  }

  private owned(list: ReadonlyArray<{ topic: string; partitions: readonly number[] }>): Array<{ topicId: string; partitions: number[] }> {
    return [...this.byId(new Map(list.map((t) => [t.topic, t.partitions])))].map(([topicId, partitions]) => ({ topicId, partitions: [...partitions] }));
  }

  /** An assignment as a classic member's SyncGroup carries it (ConsumerProtocolAssignment, topics by name). */
  private bytes(a: Assignment): Buffer {
    const byName = new Map<string, number[]>();
    for (const [id, ps] of a) {
      const name = this.deps.topics.nameOf(id);
      if (name) byName.set(name, [...ps]);
    }
    return assignmentBytes(byName);
  }
}

/** LeaveGroup of classic members of a consumer group: each removed as a member that left (Kafka's classicGroupLeaveToConsumerGroup). */
export function leaveConsumerGroup(cg: ConsumerGroup, who: ReadonlyArray<{ memberId: string; groupInstanceId: string | null }>, remove: (m: ConsumerMember) => void): number[] {
  return who.map(({ memberId, groupInstanceId }) => {
    const m = groupInstanceId !== null ? cg.staticMember(groupInstanceId) : cg.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (groupInstanceId !== null && memberId !== '' && m.memberId !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    remove(m);
    return ErrorCode.NONE;
  });
}
