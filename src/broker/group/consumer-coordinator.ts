// The KIP-848 consumer group protocol (Kafka's GroupMetadataManager.consumerGroupHeartbeat):
// members heartbeat their subscription and owned partitions; a new member, a changed
// subscription or a changed topic moves the group epoch; the server-side assignor
// computes a target assignment for it; each member reconciles toward its target one
// heartbeat at a time, revoking before others are assigned what it held. A group's
// offsets stay in the group manager's Group, beside this state. Classic members of a
// consumer group, and the upgrade and downgrade between protocols: mixed-groups.ts.
import { randomUUID } from 'node:crypto';
import { RE2JS } from 're2js';
import { ErrorCode } from '../../protocol/errors.js';
import type { ConsumerGroupDescribeResponse, ConsumerGroupHeartbeatRequest, ConsumerGroupHeartbeatResponse } from '../../protocol/messages/index.js';
import { type Assignment, SERVER_ASSIGNORS } from './assignors.js';
import type { CoordinatorRecord } from '../coordinator/partition-writer.js';
import { type ClassicProtocol, ConsumerGroup, type ConsumerMember, LEAVE_EPOCH, STATIC_LEFT_EPOCH } from './consumer-group.js';
import { currentRecord, groupEpochRecord, memberRecord, memberTombstones, targetEpochRecord, targetRecord } from './consumer-records.js';
import type { Group } from './group.js';
import type { GroupManager } from './group-manager.js';
import { assignmentList, reconcile, sameAssignment } from './reconciliation.js';
import { groupConfigValue, type GroupConfigName } from './group-configs.js';
import { MixedGroups } from './mixed-groups.js';
import { fail, HeartbeatError } from './heartbeat-error.js';

/** The topics a group may subscribe to, as the cluster metadata has them. */
export interface TopicCatalog {
  byName(name: string): { topicId: string; partitions: number; internal: boolean } | undefined;
  nameOf(topicId: string): string | undefined;
  names(): Iterable<string>;
}

export const NO_TOPICS: TopicCatalog = { byName: () => undefined, nameOf: () => undefined, names: () => [] };

export interface ConsumerCoordinatorDeps {
  config: { int(name: string): number; get(name: string): string | null };
  /** A group's config overrides (consumer.session.timeout.ms, consumer.heartbeat.interval.ms). */
  groupConfigs?(groupId: string): Readonly<Record<string, string>> | undefined;
  topics: TopicCatalog;
  logger: { info(message: string): void };
  now(): number;
}

type Heartbeat = ConsumerGroupHeartbeatResponse;

/** What a member sent that its state takes: a heartbeat's fields, or a classic member's JoinGroup's. */
export interface MemberUpdate {
  instanceId: string | null;
  rackId: string | null;
  /** -1: unchanged. */
  rebalanceTimeoutMs: number;
  /** null: unchanged. */
  subscribedTopicNames: readonly string[] | null;
  subscribedTopicRegex: string | null;
  serverAssignor: string | null;
  clientId: string;
  clientHost: string;
  classic: ClassicProtocol | null;
  sessionTimeoutMs: number;
}

const sameClassic = (a: ClassicProtocol | null, b: ClassicProtocol | null): boolean =>
  a === b || (a !== null && b !== null && a.sessionTimeoutMs === b.sessionTimeoutMs && a.protocols.length === b.protocols.length
    && a.protocols.every((p, i) => p.name === b.protocols[i]!.name && p.metadata.equals(b.protocols[i]!.metadata)));
type Described = ConsumerGroupDescribeResponse['groups'][number];

const EMPTY: Assignment = new Map();

export class ConsumerGroupCoordinator {
  /** Members' subscription patterns, compiled once. */
  private readonly patterns = new Map<string, RE2JS>();
  /** Classic members in consumer groups, and groups turning from one protocol to the other. */
  readonly mixed: MixedGroups;

  constructor(private readonly manager: GroupManager, private readonly deps: ConsumerCoordinatorDeps) {
    this.mixed = new MixedGroups(manager, this, deps);
  }

  /** A group's consumer.* config: its override, else the broker's group.consumer.* default. */
  private groupInt(groupId: string, name: GroupConfigName): number {
    return Number(groupConfigValue(this.deps.groupConfigs?.(groupId), name, this.deps.config));
  }

