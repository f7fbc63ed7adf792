// The classic group coordinator (Kafka's GroupCoordinator): JoinGroup/SyncGroup/
// Heartbeat/LeaveGroup drive each group through Empty -> PreparingRebalance ->
// CompletingRebalance -> Stable; committed offsets and group metadata are written as
// records to the group's __consumer_offsets partition and read back at start-up.
// Assignors run in the clients: the leader's assignment is passed through untouched.
import { randomUUID } from 'node:crypto';
import { ErrorCode } from '../../protocol/errors.js';
import { decodeRecords, encodeBatchUncompressed } from '../../protocol/records/records.js';
import { release } from '../../storage/blocks.js';
import type { Broker } from '../broker.js';
import { OFFSETS_TOPIC } from '../broker.js';
import { type CommittedOffset, Group, type JoinResult, type Member, type SyncResult } from './group.js';
import { groupKey, groupValue, offsetKey, offsetValue, partitionForGroup, readCoordinatorRecord, subscribedTopics } from './records.js';

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

export interface OffsetCommitEntry {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}

const MAX_METADATA = 4096;
const offsetKeyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;

export class GroupCoordinator {
  readonly groups = new Map<string, Group>();

  constructor(private readonly broker: Broker) {}

  private get cfg() {
    const c = this.broker.config;
    return {
      minSession: c.int('group.min.session.timeout.ms'),
      maxSession: c.int('group.max.session.timeout.ms'),
      maxSize: c.int('group.max.size'),
      initialDelay: c.int('group.initial.rebalance.delay.ms'),
      retentionMs: c.int('offsets.retention.minutes') * 60_000,
    };
  }

  /** The __consumer_offsets partition that holds a group, as in Kafka. */
  partitionFor(groupId: string): number {
    const t = this.broker.metadata.topics.get(OFFSETS_TOPIC);
    return partitionForGroup(groupId, t?.partitions.length ?? this.broker.config.int('offsets.topic.num.partitions'));
  }

  /**
   * Null when this broker coordinates the group: it leads the group's __consumer_offsets
   * partition and has loaded it. Otherwise the error that sends the client elsewhere.
   */
  coordinatorError(groupId: string): number | null {
    if (!this.broker.metadata.topics.has(OFFSETS_TOPIC)) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const index = this.partitionFor(groupId);
    if (!this.broker.partition(OFFSETS_TOPIC, index)?.isLeader) return ErrorCode.NOT_COORDINATOR;
    if (this.loading.has(index)) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return null;
  }

  // ---- persistence ------------------------------------------------------------------

  private readonly loading = new Map<number, Promise<void>>();

  /** This broker now leads an offsets partition: its groups are read back from the log. */
  partitionElected(index: number): void {
    const load = this.loadPartition(index)
      .catch((e) => {
        this.broker.logger.error(`loading groups of ${OFFSETS_TOPIC}-${index} failed: ${(e as Error).stack ?? String(e)}`);
      })
      .finally(() => {
        if (this.loading.get(index) === load) this.loading.delete(index);
      });
    this.loading.set(index, load);
  }

