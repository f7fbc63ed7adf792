// The groups this broker coordinates and their committed offsets (Kafka's
// GroupMetadataManager): which __consumer_offsets partition holds a group, loading a
// partition's groups when this broker becomes its leader, writing group metadata and
// offsets as records through the partition writer, and the offset APIs.
import type { Logger } from 'winston';
import { groupConfigValue } from './group-configs.js';
import { ErrorCode } from '../../protocol/errors.js';
import type { CoordinatorRecord, PartitionWriter, TxnProducer } from '../coordinator/partition-writer.js';
import type { TopicCatalog } from './consumer-coordinator.js';
import { commitAccessError, replayConsumerRecord } from './consumer-group.js';
import { consumerGroupTombstones, isConsumerGroupRecord } from './consumer-records.js';
import { type CommittedOffset, Group } from './group.js';
import { PendingTxnOffsets } from './pending-offsets.js';
import { type CoordinatorRecord as GroupRecord, groupKey, groupValue, offsetKey, offsetValue, partitionForGroup, readCoordinatorRecord, subscribedTopics } from './records.js';

export interface OffsetCommitEntry {
  topic: string;
  partition: number;
  offset: number;
  leaderEpoch: number;
  metadata: string | null;
}

/** What the group coordinator needs of the rest of the broker. */
export interface GroupCoordinatorDeps {
  /** __consumer_offsets, through the coordinator seam. */
  writer: PartitionWriter;
  /** Broker configs (group.*, offsets.*). */
  config: { int(name: string): number; get(name: string): string | null };
  /** The topics KIP-848 groups subscribe to; none by default (a coordinator on its own). */
  topics?: TopicCatalog;
  /** A group's config overrides (GROUP config resources, KIP-848); none by default. */
  groupConfigs?(groupId: string): Readonly<Record<string, string>> | undefined;
  /** Whether the cluster has this topic, and this partition of it (-1: any). */
  topicExists(topic: string, partition: number): boolean;
  logger: Pick<Logger, 'info' | 'error'>;
  now(): number;
}

const MAX_METADATA = 4096;
const offsetKeyOf = (topic: string, partition: number) => `${topic}\u0000${partition}`;
const splitOffsetKey = (k: string): [string, number] => {
  const [t, p] = k.split('\u0000') as [string, string];
  return [t, Number(p)];
};

/** A group's committed offsets as topic, partition and offset (metrics, describing). */
export function committedOffsets(g: Group): Array<{ topic: string; partition: number; offset: number }> {
  return [...g.offsets].map(([k, v]) => {
    const [topic, partition] = splitOffsetKey(k);
    return { topic, partition, offset: v.offset };
  });
}

export class GroupManager {
  readonly groups = new Map<string, Group>();
  /** Offsets of TxnOffsetCommit, waiting for their transaction's marker. */
  private readonly pending = new PendingTxnOffsets();
  private readonly loading = new Map<number, Promise<void>>();

  constructor(private readonly deps: GroupCoordinatorDeps) {}

  /** The __consumer_offsets partition that holds a group, as in Kafka. */
  partitionFor(groupId: string): number {
    return partitionForGroup(groupId, this.deps.writer.partitionCount() ?? this.deps.config.int('offsets.topic.num.partitions'));
  }

  /**
   * Null when this broker coordinates the group: it leads the group's __consumer_offsets
   * partition and has loaded it. Otherwise the error that sends the client elsewhere.
   */
  coordinatorError(groupId: string): number | null {
    if (this.deps.writer.partitionCount() === null) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    const index = this.partitionFor(groupId);
    if (!this.deps.writer.isLeader(index)) return ErrorCode.NOT_COORDINATOR;
    if (this.loading.has(index)) return ErrorCode.COORDINATOR_LOAD_IN_PROGRESS;
    return null;
  }

  getOrCreate(groupId: string): Group {
    let g = this.groups.get(groupId);
    if (!g) this.groups.set(groupId, (g = new Group(groupId, this.deps.now())));
    return g;
  }

  // ---- loading ------------------------------------------------------------------------

  /** This broker now leads an offsets partition: its groups are read back from the log. */
  load(index: number): void {
    const load = this.loadPartition(index)
      .catch((e) => {
        this.deps.logger.error(`loading groups of __consumer_offsets-${index} failed: ${(e as Error).stack ?? String(e)}`);
      })
      .finally(() => {
        if (this.loading.get(index) === load) this.loading.delete(index);
      });
    this.loading.set(index, load);
  }

