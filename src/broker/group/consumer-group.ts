// The state of one KIP-848 consumer group (Kafka's ConsumerGroup): members with their
// epochs and subscriptions, the group epoch, the target assignment the server-side
// assignor computed and its epoch, and which member holds each partition.
import { ErrorCode } from '../../protocol/errors.js';
import type { Assignment } from './assignors.js';
import type { ConsumerGroupRecord } from './consumer-records.js';
import type { Group } from './group.js';
import type { MemberAssignment } from './reconciliation.js';

export interface ConsumerMember extends MemberAssignment {
  memberId: string;
  instanceId: string | null;
  rackId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  subscribedTopicNames: readonly string[];
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  /** When its session ends unless it heartbeats (ms, the broker's clock). */
  sessionDeadline: number;
  /** While it has partitions to revoke: when it is fenced if it has not (rebalance timeout). */
  revocationDeadline: number | null;
  /** A member of the classic protocol (JoinGroup/SyncGroup/Heartbeat) in this group (KIP-848's mixed groups); null for one of the consumer protocol. */
  classic: ClassicProtocol | null;
}

/** What a classic member joined with: its session timeout and the protocols (assignor names and subscriptions) it supports. */
export interface ClassicProtocol {
  sessionTimeoutMs: number;
  protocols: ReadonlyArray<{ name: string; metadata: Buffer }>;
}

/** The epoch of a static member that left and may come back with its instance id. */
export const STATIC_LEFT_EPOCH = -2;
export const LEAVE_EPOCH = -1;

export type ConsumerGroupState = 'Empty' | 'Assigning' | 'Reconciling' | 'Stable';

export class ConsumerGroup {
  groupEpoch = 0;
  targetAssignmentEpoch = 0;
  readonly members = new Map<string, ConsumerMember>();
  /** Target assignment by member id. */
  readonly target = new Map<string, Assignment>();
  /**
   * Subscribed topics and their partition counts when the group epoch last moved: a change
   * moves it again. Null for a group read back from the log, which takes the topics as
   * they are then, as nothing says they changed.
   */
  subscriptionMetadata: string | null = '';
  /** The assignor of the last target assignment. */
  assignorName = '';
  /** Holder of each partition, `topicId:partition` -> its member epoch. */
  private readonly holders = new Map<string, number>();

  constructor(readonly groupId: string) {}

  get state(): ConsumerGroupState {
    if (this.members.size === 0) return 'Empty';
    if (this.groupEpoch !== this.targetAssignmentEpoch) return 'Assigning';
    for (const m of this.members.values()) if (m.state !== 'STABLE' || (m.memberEpoch !== this.targetAssignmentEpoch && m.memberEpoch !== STATIC_LEFT_EPOCH)) return 'Reconciling';
    return 'Stable';
  }

  staticMember(instanceId: string): ConsumerMember | undefined {
    for (const m of this.members.values()) if (m.instanceId === instanceId) return m;
    return undefined;
  }

  /** The epoch of the member holding a partition, -1 when no member does. */
  readonly ownerEpoch = (topicId: string, partition: number): number => this.holders.get(`${topicId}:${partition}`) ?? -1;

  /** Puts a member (new or changed) in the group, keeping the partition holders current. */
  set(m: ConsumerMember): void {
    const old = this.members.get(m.memberId);
    if (old) this.release(old);
    this.members.set(m.memberId, m);
    for (const a of [m.assigned, m.pendingRevocation]) for (const [t, ps] of a) for (const p of ps) this.holders.set(`${t}:${p}`, m.memberEpoch);
  }

  remove(memberId: string): ConsumerMember | undefined {
    const m = this.members.get(memberId);
    if (!m) return undefined;
    this.release(m);
    this.members.delete(memberId);
    this.target.delete(memberId);
    return m;
  }

  private release(m: ConsumerMember): void {
    for (const a of [m.assigned, m.pendingRevocation]) for (const [t, ps] of a) for (const p of ps) this.holders.delete(`${t}:${p}`);
  }

  /** Topics any member subscribes to by name. */
  subscribedNames(): Set<string> {
    const out = new Set<string>();
    for (const m of this.members.values()) for (const t of m.subscribedTopicNames) out.add(t);
    return out;
  }
}

/** A member at its current epoch may use the group's offsets; null when `memberId` is one. */
function memberEpochError(cg: ConsumerGroup, memberId: string | null, memberEpoch: number): number | null {
  const m = memberId === null ? undefined : cg.members.get(memberId);
  if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
  // Kafka's validateMemberEpoch: a classic member's epoch is its generation.
  if (memberEpoch !== m.memberEpoch) return m.classic ? ErrorCode.ILLEGAL_GENERATION : ErrorCode.STALE_MEMBER_EPOCH;
  return null;
}

/** Kafka's validateOffsetCommit: without a member epoch, only while the group has no members. */
export function commitAccessError(cg: ConsumerGroup, memberId: string, memberEpoch: number): number | null {
  if (memberEpoch < 0 && cg.members.size === 0) return null;
  return memberEpochError(cg, memberId, memberEpoch);
}

/** Kafka's validateOffsetFetch: without a member id and epoch (an admin, a v8 client) anyone may read. */
export function fetchAccessError(cg: ConsumerGroup, memberId: string | null, memberEpoch: number): number | null {
  if (memberEpoch < 0 && memberId === null) return null;
  return memberEpochError(cg, memberId, memberEpoch);
}

const EMPTY: Assignment = new Map();

/** A member as a log's records start it, before its metadata or assignment is read. */
export function blankMember(memberId: string): ConsumerMember {
  return {
    memberId, instanceId: null, rackId: null, clientId: '', clientHost: '', rebalanceTimeoutMs: -1, subscribedTopicNames: [], subscribedTopicRegex: null,
    serverAssignor: null, sessionDeadline: 0, revocationDeadline: null, state: 'STABLE', memberEpoch: 0, previousMemberEpoch: 0, assigned: EMPTY, pendingRevocation: EMPTY,
    classic: null,
  };
}

/**
 * Replays one of a consumer group's records into the group, as a new coordinator reads
 * __consumer_offsets. Its members' sessions start now, as Kafka's do on load.
 */
export function replayConsumerRecord(g: Group, rec: ConsumerGroupRecord, now: number, sessionTimeoutMs: number): void {
  if (rec.kind === 'consumer-group' && rec.epoch === null) {
    g.consumer = null;
    return;
  }
  const cg = (g.consumer ??= new ConsumerGroup(g.groupId));
  cg.subscriptionMetadata = null;
  const upsert = (memberId: string, change: Partial<ConsumerMember>) => {
    const m = { ...(cg.members.get(memberId) ?? blankMember(memberId)), ...change, sessionDeadline: now + sessionTimeoutMs };
    cg.set({ ...m, revocationDeadline: m.state === 'UNREVOKED_PARTITIONS' ? now + Math.max(m.rebalanceTimeoutMs, 0) : null });
  };
  switch (rec.kind) {
    case 'consumer-group':
      cg.groupEpoch = rec.epoch!;
      return;
    case 'consumer-target-epoch':
      cg.targetAssignmentEpoch = rec.epoch ?? 0;
      return;
    case 'consumer-target':
      if (rec.value) cg.target.set(rec.memberId, rec.value);
      else cg.target.delete(rec.memberId);
      return;
    case 'consumer-member':
      if (rec.value) upsert(rec.memberId, rec.value);
      else cg.remove(rec.memberId);
      return;
    case 'consumer-current':
      if (rec.value) upsert(rec.memberId, rec.value);
      return;
  }
}