  /** Leadership of an offsets partition moved away: its groups are now another broker's. */
  partitionResigned(index: number): void {
    this.loading.delete(index);
    for (const g of [...this.groups.values()]) {
      if (this.partitionFor(g.groupId) !== index) continue;
      for (const m of g.members.values()) {
        m.awaitingJoin?.(this.joinError(ErrorCode.NOT_COORDINATOR, m.memberId));
        m.awaitingSync?.({ errorCode: ErrorCode.NOT_COORDINATOR, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) });
        m.awaitingJoin = null;
        m.awaitingSync = null;
      }
      this.groups.delete(g.groupId);
    }
  }

  /** Resolves once every partition being loaded is loaded. */
  async loaded(): Promise<void> {
    while (this.loading.size > 0) await Promise.all([...this.loading.values()]);
  }

  private async loadPartition(index: number): Promise<void> {
    const p = this.broker.partition(OFFSETS_TOPIC, index);
    if (!p) return;
    // Groups of this partition left over from an earlier term are stale: the log is the truth.
    for (const id of [...this.groups.keys()]) if (this.partitionFor(id) === index) this.groups.delete(id);
    const end = p.log.logEndOffset;
    let offset = p.log.logStartOffset;
    while (offset < end) {
      const chunks = p.log.read(offset, 4 << 20, end);
      if (chunks.length === 0) break;
      const bytes = Buffer.concat(chunks);
      for (const c of chunks) release(c);
      for (const b of await decodeRecords(bytes)) {
        for (const r of b.records) {
          offset = r.offset + 1;
          if (b.isControl || !r.key) continue;
          const rec = readCoordinatorRecord(r.key, r.value);
          if (rec) this.replay(rec);
        }
        offset = Math.max(offset, b.baseOffset + 1);
      }
    }
    let n = 0;
    for (const g of [...this.groups.values()]) {
      if (this.partitionFor(g.groupId) !== index) continue;
      if (g.members.size === 0 && g.offsets.size === 0) this.groups.delete(g.groupId);
      else n++;
    }
    if (n > 0) this.broker.logger.info(`loaded ${n} group(s) from ${OFFSETS_TOPIC}-${index}`);
  }

  private replay(rec: NonNullable<ReturnType<typeof readCoordinatorRecord>>): void {
    const g = this.getOrCreate(rec.group);
    if (rec.kind === 'offset') {
      const key = offsetKeyOf(rec.topic, rec.partition);
      if (rec.value) g.offsets.set(key, rec.value);
      else g.offsets.delete(key);
      return;
    }
    g.members.clear();
    g.staticMembers.clear();
    if (!rec.value) {
      g.transition('Empty');
      g.generationId = 0;
      return;
    }
    const v = rec.value;
    g.generationId = v.generation;
    g.protocolType = v.protocolType || null;
    g.protocolName = v.protocol;
    g.leaderId = v.leader;
    const now = Date.now();
    for (const m of v.members) {
      g.members.set(m.memberId, {
        memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
        sessionTimeoutMs: m.sessionTimeoutMs, rebalanceTimeoutMs: m.rebalanceTimeoutMs, protocolType: v.protocolType,
        protocols: [{ name: v.protocol ?? '', metadata: m.subscription }], assignment: m.assignment,
        lastHeartbeat: now, awaitingJoin: null, awaitingSync: null,
      });
      if (m.groupInstanceId) g.staticMembers.set(m.groupInstanceId, m.memberId);
    }
    g.transition(g.members.size > 0 ? 'Stable' : 'Empty');
    if (v.currentStateTimestamp > 0) g.stateTimestamp = v.currentStateTimestamp;
  }

  /**
   * Appends coordinator records to the group's partition; resolves with NONE once the ISR
   * has them, else with the error Kafka's coordinator gives for a failed write.
   */
  private write(groupId: string, records: Array<{ key: Buffer; value: Buffer | null }>): Promise<number> {
    if (records.length === 0) return Promise.resolve(ErrorCode.NONE);
    const p = this.broker.partition(OFFSETS_TOPIC, this.partitionFor(groupId));
    if (!p?.isLeader) return Promise.resolve(ErrorCode.NOT_COORDINATOR);
    const batch = encodeBatchUncompressed({ records: records.map((r) => ({ key: r.key, value: r.value })) });
    const r = p.appendAsLeader([batch]);
    if (r.error !== ErrorCode.NONE || !('lastOffset' in r)) return Promise.resolve(ErrorCode.UNKNOWN_SERVER_ERROR);
    return p.waitForReplication(r.lastOffset + 1, this.broker.config.int('offsets.commit.timeout.ms')).then((code) => {
      if (code === ErrorCode.NONE) return code;
      return code === ErrorCode.NOT_LEADER_OR_FOLLOWER ? ErrorCode.NOT_COORDINATOR : ErrorCode.COORDINATOR_NOT_AVAILABLE;
    });
  }

  private storeGroup(g: Group): void {
    void this.write(g.groupId, [{
      key: groupKey(g.groupId),
      value: groupValue({
        protocolType: g.protocolType ?? '',
        generation: g.generationId,
        protocol: g.protocolName,
        leader: g.leaderId,
        currentStateTimestamp: g.stateTimestamp,
        members: [...g.members.values()].map((m) => ({
          memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
          rebalanceTimeoutMs: m.rebalanceTimeoutMs, sessionTimeoutMs: m.sessionTimeoutMs,
          subscription: g.metadataFor(m), assignment: m.assignment,
        })),
      }),
    }]);
  }

  // ---- membership -------------------------------------------------------------------

  private getOrCreate(groupId: string): Group {
    let g = this.groups.get(groupId);
    if (!g) this.groups.set(groupId, (g = new Group(groupId)));
    return g;
  }

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
    const notHere = this.coordinatorError(p.groupId);
    if (notHere !== null) return this.joinError(notHere, p.memberId);
    if (p.sessionTimeoutMs < c.minSession || p.sessionTimeoutMs > c.maxSession) return this.joinError(ErrorCode.INVALID_SESSION_TIMEOUT, p.memberId);
    const existing = this.groups.get(p.groupId);
    if (!existing && p.memberId !== '') return this.joinError(ErrorCode.UNKNOWN_MEMBER_ID, p.memberId);
    const g = existing ?? this.getOrCreate(p.groupId);
    if (g.state === 'Dead') return this.joinError(ErrorCode.COORDINATOR_NOT_AVAILABLE, p.memberId);
    if (!g.supports(p.protocolType, p.protocols)) return this.joinError(ErrorCode.INCONSISTENT_GROUP_PROTOCOL, p.memberId);

    if (p.memberId === '') {
      const newId = `${p.clientId}-${randomUUID()}`;
      if (p.groupInstanceId !== null) {
        const oldId = g.staticMembers.get(p.groupInstanceId);
        const old = oldId !== undefined ? g.members.get(oldId) : undefined;
        if (old) return this.replaceStaticMember(g, old, newId, p);
      } else if (p.requireKnownMemberId) {
        if (g.members.size + g.pendingMembers.size >= c.maxSize) return this.joinError(ErrorCode.GROUP_MAX_SIZE_REACHED);
        g.pendingMembers.set(newId, Date.now() + p.sessionTimeoutMs);
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
    m.lastHeartbeat = Date.now();
  }

  private addMember(g: Group, memberId: string, p: JoinParams): Promise<JoinResult> {
    const m: Member = {
      memberId, groupInstanceId: p.groupInstanceId, clientId: p.clientId, clientHost: p.clientHost,
      sessionTimeoutMs: p.sessionTimeoutMs, rebalanceTimeoutMs: p.rebalanceTimeoutMs, protocolType: p.protocolType,
      protocols: [], assignment: Buffer.alloc(0), lastHeartbeat: Date.now(), awaitingJoin: null, awaitingSync: null,
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
      this.storeGroup(g);
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
    const now = Date.now();
    if (g.state === 'Empty') g.initialDelayUntil = now + this.cfg.initialDelay;
    let timeout = 0;
    for (const m of g.members.values()) timeout = Math.max(timeout, m.rebalanceTimeoutMs);
    g.rebalanceDeadline = now + timeout;
    g.transition('PreparingRebalance');
    this.broker.logger.info(`group ${g.groupId}: preparing to rebalance (generation ${g.generationId}): ${reason}`);
    this.maybeCompleteJoin(g);
  }

  private maybeCompleteJoin(g: Group, force = false): void {
    if (g.state !== 'PreparingRebalance') return;
    if (!force && (Date.now() < g.initialDelayUntil || !g.allJoined())) return;
    for (const m of [...g.members.values()]) if (!m.awaitingJoin) this.removeMember(g, m, false);
    g.pendingMembers.clear();
    g.generationId++;
    if (g.members.size === 0) {
      g.protocolName = null;
      g.leaderId = null;
      g.transition('Empty');
      this.storeGroup(g);
      this.broker.logger.info(`group ${g.groupId}: generation ${g.generationId} is empty`);
      return;
    }
    g.protocolName = g.selectProtocol();
    if (g.leaderId === null || !g.members.has(g.leaderId)) g.leaderId = g.members.keys().next().value!;
    g.transition('CompletingRebalance');
    this.broker.logger.info(`group ${g.groupId}: generation ${g.generationId} with ${g.members.size} member(s), protocol ${g.protocolName}`);
    const now = Date.now();
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
    const notHere = this.coordinatorError(p.groupId);
    if (notHere !== null) return fail(notHere);
    const g = this.groups.get(p.groupId);
    if (!g) return fail(ErrorCode.UNKNOWN_MEMBER_ID);
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
        m.lastHeartbeat = Date.now();
        return ok(m.assignment);
      case 'CompletingRebalance': {
        const wait = new Promise<SyncResult>((resolve) => {
          m.awaitingSync = resolve;
        });
        m.lastHeartbeat = Date.now();
        if (g.leaderId === m.memberId) {
          const given = new Map(p.assignments.map((a) => [a.memberId, a.assignment]));
          for (const x of g.members.values()) x.assignment = Buffer.from(given.get(x.memberId) ?? Buffer.alloc(0));
          g.transition('Stable');
          this.storeGroup(g);
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
    const notHere = this.coordinatorError(groupId);
    if (notHere !== null) return notHere;
    const g = this.groups.get(groupId);
    if (!g) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (g.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (groupInstanceId !== null && g.staticMembers.has(groupInstanceId) && g.staticMembers.get(groupInstanceId) !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
    const m = g.members.get(memberId);
    if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
    if (generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
    m.lastHeartbeat = Date.now();
    switch (g.state) {
      case 'Empty': return ErrorCode.UNKNOWN_MEMBER_ID;
      case 'PreparingRebalance': return ErrorCode.REBALANCE_IN_PROGRESS;
      default: return ErrorCode.NONE;
    }
  }

  /** Removes members (LeaveGroup); returns a code per member, in order. */
  leave(groupId: string, members: Array<{ memberId: string; groupInstanceId: string | null }>): number[] {
    const notHere = this.coordinatorError(groupId);
    if (notHere !== null) return members.map(() => notHere);
    const g = this.groups.get(groupId);
    if (!g) return members.map(() => ErrorCode.UNKNOWN_MEMBER_ID);
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

  // ---- offsets ----------------------------------------------------------------------

  /** Checks who may commit; returns null when allowed, else the code for every partition. */
  private commitError(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null): number | null {
    const g = this.groups.get(groupId);
    if (!g) return generationId < 0 ? null : ErrorCode.ILLEGAL_GENERATION;
    if (g.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    // In Kafka's order: who is committing, then for which generation, then the state; a
    // commit from an earlier generation is ILLEGAL_GENERATION even mid-rebalance.
    if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
      if (groupInstanceId !== null && g.staticMembers.has(groupInstanceId) && g.staticMembers.get(groupInstanceId) !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
      const m = g.members.get(memberId);
      if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
      m.lastHeartbeat = Date.now();
    } else if (g.state !== 'Empty') {
      return ErrorCode.UNKNOWN_MEMBER_ID;
    }
    if (g.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    return null;
  }

  async commitOffsets(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null, entries: OffsetCommitEntry[]): Promise<number[]> {
    if (!groupId) return entries.map(() => ErrorCode.INVALID_GROUP_ID);
    const notHere = this.coordinatorError(groupId);
    if (notHere !== null) return entries.map(() => notHere);
    const denied = this.commitError(groupId, generationId, memberId, groupInstanceId);
    if (denied !== null) return entries.map(() => denied);
    const g = this.getOrCreate(groupId);
    const now = Date.now();
    const records: Array<{ key: Buffer; value: Buffer }> = [];
    const codes = entries.map((e) => {
      if (!this.broker.metadata.topics.get(e.topic)?.partitions[e.partition]) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      const metadata = e.metadata ?? '';
      if (Buffer.byteLength(metadata) > MAX_METADATA) return ErrorCode.OFFSET_METADATA_TOO_LARGE;
      const v: CommittedOffset = { offset: e.offset, leaderEpoch: e.leaderEpoch, metadata, commitTimestamp: now };
      g.offsets.set(offsetKeyOf(e.topic, e.partition), v);
      records.push({ key: offsetKey(groupId, e.topic, e.partition), value: offsetValue(v) });
      return ErrorCode.NONE;
    });
    const written = await this.write(groupId, records);
    return codes.map((c) => (c === ErrorCode.NONE ? written : c));
  }

  /** Committed offsets of a group: the partitions asked for, or every one when `topics` is null. */
  fetchOffsets(groupId: string, topics: Array<{ name: string; partitions: number[] }> | null): Array<{ name: string; partitions: Array<{ partition: number; committed: CommittedOffset | null }> }> {
    const g = this.groups.get(groupId);
    if (topics === null) {
      const byTopic = new Map<string, Array<{ partition: number; committed: CommittedOffset | null }>>();
      for (const [k, v] of g?.offsets ?? []) {
        const [name, p] = k.split('\u0000') as [string, string];
        if (!byTopic.has(name)) byTopic.set(name, []);
        byTopic.get(name)!.push({ partition: Number(p), committed: v });
      }
      return [...byTopic].map(([name, partitions]) => ({ name, partitions }));
    }
    return topics.map((t) => ({
      name: t.name,
      partitions: t.partitions.map((partition) => ({ partition, committed: g?.offsets.get(offsetKeyOf(t.name, partition)) ?? null })),
    }));
  }

  /** OffsetDelete: a group-level error, or a code per partition. */
  deleteOffsets(groupId: string, topics: Array<{ name: string; partitions: number[] }>): { errorCode: number; codes: number[][] } {
    const notHere = this.coordinatorError(groupId);
    if (notHere !== null) return { errorCode: notHere, codes: [] };
    const g = this.groups.get(groupId);
    if (!g) return { errorCode: ErrorCode.GROUP_ID_NOT_FOUND, codes: [] };
    const subscribed = new Set<string>();
    if (g.state !== 'Empty' && g.protocolType === 'consumer') {
      for (const m of g.members.values()) for (const t of subscribedTopics(g.metadataFor(m))) subscribed.add(t);
    } else if (g.state !== 'Empty') {
      return { errorCode: ErrorCode.NON_EMPTY_GROUP, codes: [] };
    }
    const records: Array<{ key: Buffer; value: null }> = [];
    const codes = topics.map((t) => t.partitions.map((p) => {
      if (subscribed.has(t.name)) return ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
      if (!this.broker.metadata.topics.has(t.name)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      if (g.offsets.delete(offsetKeyOf(t.name, p))) records.push({ key: offsetKey(groupId, t.name, p), value: null });
      return ErrorCode.NONE;
    }));
    void this.write(groupId, records);
    return { errorCode: ErrorCode.NONE, codes };
  }

  /** DeleteGroups: only empty groups; writes tombstones for the group and its offsets. */
  deleteGroup(groupId: string): number {
    const notHere = this.coordinatorError(groupId);
    if (notHere !== null) return notHere;
    const g = this.groups.get(groupId);
    if (!g || g.state === 'Dead') return ErrorCode.GROUP_ID_NOT_FOUND;
    if (g.state !== 'Empty') return ErrorCode.NON_EMPTY_GROUP;
    this.removeGroup(g);
    this.broker.logger.info(`group ${groupId} deleted`);
    return ErrorCode.NONE;
  }

  private removeGroup(g: Group): void {
    const records: Array<{ key: Buffer; value: null }> = [];
    for (const k of g.offsets.keys()) {
      const [t, p] = k.split('\u0000') as [string, string];
      records.push({ key: offsetKey(g.groupId, t, Number(p)), value: null });
    }
    records.push({ key: groupKey(g.groupId), value: null });
    void this.write(g.groupId, records);
    g.transition('Dead');
    this.groups.delete(g.groupId);
  }

  // ---- timers -----------------------------------------------------------------------

  /** Expires silent members and pending ids, ends rebalances whose time is up. */
  tick(now: number): void {
    for (const g of this.groups.values()) {
      for (const [id, expiry] of g.pendingMembers) if (now > expiry) g.pendingMembers.delete(id);
      for (const m of [...g.members.values()]) {
        if (m.awaitingJoin || m.awaitingSync) continue;
        if (now - m.lastHeartbeat > m.sessionTimeoutMs) {
          this.broker.logger.info(`group ${g.groupId}: member ${m.memberId} removed after session timeout ${m.sessionTimeoutMs} ms`);
          this.removeMember(g, m, true);
        }
      }
      if (g.state === 'PreparingRebalance') this.maybeCompleteJoin(g, now >= g.rebalanceDeadline && now >= g.initialDelayUntil);
    }
  }

  /** offsets.retention.minutes: offsets of groups empty for that long are removed. */
  expireOffsets(now: number): void {
    const retention = this.cfg.retentionMs;
    for (const g of [...this.groups.values()]) {
      if (g.state !== 'Empty' || now - g.stateTimestamp < retention) continue;
      if (g.offsets.size > 0) this.broker.logger.info(`group ${g.groupId}: ${g.offsets.size} offset(s) expired`);
      this.removeGroup(g);
    }
  }

  close(): void {
    for (const g of this.groups.values()) {
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