  /** Leadership of an offsets partition moved away: its groups, now another broker's, are returned and forgotten. */
  unload(index: number): Group[] {
    this.loading.delete(index);
    const gone = [...this.groups.values()].filter((g) => this.partitionFor(g.groupId) === index);
    for (const g of gone) this.groups.delete(g.groupId);
    this.pending.dropWhere((id) => this.partitionFor(id) === index);
    return gone;
  }

  /** Resolves once every partition being loaded is loaded. */
  async loaded(): Promise<void> {
    while (this.loading.size > 0) await Promise.all([...this.loading.values()]);
  }

  private async loadPartition(index: number): Promise<void> {
    // Groups of this partition left over from an earlier term are stale: the log is the truth.
    for (const id of [...this.groups.keys()]) if (this.partitionFor(id) === index) this.groups.delete(id);
    this.pending.dropWhere((id) => this.partitionFor(id) === index);
    for await (const r of this.deps.writer.load(index)) {
      if ('marker' in r) {
        this.completeTxn(index, r.marker.producerId, r.marker.commit);
        continue;
      }
      const rec = readCoordinatorRecord(r.key, r.value);
      if (!rec) continue;
      // An offset a transaction committed waits for its marker, further on in the log.
      if (rec.kind === 'offset' && rec.value && r.producerId !== undefined && r.producerId >= 0) this.pending.add(rec.group, r.producerId, offsetKeyOf(rec.topic, rec.partition), rec.value);
      else this.replay(rec);
    }
    let n = 0;
    for (const g of [...this.groups.values()]) {
      if (this.partitionFor(g.groupId) !== index) continue;
      if (g.members.size === 0 && !g.consumer && g.offsets.size === 0 && !this.pending.hasGroup(g.groupId)) this.groups.delete(g.groupId);
      else n++;
    }
    if (n > 0) this.deps.logger.info(`loaded ${n} group(s) from __consumer_offsets-${index}`);
  }

  private replay(rec: GroupRecord): void {
    const g = this.getOrCreate(rec.group);
    const now = this.deps.now();
    if (isConsumerGroupRecord(rec)) {
      replayConsumerRecord(g, rec, now, Number(groupConfigValue(this.deps.groupConfigs?.(g.groupId), 'consumer.session.timeout.ms', this.deps.config)));
      return;
    }
    if (rec.kind === 'offset') {
      const key = offsetKeyOf(rec.topic, rec.partition);
      if (rec.value) g.offsets.set(key, rec.value);
      else g.offsets.delete(key);
      return;
    }
    g.members.clear();
    g.staticMembers.clear();
    if (!rec.value) {
      g.transition('Empty', now);
      g.generationId = 0;
      return;
    }
    const v = rec.value;
    g.generationId = v.generation;
    g.protocolType = v.protocolType || null;
    g.protocolName = v.protocol;
    g.leaderId = v.leader;
    for (const m of v.members) {
      g.members.set(m.memberId, {
        memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
        sessionTimeoutMs: m.sessionTimeout, rebalanceTimeoutMs: m.rebalanceTimeout, protocolType: v.protocolType,
        protocols: [{ name: v.protocol ?? '', metadata: m.subscription }], assignment: m.assignment,
        lastHeartbeat: now, awaitingJoin: null, awaitingSync: null,
      });
      if (m.groupInstanceId) g.staticMembers.set(m.groupInstanceId, m.memberId);
    }
    g.transition(g.members.size > 0 ? 'Stable' : 'Empty', now);
    if (v.currentStateTimestamp > 0) g.stateTimestamp = v.currentStateTimestamp;
  }

  // ---- writing ------------------------------------------------------------------------

  /** Appends records to the group's partition; resolves with NONE once the ISR has them, else the coordinator's error. */
  write(groupId: string, records: CoordinatorRecord[]): Promise<number> {
    if (records.length === 0) return Promise.resolve(ErrorCode.NONE);
    return this.deps.writer.append(this.partitionFor(groupId), records);
  }

  /** Writes the group's metadata (members, generation, assignment) as it stands. */
  storeGroup(g: Group): void {
    void this.write(g.groupId, [this.groupRecord(g)]);
  }

  /** A classic group's GroupMetadata record as it stands. */
  groupRecord(g: Group): CoordinatorRecord {
    return {
      key: groupKey(g.groupId),
      value: groupValue({
        protocolType: g.protocolType ?? '',
        generation: g.generationId,
        protocol: g.protocolName,
        leader: g.leaderId,
        currentStateTimestamp: g.stateTimestamp,
        members: [...g.members.values()].map((m) => ({
          memberId: m.memberId, groupInstanceId: m.groupInstanceId, clientId: m.clientId, clientHost: m.clientHost,
          rebalanceTimeout: m.rebalanceTimeoutMs, sessionTimeout: m.sessionTimeoutMs,
          subscription: g.metadataFor(m), assignment: m.assignment,
        })),
      }),
    };
  }