  private get assignors(): string[] {
    return (this.deps.config.get('group.consumer.assignors') ?? 'uniform,range').split(',').map((s) => s.trim()).filter(Boolean);
  }

  /** Answers once the group's changed records are in __consumer_offsets, as Kafka's coordinator does. */
  async heartbeat(req: ConsumerGroupHeartbeatRequest, version: number, client: { clientId: string; clientHost: string }): Promise<Heartbeat> {
    const failed = (code: number, message: string | null): Heartbeat => ({ throttleTimeMs: 0, errorCode: code, errorMessage: message, memberId: null, memberEpoch: 0, heartbeatIntervalMs: 0, assignment: null });
    const records: CoordinatorRecord[] = [];
    let answer: Heartbeat;
    try {
      answer = this.handle(req, version, client, records);
    } catch (e) {
      if (!(e instanceof HeartbeatError)) throw e;
      answer = failed(e.code, e.message);
    }
    const written = await this.manager.write(req.groupId, records);
    return written === ErrorCode.NONE ? answer : failed(written, null);
  }

  /** Kafka's throwIfConsumerGroupHeartbeatRequestIsInvalid. */
  private validate(req: ConsumerGroupHeartbeatRequest, version: number): void {
    const invalid = (m: string) => fail(ErrorCode.INVALID_REQUEST, m);
    if (req.groupId === '') invalid("GroupId can't be empty.");
    // v0 lets the coordinator name a joining member; from v1 the member names itself (KIP-1082).
    if (req.memberId === '' && (version >= 1 || req.memberEpoch !== 0)) invalid("MemberId can't be empty.");
    if (req.instanceId === '') invalid("InstanceId can't be empty.");
    if (req.rackId === '') invalid("RackId can't be empty.");
    if (req.memberEpoch === 0) {
      if (req.rebalanceTimeoutMs === -1) invalid('RebalanceTimeoutMs must be provided in first request.');
      if (req.topicPartitions === null || req.topicPartitions.length > 0) invalid('TopicPartitions must be empty when (re-)joining.');
      if (req.subscribedTopicNames === null && req.subscribedTopicRegex === null) invalid('SubscribedTopicNames or SubscribedTopicRegex must be set in first request.');
    } else if (req.memberEpoch === STATIC_LEFT_EPOCH) {
      if (req.instanceId === null) invalid("InstanceId can't be null.");
    } else if (req.memberEpoch < STATIC_LEFT_EPOCH) {
      invalid('MemberEpoch is invalid.');
    }
    if (req.subscribedTopicRegex !== null) this.compile(req.subscribedTopicRegex);
    if (req.serverAssignor !== null && !this.assignors.includes(req.serverAssignor)) {
      fail(ErrorCode.UNSUPPORTED_ASSIGNOR, `ServerAssignor ${req.serverAssignor} is not supported. Supported assignors: ${this.assignors.join(', ')}.`);
    }
  }

  private compile(regex: string): RE2JS {
    const known = this.patterns.get(regex);
    if (known) return known;
    try {
      const re = RE2JS.compile(regex);
      if (this.patterns.size > 10_000) this.patterns.clear();
      this.patterns.set(regex, re);
      return re;
    } catch (e) {
      return fail(ErrorCode.INVALID_REGULAR_EXPRESSION, `SubscribedTopicRegex \`${regex}\` is not a valid regular expression: ${(e as Error).message}.`);
    }
  }

