// The classic group coordinator (Kafka's GroupCoordinator): JoinGroup/SyncGroup/
// Heartbeat/LeaveGroup drive each group through Empty -> PreparingRebalance ->
// CompletingRebalance -> Stable. Assignors run in the clients: the leader's assignment is
// passed through untouched. The groups, their offsets and their records in
// __consumer_offsets are the GroupManager's.
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.js';
import { type Group, type JoinResult, type Member, type SyncResult } from './group.js';
import type { Scheduler } from '../scheduler.js';
import { leaveConsumerGroup } from './mixed-groups.js';
import type { CoordinatorRecord } from '../coordinator/partition-writer.js';
import { ConsumerGroupCoordinator, NO_TOPICS } from './consumer-coordinator.js';
import { type GroupCoordinatorDeps, GroupManager } from './group-manager.js';

export type { OffsetCommitEntry } from './group-manager.js';

export interface JoinParams {
  groupId: string;
  sessionTimeoutMs: number;
  rebalanceTimeoutMs: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string;
  protocols: Array<{ name: string; metadata: Buffer }>;
  clientId: string;
  clientHost: string;
  /** JoinGroup v4+ hands out a member id first (MEMBER_ID_REQUIRED). */
  requireKnownMemberId: boolean;
}

export interface SyncParams {
  groupId: string;
  generationId: number;
  memberId: string;
  groupInstanceId: string | null;
  protocolType: string | null;
  protocolName: string | null;
  assignments: Array<{ memberId: string; assignment: Buffer }>;
}

export class GroupCoordinator {
  /** The groups and their offsets: OffsetCommit, OffsetFetch, OffsetDelete, DeleteGroups and the describe/list APIs go there. */
  readonly manager: GroupManager;
  /** KIP-848 consumer groups: ConsumerGroupHeartbeat and ConsumerGroupDescribe. */
  readonly consumer: ConsumerGroupCoordinator;

  constructor(private readonly deps: GroupCoordinatorDeps) {
    this.manager = new GroupManager(deps);
    this.consumer = new ConsumerGroupCoordinator(this.manager, { ...deps, topics: deps.topics ?? NO_TOPICS });
  }

  get groups(): ReadonlyMap<string, Group> {
    return this.manager.groups;
  }

  private get cfg() {
    const c = this.deps.config;
    return {
      minSession: c.int('group.min.session.timeout.ms'),
      maxSession: c.int('group.max.session.timeout.ms'),
      maxSize: c.int('group.max.size'),
      initialDelay: c.int('group.initial.rebalance.delay.ms'),
    };
  }

  /** This broker now leads an offsets partition: its groups are loaded from the log. */
  partitionElected(index: number): void {
    this.manager.load(index);
  }

  /** Leadership of an offsets partition moved away: its groups' waiting members are sent to the new coordinator. */
  partitionResigned(index: number): void {
    for (const g of this.manager.unload(index)) g.answerWaiting(ErrorCode.NOT_COORDINATOR);
  }

  /**
   * The test kit's reset: every group this broker coordinates goes, members, offsets and
   * all; a member waiting in a join or sync is told UNKNOWN_MEMBER_ID, as a removed member
   * is. Returns their ids.
   */
  resetAll(): string[] {
    const gone = [...this.manager.groups.values()].filter((g) => this.manager.coordinatorError(g.groupId) === null);
    for (const g of gone) {
      g.answerWaiting(ErrorCode.UNKNOWN_MEMBER_ID);
      this.manager.forget(g.groupId);
    }
    return gone.map((g) => g.groupId);
  }

  // ---- membership -------------------------------------------------------------------

  private joinError(errorCode: number, memberId = ''): JoinResult {
    return { errorCode, generationId: -1, protocolType: null, protocolName: null, leader: '', memberId, skipAssignment: false, members: [] };
  }