  // ---- offsets ------------------------------------------------------------------------

  /** Checks who may commit; returns null when allowed, else the code for every partition. */
  private commitError(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null, apiVersion = Infinity): number | null {
    const g = this.groups.get(groupId);
    if (!g) return generationId < 0 ? null : ErrorCode.ILLEGAL_GENERATION;
    if (g.state === 'Dead') return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (g.consumer) {
      const denied = commitAccessError(g.consumer, memberId, generationId);
      // A KIP-848 member commits with OffsetCommit v9+, which carries its member epoch; a classic member of the group, with its generation.
      if (denied === null && generationId >= 0 && apiVersion < 9 && !g.consumer.members.get(memberId)?.classic) return ErrorCode.UNSUPPORTED_VERSION;
      return denied;
    }
    // In Kafka's order: who is committing, then for which generation, then the state; a
    // commit from an earlier generation is ILLEGAL_GENERATION even mid-rebalance.
    if (generationId >= 0 || memberId !== '' || groupInstanceId !== null) {
      if (groupInstanceId !== null && g.staticMembers.has(groupInstanceId) && g.staticMembers.get(groupInstanceId) !== memberId) return ErrorCode.FENCED_INSTANCE_ID;
      const m = g.members.get(memberId);
      if (!m) return ErrorCode.UNKNOWN_MEMBER_ID;
      if (generationId !== g.generationId) return ErrorCode.ILLEGAL_GENERATION;
      m.lastHeartbeat = this.deps.now();
    } else if (g.state !== 'Empty') {
      return ErrorCode.UNKNOWN_MEMBER_ID;
    }
    if (g.state === 'CompletingRebalance') return ErrorCode.REBALANCE_IN_PROGRESS;
    return null;
  }

  async commitOffsets(groupId: string, generationId: number, memberId: string, groupInstanceId: string | null, entries: OffsetCommitEntry[], apiVersion = Infinity): Promise<number[]> {
    if (!groupId) return entries.map(() => ErrorCode.INVALID_GROUP_ID);
    const notHere = this.coordinatorError(groupId);
    if (notHere !== null) return entries.map(() => notHere);
    const denied = this.commitError(groupId, generationId, memberId, groupInstanceId, apiVersion);
    if (denied !== null) return entries.map(() => denied);
    const g = this.getOrCreate(groupId);
    const { codes, accepted, records } = this.offsetRecords(groupId, entries);
    for (const [key, v] of accepted) g.offsets.set(key, v);
    const written = await this.write(groupId, records);
    return codes.map((c) => (c === ErrorCode.NONE ? written : c));
  }

