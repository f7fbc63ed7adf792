// The state of one classic consumer group: members, generation, the chosen protocol,
// committed offsets, and the join/sync requests waiting on a rebalance. A group of the
// KIP-848 protocol keeps its offsets here too, its membership in `consumer`.
import type { ConsumerGroup } from './consumer-group.js';

export type GroupState = 'Empty' | 'PreparingRebalance' | 'CompletingRebalance' | 'Stable' | 'Dead';

export interface JoinResult {
  errorCode: number;
  generationId: number;
  protocolType: string | null;
  protocolName: string | null;
  leader: string;
  memberId: string;
  skipAssignment: boolean;
  members: Array<{ memberId: string; groupInstanceId: string | null; metadata: Buffer }>;
}

export interface SyncResult {
  errorCode: number;
  protocolType: string | null;
  protocolName: string | null;
  assignment: Buffer;
}

export interface Member {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
  assignment: Buffer;
  lastHeartbeat: number;
  /** Set while the member's JoinGroup waits for the rebalance to finish. */
  awaitingJoin: ((r: JoinResult) => void) | null;
  /** Set while the member's SyncGroup waits for the leader's assignment. */
  awaitingSync: ((r: SyncResult) => void) | null;
}

export interface CommittedOffset {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

export class Group {
  state: GroupState = 'Empty';
  generationId = 0;
  protocolType: string | null = null;
  protocolName: string | null = null;
  leaderId: string | null = null;
  readonly members = new Map<string, Member>();
  /** Member ids handed out with MEMBER_ID_REQUIRED, not yet joined: id -> expiry time. */
  readonly pendingMembers = new Map<string, number>();
  readonly staticMembers = new Map<string, string>();
  readonly offsets = new Map<string, CommittedOffset>();
  /** When the group entered its current state (ms), for offsets.retention.minutes. */
  stateTimestamp: number;
  /** When the current rebalance must end even if members have not rejoined. */
  rebalanceDeadline = 0;
  /** group.initial.rebalance.delay.ms: the first join into an empty group waits this long for others. */
  initialDelayUntil = 0;
  /** Set while the group is a KIP-848 consumer group: its members and assignment. */
  consumer: ConsumerGroup | null = null;

  constructor(readonly groupId: string, now: number) {
    this.stateTimestamp = now;
  }

  /** The state ListGroups, metrics and the console show: a KIP-848 group's own when it is one. */
  get listedState(): string {
    return this.consumer ? this.consumer.state : this.state;
  }

  get memberCount(): number {
    return this.consumer ? this.consumer.members.size : this.members.size;
  }

  transition(state: GroupState, now: number): void {
    this.state = state;
    this.stateTimestamp = now;
  }

  /** The protocol every member supports, picked by the members' preferences (Kafka's vote). */
  selectProtocol(): string | null {
    const members = [...this.members.values()];
    if (members.length === 0) return null;
    const candidates = members[0]!.protocols.map((p) => p.name).filter((name) => members.every((m) => m.protocols.some((p) => p.name === name)));
    if (candidates.length === 0) return null;
    const votes = new Map<string, number>();
    for (const m of members) {
      const pick = m.protocols.find((p) => candidates.includes(p.name))!.name;
      votes.set(pick, (votes.get(pick) ?? 0) + 1);
    }
    return [...votes.entries()].sort((a, b) => b[1] - a[1])[0]![0];
  }

  /** Whether a joining member's protocols fit the group's (type and at least one shared name). */
  supports(protocolType: string, protocols: Array<{ name: string }>): boolean {
    if (this.members.size === 0) return protocols.length > 0;
    if (this.protocolType !== null && this.protocolType !== protocolType) return false;
    const members = [...this.members.values()];
    return protocols.some((p) => members.every((m) => m.protocols.some((q) => q.name === p.name)));
  }

  /** Answers every member's waiting JoinGroup and SyncGroup with `errorCode` (the group moved, or went away). */
  answerWaiting(errorCode: number): void {
    for (const m of this.members.values()) {
      m.awaitingJoin?.({ errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId: m.memberId, skipAssignment: false, members: [] });
      m.awaitingSync?.({ errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
      m.awaitingJoin = null;
      m.awaitingSync = null;
    }
  }

  metadataFor(m: Member): Buffer {
    return m.protocols.find((p) => p.name === this.protocolName)?.metadata ?? Buffer.alloc(0);
  }

  allJoined(): boolean {
    for (const m of this.members.values()) if (!m.awaitingJoin) return false;
    return this.pendingMembers.size === 0;
  }
}