  /** The JoinGroup answer for a member of the group's current generation. */
  private currentJoin(g: Group, m: Member): JoinResult {
    const isLeader = g.leaderId === m.memberId;
    return {
      errorCode: ErrorCode.NONE,
      generationId: g.generationId,
      protocolType: g.protocolType,
      protocolName: g.protocolName,
      leader: g.leaderId ?? '',
      memberId: m.memberId,
      skipAssignment: false,
      members: isLeader ? [...g.members.values()].map((x) => ({ memberId: x.memberId, groupInstanceId: x.groupInstanceId, metadata: g.metadataFor(x) })) : [],
    };
  }

  join(p: JoinParams): JoinResult | Promise<JoinResult> {
    const c = this.cfg;
    if (!p.groupId) return this.joinError(ErrorCode.INVALID_GROUP_ID, p.memberId);
    const notHere = this.manager.coordinatorError(p.groupId);
    if (notHere !== null) return this.joinError(notHere, p.memberId);
    if (p.sessionTimeoutMs < c.minSession || p.sessionTimeoutMs > c.maxSession) return this.joinError(ErrorCode.INVALID_SESSION_TIMEOUT, p.memberId);
    const existing = this.manager.groups.get(p.groupId);
    if (!existing && p.memberId !== '') return this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId);
    const g = existing ?? this.manager.getOrCreate(p.groupId);
    if (g.state === 'Dead') return this.joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, p.memberId);
    // A live KIP-848 group takes classic members through the consumer protocol (mixed-groups.ts); an empty one turns classic again.
    if (g.consumer && g.consumer.members.size > 0) return this.consumer.mixed.join(g, g.consumer, p);
    g.consumer = null;
    if (!g.supports(p.protocolType, p.protocols)) return this.joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, p.memberId);

    if (p.memberId === '') {
      const newId = `${p.clientId}-${randomUUID()}`;
      if (p.groupInstanceId !== null) {
        const oldId = g.staticMembers.get(p.groupInstanceId);
        const old = oldId !== undefined ? g.members.get(oldId) : undefined;
        if (old) return this.replaceStaticMember(g, old, newId, p);
      } else if (p.requireKnownMemberId) {
        if (g.members.size + g.pendingMembers.size >= c.maxSize) return this.joinError(ErrorCode.GROUP_MAX_SIZE_REACHED);
        g.pendingMembers.set(newId, this.deps.now() + p.sessionTimeoutMs);
        return this.joinError(ErrorCode.MEMBER_ID_REQUIRED, newId);
      }
      if (g.members.size >= c.maxSize) return this.joinError(ErrorCode.GROUP_MAX_SIZE_REACHED);
      return this.addMember(g, newId, p);
    }
    if (g.pendingMembers.delete(p.memberId)) return this.addMember(g, p.memberId, p);
    const m = g.members.get(p.memberId);
    if (p.groupInstanceId !== null && g.staticMembers.has(p.groupInstanceId) && g.staticMembers.get(p.groupInstanceId) !== p.memberId) {
      return this.joinError(ErrorCode.FENCED_INSTANCE_ID, p.memberId);
    }
    if (!m) return this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId);
    const same = sameProtocols(m.protocols, p.protocols);
    this.updateMember(m, p);
    if (g.state === 'CompletingRebalance' && same) return this.currentJoin(g, m);
    if (g.state === 'Stable' && same && g.leaderId !== m.memberId) return this.currentJoin(g, m);
    const wait = this.awaitJoin(m);
    if (g.state !== 'PreparingRebalance') this.prepareRebalance(g, `member ${m.memberId} rejoined`);
    else this.maybeCompleteJoin(g);
    return wait;
  }

  private updateMember(m: Member, p: JoinParams): void {
    m.protocols = p.protocols.map((x) => ({ name: x.name, metadata: Buffer.from(x.metadata) }));
    m.protocolType = p.protocolType;
    m.sessionTimeoutMs = p.sessionTimeoutMs;
    m.rebalanceTimeoutMs = p.rebalanceTimeoutMs;
    m.lastHeartbeat = this.deps.now();
  }

  private addMember(g: Group, memberId: string, p: JoinParams): Promise<JoinResult> {
    const m: Member = {
      memberId, groupInstanceId: p.groupInstanceId, clientId: p.clientId, clientHost: p.clientHost,
      sessionTimeoutMs: p.sessionTimeoutMs, rebalanceTimeoutMs: p.rebalanceTimeoutMs, protocolType: p.protocolType,
      protocols: [], assignment: Buffer.alloc(0), lastHeartbeat: this.deps.now(), awaitingJoin: null, awaitingSync: null,
    };
    this.updateMember(m, p);
    if (g.members.size === 0) g.protocolType = p.protocolType;
    g.members.set(memberId, m);
    if (p.groupInstanceId !== null) g.staticMembers.set(p.groupInstanceId, memberId);
    const wait = this.awaitJoin(m);
    if (g.state === 'PreparingRebalance') this.maybeCompleteJoin(g);
    else this.prepareRebalance(g, `member ${memberId} joined`);
    return wait;
  }

  /** A static member restarted: it takes over its old identity without a rebalance if nothing changed. */
  private replaceStaticMember(g: Group, old: Member, newId: string, p: JoinParams): JoinResult | Promise<JoinResult> {
    old.awaitingJoin?.(this.joinError(ErrorCode.FENCED_INSTANCE_ID, old.memberId));
    old.awaitingSync?.({ errorCode: ErrorCode.FENCED_INSTANCE_ID, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    old.awaitingJoin = null;
    old.awaitingSync = null;
    g.members.delete(old.memberId);
    const same = sameProtocols(old.protocols, p.protocols);
    old.memberId = newId;
    g.members.set(newId, old);
    g.staticMembers.set(p.groupInstanceId!, newId);
    if (g.leaderId !== null && !g.members.has(g.leaderId)) g.leaderId = newId;
    this.updateMember(old, p);
    if (g.state === 'Stable' && same) {
      this.manager.storeGroup(g);
      return { ...this.currentJoin(g, old), skipAssignment: g.leaderId === newId, members: g.leaderId === newId ? this.currentJoin(g, old).members : [] };
    }
    const wait = this.awaitJoin(old);
    if (g.state === 'PreparingRebalance') this.maybeCompleteJoin(g);
    else this.prepareRebalance(g, `static member ${p.groupInstanceId} rejoined with new metadata`);
    return wait;
  }

  private awaitJoin(m: Member): Promise<JoinResult> {
    m.awaitingJoin?.(this.joinError(ErrorCode.REBALANCE_IN_PROGRESS, m.memberId));
    return new Promise((resolve) => {
      m.awaitingJoin = resolve;
    });
  }

  private prepareRebalance(g: Group, reason: string): void {
    if (g.state === 'CompletingRebalance') {
      for (const m of g.members.values()) {
        m.assignment = Buffer.alloc(0);
        m.awaitingSync?.({ errorCode: ErrorCode.REBALANCE_IN_PROGRESS, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
        m.awaitingSync = null;
      }
    }
    const now = this.deps.now();
    if (g.state === 'Empty') g.initialDelayUntil = now + this.cfg.initialDelay;
    let timeout = 0;
    for (const m of g.members.values()) timeout = Math.max(timeout, m.rebalanceTimeoutMs);
    g.rebalanceDeadline = now + timeout;
    g.transition('PreparingRebalance', now);
    this.deps.logger.info(`group ${g.groupId}: preparing to rebalance (generation ${g.generationId}): ${reason}`);
    this.maybeCompleteJoin(g);
  }

  private maybeCompleteJoin(g: Group, force = false): void {
    if (g.state !== 'PreparingRebalance') return;
    if (!force && (this.deps.now() < g.initialDelayUntil || !g.allJoined())) return;
    for (const m of [...g.members.values()]) if (!m.awaitingJoin) this.removeMember(g, m, false);
    g.pendingMembers.clear();
    g.generationId++;
    if (g.members.size === 0) {
      g.protocolName = null;
      g.leaderId = null;
      g.transition('Empty', this.deps.now());
      this.manager.storeGroup(g);
      this.deps.logger.info(`group ${g.groupId}: generation ${g.generationId} is empty`);
      return;
    }
    g.protocolName = g.selectProtocol();
    if (g.leaderId === null || !g.members.has(g.leaderId)) g.leaderId = g.members.keys().next().value!;
    g.transition('CompletingRebalance', this.deps.now());
    this.deps.logger.info(`group ${g.groupId}: generation ${g.generationId} with ${g.members.size} member(s), protocol ${g.protocolName}`);
    const now = this.deps.now();
    for (const m of g.members.values()) {
      const resolve = m.awaitingJoin!;
      m.awaitingJoin = null;
      m.lastHeartbeat = now;
      resolve(this.currentJoin(g, m));
    }
  }

  private removeMember(g: Group, m: Member, rebalance: boolean): void {
    g.members.delete(m.memberId);
    if (m.groupInstanceId !== null && g.staticMembers.get(m.groupInstanceId) === m.memberId) g.staticMembers.delete(m.groupInstanceId);
    m.awaitingJoin?.(this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, m.memberId));
    m.awaitingSync?.({ errorCode: ErrorCode.UNKNOWN_MEMBER_ID, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    m.awaitingJoin = null;
    m.awaitingSync = null;
    if (g.leaderId === m.memberId) g.leaderId = null;
    if (!rebalance) return;
    if (g.state === 'Stable' || g.state === 'CompletingRebalance') this.prepareRebalance(g, `member ${m.memberId} left`);
    else this.maybeCompleteJoin(g);
  }

  sync(p: SyncParams): SyncResult | Promise<SyncResult> {
    const fail = (errorCode: number): SyncResult => ({ errorCode, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
    const notHere = this.manager.coordinatorError(p.groupId);
    if (notHere !== null) return fail(notHere);
    const g = this.manager.groups.get(p.groupId);
    if (!g) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (g.consumer) return this.consumer.mixed.sync(g.consumer, p.memberId, p.groupInstanceId, p.generationId, p.protocolType, p.protocolName);
    if (p.groupInstanceId !== null && g.staticMembers.has(p.groupInstanceId) && g.staticMembers.get(p.groupInstanceId) !== p.memberId) return fail(ErrorCode.FENCED_INSTANCE_ID);
    const m = g.members.get(p.memberId);
    if (!m) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
    if (p.generationId !== g.generationId) return fail(ErrorCode.ILLEGAL_GENERATION);
    if ((p.protocolType !== null && p.protocolType !== g.protocolType) || (p.protocolName !== null && p.protocolName !== g.protocolName)) {
      return fail(ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    }
    const ok = (a: Buffer): SyncResult => ({ errorCode: ErrorCode.NONE, protocolType: g.protocolType, protocolName: g.protocolName, assignment: a });
    switch (g.state) {
      case 'Empty':
      case 'Dead':
        return fail(ErrorCode.UNKNOWN_MEMBER_ID);
      case 'PreparingRebalance':
        return fail(ErrorCode.REBALANCE_IN_PROGRESS);
      case 'Stable':
        m.lastHeartbeat = this.deps.now();
        return ok(m.assignment);
      case 'CompletingRebalance': {
        const wait = new Promise<SyncResult>((resolve) => {
          m.awaitingSync = resolve;
        });
        m.lastHeartbeat = this.deps.now();
        if (g.leaderId === m.memberId) {
          const given = new Map(p.assignments.map((a) => [a.memberId, a.assignment]));
          for (const x of g.members.values()) x.assignment = Buffer.from(given.get(x.memberId) ?? Buffer.alloc(0));
          g.transition('Stable', this.deps.now());
          this.manager.storeGroup(g);
          for (const x of g.members.values()) {
            const resolve = x.awaitingSync;
            x.awaitingSync = null;
            resolve?.(ok(x.assignment));
          }
        }
        return wait;
      }
    }
  }

  /** The state code for a known group member, or the error Kafka gives. */
  heartbeat(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): number {
    const notHere = this.manager.coordinatorError(groupId);
    if (notHere !== null) return notHere;
    const g = this.manager.groups.get(groupId);
    if (!g) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (g.consumer) return this.consumer.mixed.heartbeat(g.consumer, memberId, groupInstanceId, generationId);
    if (g.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (groupInstanceId !== null && g.staticMembers.has(groupInstanceId) && g.staticMembers.get(groupInstanceId) !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    const m = g.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
    m.lastHeartbeat = this.deps.now();
    switch (g.state) {
      case 'Empty': return ErrorCode.UNKNOWN_MEMBER_ID;
      case 'PreparingRebalance': return ErrorCode.REBALANCE_IN_PROGRESS;
      default: return ErrorCode.NONE;
    }
  }

  /** Removes members (LeaveGroup); returns a code per member, in order. */
  leave(groupId: string, members: Array<{ memberId: string; groupInstanceId: string | null }>): number[] {
    const notHere = this.manager.coordinatorError(groupId);
    if (notHere !== null) return members.map(() => notHere);
    const g = this.manager.groups.get(groupId);
    if (!g) return members.map(() => ErrorCode.UNKNOWN_MEMBER_ID);
    const cg = g.consumer;
    if (cg) {
      const records: CoordinatorRecord[] = [];
      const codes = leaveConsumerGroup(cg, members, (m) => this.consumer.removeMember(cg, m, 'left the group', records));
      void this.manager.write(groupId, records);
      return codes;
    }
    return members.map((who) => {
      let m: Member | undefined;
      if (who.groupInstanceId !== null) {
        const id = g.staticMembers.get(who.groupInstanceId);
        if (id === undefined) return ErrorCode.UNKNOWN_MEMBER_ID;
        if (who.memberId !== '' && who.memberId !== id) return ErrorCode.FENCED_INSTANCE_ID;
        m = g.members.get(id);
      } else {
        if (g.pendingMembers.delete(who.memberId)) {
          this.maybeCompleteJoin(g);
          return ErrorCode.NONE;
        }
        m = g.members.get(who.memberId);
      }
      if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
      this.removeMember(g, m, true);
      return ErrorCode.NONE;
    });
  }

  // ---- timers -----------------------------------------------------------------------

  /** Schedules session expiry, rebalance deadlines and offset expiry. */
  start(scheduler: Scheduler): void {
    scheduler.every(250, 'group timers', () => this.tick(this.deps.now()), { onClock: true });
    scheduler.every(this.deps.config.int('offsets.retention.check.interval.ms'), 'offset expiry', () => this.manager.expireOffsets(this.deps.now()), { onClock: true });
  }

  /** Expires silent members and pending ids, ends rebalances whose time is up. */
  tick(now: number): void {
    for (const g of this.manager.groups.values()) {
      for (const [id, expiry] of g.pendingMembers) if (now > expiry) g.pendingMembers.delete(id);
      for (const m of [...g.members.values()]) {
        if (m.awaitingJoin || m.awaitingSync) continue;
        if (now - m.lastHeartbeat > m.sessionTimeoutMs) {
          this.deps.logger.info(`group ${g.groupId}: member ${m.memberId} removed after session timeout ${m.sessionTimeoutMs} ms`);
          this.removeMember(g, m, true);
        }
      }
      if (g.state === 'PreparingRebalance') this.maybeCompleteJoin(g, now >= g.rebalanceDeadline && now >= g.initialDelayUntil);
    }
    this.consumer.tick(now);
  }

  close(): void {
    for (const g of this.manager.groups.values()) {
      for (const m of g.members.values()) {
        m.awaitingJoin = null;
        m.awaitingSync = null;
      }
    }
  }
}

function sameProtocols(a: Array<{ name: string; metadata: Buffer }>, b: Array<{ name: string; metadata: Buffer }>): boolean {
  return a.length === b.length && a.every((x, i) => x.name === b[i]!.name && x.metadata.equals(b[i]!.metadata));
}