  /** Each entry checked (its partition exists, its metadata fits) and, where it passes, its offset and record. */
  private offsetRecords(groupId: string, entries: OffsetCommitEntry[]): { codes: number[]; accepted: Array<[string, CommittedOffset]>; records: CoordinatorRecord[] } {
    const now = this.deps.now();
    const accepted: Array<[string, CommittedOffset]> = [];
    const records: CoordinatorRecord[] = [];
    const codes = entries.map((e) => {
      if (!this.deps.topicExists(e.topic, e.partition)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
      const metadata = e.metadata ?? '';
      if (Buffer.byteLength(metadata) > MAX_METADATA) return ErrorCode.OFFSET_METADATA_TOO_LARGE;
      const v: CommittedOffset = { offset: e.offset, leaderEpoch: e.leaderEpoch, metadata, commitTimestamp: now };
      accepted.push([offsetKeyOf(e.topic, e.partition), v]);
      records.push({ key: offsetKey(groupId, e.topic, e.partition), value: offsetValue(v) });
      return ErrorCode.NONE;
    });
    return { codes, accepted, records };
  }

  /**
   * TxnOffsetCommit: offsets written in the producer's transaction (its epoch checked by the
   * partition, as Kafka's is), visible once its COMMIT marker reaches the partition. The
   * member and generation, when given (KIP-447), are checked as for a plain commit.
   */
  async commitTxnOffsets(
    groupId: string, producer: TxnProducer, generationId: number, memberId: string, groupInstanceId: string | null, entries: OffsetCommitEntry[],
    verify: (partition: number) => Promise<number> = async () => ErrorCode.NONE,
  ): Promise<number[]> {
    if (!groupId) return entries.map(() => ErrorCode.INVALID_GROUP_ID);
    const notHere = this.coordinatorError(groupId);
    if (notHere !== null) return entries.map(() => notHere);
    // KIP-890: the group's offsets partition must be in the producer's transaction, as its coordinator says, before any other check.
    const verified = await verify(this.partitionFor(groupId));
    if (verified !== ErrorCode.NONE) return entries.map(() => verified);
    if (generationId >= 0 || memberId !== '') {
      const denied = this.commitError(groupId, generationId, memberId, groupInstanceId);
      if (denied !== null) return entries.map(() => denied);
    }
    const { codes, accepted, records } = this.offsetRecords(groupId, entries);
    const written = records.length === 0 ? ErrorCode.NONE : await this.deps.writer.append(this.partitionFor(groupId), records, producer);
    if (written === ErrorCode.NONE) {
      this.getOrCreate(groupId);
      for (const [key, v] of accepted) this.pending.add(groupId, producer.producerId, key, v);
    }
    return codes.map((c) => (c === ErrorCode.NONE ? written : c));
  }

  /** A transaction marker reached an offsets partition: the producer's pending offsets there are committed or dropped. */
  completeTxn(index: number, producerId: number, commit: boolean): void {
    for (const [groupId, offsets] of this.pending.take(producerId, (id) => this.partitionFor(id) === index)) {
      if (!commit) continue;
      const g = this.getOrCreate(groupId);
      for (const [key, v] of offsets) g.offsets.set(key, v);
    }
  }

  /** Whether an undecided transaction holds an offset of the group's partition (UNSTABLE_OFFSET_COMMIT for RequireStable). */
  hasPendingOffset(groupId: string, topic: string, partition: number): boolean {
    return this.pending.has(groupId, offsetKeyOf(topic, partition));
  }

  /** Committed offsets of a group: the partitions asked for, or every one when `topics` is null. */
  fetchOffsets(groupId: string, topics: Array<{ name: string; partitions: number[] }> | null): Array<{ name: string; partitions: Array<{ partition: number; committed: CommittedOffset | null }> }> {
    const g = this.groups.get(groupId);
    if (topics === null) {
      const byTopic = new Map<string, Array<{ partition: number; committed: CommittedOffset | null }>>();
      for (const [k, v] of g?.offsets ?? []) {
        const [name, partition] = splitOffsetKey(k);
        if (!byTopic.has(name)) byTopic.set(name, []);
        byTopic.get(name)!.push({ partition, committed: v });
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
    if (g.consumer) {
      for (const t of g.consumer.subscribedNames()) subscribed.add(t);
    } else if (g.state !== 'Empty' && g.protocolType === 'consumer') {
      for (const m of g.members.values()) for (const t of subscribedTopics(g.metadataFor(m))) subscribed.add(t);
    } else if (g.state !== 'Empty') {
      return { errorCode: ErrorCode.NON_EMPTY_GROUP, codes: [] };
    }
    const records: CoordinatorRecord[] = [];
    const codes = topics.map((t) => t.partitions.map((p) => {
      if (subscribed.has(t.name)) return ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC;
      if (!this.deps.topicExists(t.name, -1)) return ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
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
    if (g.state !== 'Empty' || (g.consumer?.members.size ?? 0) > 0) return ErrorCode.NON_EMPTY_GROUP;
    this.removeGroup(g);
    this.deps.logger.info(`group ${groupId} deleted`);
    return ErrorCode.NONE;
  }

  /** The test kit's reset: the group goes whatever its state, with its offsets, pending ones too. */
  forget(groupId: string): void {
    const g = this.groups.get(groupId);
    if (g) this.removeGroup(g);
    this.pending.dropWhere((id) => id === groupId);
  }

  private removeGroup(g: Group): void {
    const records: CoordinatorRecord[] = [];
    for (const k of g.offsets.keys()) {
      const [t, p] = splitOffsetKey(k);
      records.push({ key: offsetKey(g.groupId, t, p), value: null });
    }
    if (g.consumer) records.push(...consumerGroupTombstones(g.consumer));
    records.push({ key: groupKey(g.groupId), value: null });
    void this.write(g.groupId, records);
    g.transition('Dead', this.deps.now());
    this.groups.delete(g.groupId);
  }

  /** offsets.retention.minutes: offsets of groups empty for that long are removed. */
  expireOffsets(now: number): void {
    const retention = this.deps.config.int('offsets.retention.minutes') * 60_000;
    for (const g of [...this.groups.values()]) {
      if (g.state !== 'Empty' || (g.consumer?.members.size ?? 0) > 0 || now - g.stateTimestamp < retention || this.pending.hasGroup(g.groupId)) continue;
      if (g.offsets.size > 0) this.deps.logger.info(`group ${g.groupId}: ${g.offsets.size} offset(s) expired`);
      this.removeGroup(g);
    }
  }
}