  /**
   * The group's consumer state: created for a joining member (an empty classic group
   * converts; a live one is upgraded online where the migration policy allows), else it
   * must exist.
   */
  private groupFor(groupId: string, create: boolean, records: CoordinatorRecord[]): { g: Group; cg: ConsumerGroup } {
    const existing = this.manager.groups.get(groupId);
    if (existing?.consumer) return { g: existing, cg: existing.consumer };
    if (existing && existing.members.size > 0) {
      const upgraded = create ? this.mixed.upgrade(existing, records) : null;
      if (!upgraded) fail(ErrorCode.GROUP_ID_NOT_FOUND, `Group ${groupId} is not a consumer group.`);
      return { g: existing, cg: upgraded! };
    }
    if (!create) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Consumer group ${groupId} not found.`);
    const g = existing ?? this.manager.getOrCreate(groupId);
    g.consumer = new ConsumerGroup(groupId);
    return { g, cg: g.consumer };
  }

  private handle(req: ConsumerGroupHeartbeatRequest, version: number, client: { clientId: string; clientHost: string }, records: CoordinatorRecord[]): Heartbeat {
    this.validate(req, version);
    const notHere = this.manager.coordinatorError(req.groupId);
    if (notHere !== null) fail(notHere, `The coordinator is not available for ${req.groupId}.`);
    const now = this.deps.now();
    const { cg } = this.groupFor(req.groupId, req.memberEpoch === 0, records);
    const memberId = req.memberId !== '' ? req.memberId : randomUUID();
    if (req.memberEpoch === LEAVE_EPOCH || req.memberEpoch === STATIC_LEFT_EPOCH) return this.leave(cg, req, memberId, records);

    const existing = this.member(cg, req, memberId, records);
    const { prior, member } = this.upsertMember(cg, existing, memberId, {
      instanceId: req.instanceId, rackId: req.rackId, rebalanceTimeoutMs: req.rebalanceTimeoutMs, subscribedTopicNames: req.subscribedTopicNames,
      subscribedTopicRegex: req.subscribedTopicRegex, serverAssignor: req.serverAssignor, clientId: client.clientId, clientHost: client.clientHost,
      classic: null, sessionTimeoutMs: this.groupInt(cg.groupId, 'consumer.session.timeout.ms'),
    }, req.topicPartitions, now, records);
    // The assignment goes back on a join, on a full request (after an error, say), and when it changed.
    const full = req.rebalanceTimeoutMs !== -1 && (req.subscribedTopicNames !== null || req.subscribedTopicRegex !== null) && req.topicPartitions !== null;
    const changed = !sameAssignment(prior.assigned, member.assigned);
    return {
      throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, memberId, memberEpoch: member.memberEpoch,
      heartbeatIntervalMs: this.groupInt(cg.groupId, 'consumer.heartbeat.interval.ms'),
      assignment: req.memberEpoch === 0 || full || changed ? { topicPartitions: assignmentList(member.assigned) } : null,
    };
  }

  /**
   * Kafka's steps 1 to 3 of a member's heartbeat (a classic member's JoinGroup takes the same
   * path): the member made or updated from what it sent, the group epoch and target moved
   * when its subscription changed, and the member reconciled toward its target given the
   * partitions it says it owns. Returns it before and after.
   */
  upsertMember(cg: ConsumerGroup, existing: ConsumerMember | undefined, memberId: string, sent: MemberUpdate, owned: ReadonlyArray<{ topicId: string; partitions: ReadonlyArray<number> }> | null, now: number, records: CoordinatorRecord[]): { prior: ConsumerMember; member: ConsumerMember } {
    const joining = existing === undefined;
    if (joining && cg.members.size >= this.deps.config.int('group.consumer.max.size')) {
      fail(ErrorCode.GROUP_MAX_SIZE_REACHED, `The consumer group has reached its maximum capacity of ${this.deps.config.int('group.consumer.max.size')} members.`);
    }
    const prior: ConsumerMember = existing ?? {
      memberId, instanceId: sent.instanceId, rackId: null, clientId: sent.clientId, clientHost: sent.clientHost, rebalanceTimeoutMs: -1,
      subscribedTopicNames: [], subscribedTopicRegex: null, serverAssignor: null, sessionDeadline: 0, revocationDeadline: null,
      state: 'STABLE', memberEpoch: 0, previousMemberEpoch: 0, assigned: EMPTY, pendingRevocation: EMPTY, classic: null,
    };
    const updated: ConsumerMember = {
      ...prior,
      instanceId: sent.instanceId ?? prior.instanceId,
      rackId: sent.rackId ?? prior.rackId,
      rebalanceTimeoutMs: sent.rebalanceTimeoutMs !== -1 ? sent.rebalanceTimeoutMs : prior.rebalanceTimeoutMs,
      subscribedTopicNames: sent.subscribedTopicNames ?? prior.subscribedTopicNames,
      subscribedTopicRegex: sent.subscribedTopicRegex !== null ? sent.subscribedTopicRegex || null : prior.subscribedTopicRegex,
      serverAssignor: sent.serverAssignor ?? prior.serverAssignor,
      clientId: sent.clientId,
      clientHost: sent.clientHost,
      classic: sent.classic,
      sessionDeadline: now + sent.sessionTimeoutMs,
    };
    const subscriptionChanged = joining
      || updated.subscribedTopicRegex !== prior.subscribedTopicRegex
      || updated.serverAssignor !== prior.serverAssignor
      || updated.subscribedTopicNames.length !== prior.subscribedTopicNames.length
      || updated.subscribedTopicNames.some((t, i) => t !== prior.subscribedTopicNames[i]);
    cg.set(updated);
    if (joining) this.deps.logger.info(`group ${cg.groupId}: member ${memberId} joins the consumer group${sent.classic ? ' with the classic protocol' : ''}`);
    if (subscriptionChanged || updated.instanceId !== prior.instanceId || updated.rackId !== prior.rackId || updated.rebalanceTimeoutMs !== prior.rebalanceTimeoutMs
      || updated.clientId !== prior.clientId || updated.clientHost !== prior.clientHost || !sameClassic(updated.classic, prior.classic)) {
      records.push(memberRecord(cg.groupId, memberId, updated));
    }
    this.maybeBumpEpoch(cg, subscriptionChanged, records);

    const reconciled = reconcile(updated, cg.targetAssignmentEpoch, cg.target.get(memberId) ?? EMPTY, cg.ownerEpoch, owned);
    const member: ConsumerMember = {
      ...updated, ...reconciled,
      revocationDeadline: reconciled.state === 'UNREVOKED_PARTITIONS' ? (updated.revocationDeadline ?? now + updated.rebalanceTimeoutMs) : null,
    };
    cg.set(member);
    if (member.memberEpoch !== prior.memberEpoch || member.previousMemberEpoch !== prior.previousMemberEpoch || member.state !== prior.state
      || !sameAssignment(member.assigned, prior.assigned) || !sameAssignment(member.pendingRevocation, prior.pendingRevocation)) {
      records.push(currentRecord(cg.groupId, memberId, member));
    }
    return { prior, member };
  }

  /** The member a heartbeat is from: a static member by its instance id, else by member id (Kafka's getOrMaybeSubscribe*Member). */
  private member(cg: ConsumerGroup, req: ConsumerGroupHeartbeatRequest, memberId: string, records: CoordinatorRecord[]): ConsumerMember | undefined {
    if (req.instanceId !== null) {
      const previous = cg.staticMember(req.instanceId);
      if (req.memberEpoch === 0) {
        if (!previous) return undefined;
        if (previous.memberEpoch !== STATIC_LEFT_EPOCH) {
          fail(ErrorCode.UNRELEASED_INSTANCE_ID, `Static member ${previous.memberId} with instance id ${req.instanceId} is not released yet. The new member id ${memberId} cannot be accepted.`);
        }
        // The instance comes back under a new member id: it takes over the old member's assignment, without a rebalance.
        const target = cg.target.get(previous.memberId);
        cg.remove(previous.memberId);
        if (target) cg.target.set(memberId, target);
        const back: ConsumerMember = { ...previous, memberId, memberEpoch: 0, previousMemberEpoch: 0 };
        cg.set(back);
        records.push(...memberTombstones(cg.groupId, previous.memberId), memberRecord(cg.groupId, memberId, back), currentRecord(cg.groupId, memberId, back));
        if (target) records.push(targetRecord(cg.groupId, memberId, target));
        return back;
      }
      if (!previous) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Instance id ${req.instanceId} is unknown.`);
      if (previous!.memberId !== memberId) fail(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${req.instanceId} is fenced by existing member ${previous!.memberId}.`);
      this.checkEpoch(previous!, req);
      return previous;
    }
    const m = cg.members.get(memberId);
    if (req.memberEpoch === 0) return m;
    if (!m) fail(ErrorCode.UNKNOWN_MEMBER_ID, `Member ${memberId} is not a member of group ${cg.groupId}.`);
    this.checkEpoch(m!, req);
    return m;
  }

  /** Kafka's throwIfMemberEpochIsInvalid: a newer epoch than known, or an older one that is not the last with a subset of its partitions, is fenced. */
  private checkEpoch(m: ConsumerMember, req: ConsumerGroupHeartbeatRequest): void {
    const fenced = (how: string) => fail(ErrorCode.FENCED_MEMBER_EPOCH, `The consumer group member has a ${how} member epoch (${req.memberEpoch}) than the one known by the group coordinator (${m.memberEpoch}). The member must abandon all its partitions and rejoin.`);
    if (req.memberEpoch > m.memberEpoch) fenced('greater');
    if (req.memberEpoch < m.memberEpoch) {
      const subset = req.topicPartitions !== null && req.topicPartitions.every((t) => t.partitions.every((p) => m.assigned.get(t.topicId)?.includes(p)));
      if (req.memberEpoch !== m.previousMemberEpoch || !subset) fenced('smaller');
    }
  }

  private leave(cg: ConsumerGroup, req: ConsumerGroupHeartbeatRequest, memberId: string, records: CoordinatorRecord[]): Heartbeat {
    const m = req.instanceId !== null ? cg.staticMember(req.instanceId) : cg.members.get(memberId);
    if (!m) fail(ErrorCode.UNKNOWN_MEMBER_ID, req.instanceId !== null ? `Instance id ${req.instanceId} is unknown.` : `Member ${memberId} is not a member of group ${cg.groupId}.`);
    if (req.instanceId !== null && m!.memberId !== memberId) fail(ErrorCode.FENCED_INSTANCE_ID, `Static member ${memberId} with instance id ${req.instanceId} is fenced by existing member ${m!.memberId}.`);
    if (req.memberEpoch === STATIC_LEFT_EPOCH) {
      // A static member that leaves keeps its partitions for its session, to come back to them.
      const left = { ...m!, memberEpoch: STATIC_LEFT_EPOCH, previousMemberEpoch: m!.memberEpoch };
      cg.set(left);
      records.push(currentRecord(cg.groupId, memberId, left));
      this.deps.logger.info(`group ${cg.groupId}: static member ${memberId} (instance ${req.instanceId}) left temporarily`);
    } else {
      this.removeMember(cg, m!, 'left the consumer group', records);
    }
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, memberId, memberEpoch: req.memberEpoch, heartbeatIntervalMs: 0, assignment: null };
  }

  /** A member gone (left, fenced, timed out); a group left with classic members only turns classic again (Kafka's online downgrade). */
  removeMember(cg: ConsumerGroup, m: ConsumerMember, why: string, records: CoordinatorRecord[]): void {
    cg.remove(m.memberId);
    records.push(...memberTombstones(cg.groupId, m.memberId));
    this.deps.logger.info(`group ${cg.groupId}: member ${m.memberId} ${why}`);
    const g = this.manager.groups.get(cg.groupId);
    // Classic members left alone: the group turns classic at the epoch it had, and they rebalance there.
    if (g && !m.classic && this.mixed.maybeDowngrade(g, cg, records)) {
      records.push(this.manager.groupRecord(g));
      const now = this.deps.now();
      g.rebalanceDeadline = now + Math.max(0, ...[...g.members.values()].map((x) => x.rebalanceTimeoutMs));
      g.transition('PreparingRebalance', now);
      return;
    }
    // Empty from now: offsets.retention.minutes counts from here.
    if (cg.members.size === 0) g?.transition('Empty', this.deps.now());
    this.maybeBumpEpoch(cg, true, records);
  }

  /** The topics a member subscribes to, by name and by regex (RE2, the whole name must match; internal topics never). */
  private resolve(m: ConsumerMember): string[] {
    const names = new Set(m.subscribedTopicNames);
    if (m.subscribedTopicRegex) {
      const re = this.compile(m.subscribedTopicRegex);
      for (const t of this.deps.topics.names()) if (!this.deps.topics.byName(t)?.internal && re.matches(t)) names.add(t);
    }
    return [...names].filter((t) => this.deps.topics.byName(t) !== undefined).sort();
  }

  /**
   * Moves the group epoch when membership or subscriptions changed, or a subscribed topic
   * was created, deleted or grew; then computes the target assignment for the new epoch.
   */
  private maybeBumpEpoch(cg: ConsumerGroup, changed: boolean, records: CoordinatorRecord[]): void {
    const resolved = new Map([...cg.members.values()].map((m) => [m.memberId, this.resolve(m)]));
    const topics = [...new Set([...resolved.values()].flat())].sort();
    const metadata = topics.map((t) => { const x = this.deps.topics.byName(t)!; return `${t}:${x.topicId}:${x.partitions}`; }).join(',');
    if (cg.subscriptionMetadata === null) cg.subscriptionMetadata = metadata;
    if (!changed && metadata === cg.subscriptionMetadata) return;
    cg.subscriptionMetadata = metadata;
    cg.groupEpoch++;
    records.push(groupEpochRecord(cg.groupId, cg.groupEpoch));
    const preferred = [...cg.members.values()].map((m) => m.serverAssignor).filter((a): a is string => a !== null);
    const name = mostCommon(preferred) ?? this.assignors[0] ?? 'uniform';
    const assignor = SERVER_ASSIGNORS.get(name) ?? SERVER_ASSIGNORS.get('uniform')!;
    const partitions = new Map(topics.map((t) => { const x = this.deps.topics.byName(t)!; return [x.topicId, x.partitions]; }));
    const members = [...cg.members.values()].map((m) => ({ memberId: m.memberId, topics: new Set(resolved.get(m.memberId)!.map((t) => this.deps.topics.byName(t)!.topicId)) }));
    const target = assignor.assign({ members, partitions, current: cg.target });
    for (const [id, a] of target) {
      const before = cg.target.get(id);
      if (!before || !sameAssignment(before, a)) records.push(targetRecord(cg.groupId, id, a));
      cg.target.set(id, a);
    }
    cg.targetAssignmentEpoch = cg.groupEpoch;
    records.push(targetEpochRecord(cg.groupId, cg.groupEpoch));
    cg.assignorName = assignor.name;
  }

  /** Members whose session ended, or who did not revoke in their rebalance timeout, are fenced; topic changes reach the groups. */
  tick(now: number): void {
    for (const g of this.manager.groups.values()) {
      const cg = g.consumer;
      if (!cg || this.manager.coordinatorError(g.groupId) !== null) continue;
      const records: CoordinatorRecord[] = [];
      for (const m of [...cg.members.values()]) {
        if (now > m.sessionDeadline) this.removeMember(cg, m, `fenced after its session timeout of ${this.groupInt(cg.groupId, 'consumer.session.timeout.ms')} ms`, records);
        else if (m.revocationDeadline !== null && now > m.revocationDeadline) this.removeMember(cg, m, `fenced for failing to revoke partitions within ${m.rebalanceTimeoutMs} ms`, records);
      }
      if (cg.members.size > 0) this.maybeBumpEpoch(cg, false, records);
      void this.manager.write(g.groupId, records);
    }
  }

  /** `ops` is the authorized-operations field to answer with (the authorizer's, or "not requested"). */
  describe(groupId: string, ops: number): Described {
    const none = { groupId, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [], authorizedOperations: ops };
    const notHere = this.manager.coordinatorError(groupId);
    if (notHere !== null) return { ...none, errorCode: notHere, errorMessage: null };
    const g = this.manager.groups.get(groupId);
    if (!g) return { ...none, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} not found.` };
    const cg = g.consumer;
    if (!cg) return { ...none, errorCode: ErrorCode.GROUP_ID_NOT_FOUND, errorMessage: `Group ${groupId} is not a consumer group.` };
    const named = (a: Assignment) => ({ topicPartitions: assignmentList(a).map((t) => ({ ...t, topicName: this.deps.topics.nameOf(t.topicId) ?? '' })) });
    return {
      errorCode: ErrorCode.NONE, errorMessage: null, groupId, groupState: cg.state, groupEpoch: cg.groupEpoch, assignmentEpoch: cg.targetAssignmentEpoch,
      assignorName: cg.assignorName || (this.assignors[0] ?? 'uniform'), authorizedOperations: ops,
      members: [...cg.members.values()].map((m) => ({
        memberId: m.memberId, instanceId: m.instanceId, rackId: m.rackId, memberEpoch: m.memberEpoch, clientId: m.clientId, clientHost: m.clientHost,
        subscribedTopicNames: [...m.subscribedTopicNames], subscribedTopicRegex: m.subscribedTopicRegex,
        assignment: named(m.assigned), targetAssignment: named(cg.target.get(m.memberId) ?? EMPTY), memberType: m.classic ? 0 : 1,
      })),
    };
  }
}

function mostCommon(values: string[]): string | null {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  let best: string | null = null;
  for (const [v, n] of counts) if (best === null || n > counts.get(best)!) best = v;
  return best;
}
