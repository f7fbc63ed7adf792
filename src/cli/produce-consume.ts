// `krill produce TOPIC` (lines from stdin) and `krill consume TOPIC` (records to stdout, as
// kcat's --format prints them), on Krill's own protocol layer: batches encoded by its
// record codec and sent to each partition's leader; fetches from the leaders, and for
// `--group`, a consumer group member of the classic protocol (join, sync, heartbeats,
// commits, leave).
import readline from 'node:readline';
import { Compression, type CompressionName } from '../protocol/records/batch.js';
import { ControlType, controlTypeOfKey } from '../protocol/records/control.js';
import { type DecodedBatch, decodeRecords, encodeBatch, type KafkaRecord, type RecordHeader } from '../protocol/records/records.js';
import { assignmentBytes, readAssignment, subscriptionBytes } from '../protocol/consumer-protocol.js';
import { ErrorCode } from '../protocol/errors.js';
import type { Opts } from './admin-commands.js';
import { check, CliError, type KafkaClient, type TopicMeta } from './client.js';
import { type Partitioner, partitionerFor } from './partitioners.js';

const BATCH_LINES = 1000;

function acksOf(s: string): number {
  const acks = s === 'all' ? -1 : Number(s);
  if (acks !== 0 && acks !== 1 && acks !== -1) throw new CliError(`--acks expects 0, 1, -1 or all, got ${s}`, 2);
  return acks;
}

/** `h1=v1,h2=v2<TAB>` in front of a line, with --headers. */
function splitHeaders(line: string): [RecordHeader[], string] {
  const tab = line.indexOf('\t');
  if (tab < 0) return [[], line];
  const headers = line.slice(0, tab).split(',').filter(Boolean).map((kv) => {
    const i = kv.indexOf('=');
    return i < 0 ? { key: kv, value: null } : { key: kv.slice(0, i), value: Buffer.from(kv.slice(i + 1)) };
  });
  return [headers, line.slice(tab + 1)];
}

export async function produce(c: KafkaClient, topicName: string, o: Opts): Promise<void> {
  const [t] = await c.metadata([topicName]);
  if (!t) throw new CliError(`topic ${topicName}: UNKNOWN_TOPIC_OR_PARTITION`);
  const fixed = o.one.get('partition');
  const partitioner: Partitioner = fixed !== undefined ? () => Number(fixed) : await partitionerFor(o.one.get('partitioner') ?? 'murmur2');
  if (fixed !== undefined && !t.partitions.some((p) => p.partition === Number(fixed))) throw new CliError(`--partition ${fixed}: ${topicName} has ${t.partitions.length} partitions`, 2);
  const acks = acksOf(o.one.get('acks') ?? '-1');
  const compressionName = (o.one.get('compression') ?? 'none') as CompressionName;
  if (!(compressionName in Compression)) throw new CliError(`--compression expects ${Object.keys(Compression).join(', ')}`, 2);
  const sep = o.one.get('key-separator');
  const verbose = o.flags.has('v') || o.flags.has('verbose');
  let pending = new Map<number, Array<{ key: Buffer | null; value: Buffer; headers: RecordHeader[] }>>();
  let count = 0;
  const flush = async () => {
    const batches = pending;
    pending = new Map();
    const byLeader = new Map<number, Array<[number, Buffer]>>();
    for (const [partition, records] of batches) {
      const leader = t.partitions.find((p) => p.partition === partition)!.leader;
      const batch = await encodeBatch({ records: records.map((r) => ({ ...r, timestamp: Date.now() })), compression: Compression[compressionName] });
      byLeader.set(leader, [...(byLeader.get(leader) ?? []), [partition, batch]]);
    }
    for (const [leader, parts] of byLeader) {
      const r = await c.call(leader, 0, { transactionalId: null, acks, timeoutMs: 30_000, topicData: [{ name: topicName, partitionData: parts.map(([index, records]) => ({ index, records })) }] }, 9);
      if (acks === 0) continue;
      for (const p of r.responses[0]?.partitionResponses ?? []) {
        check(p.errorCode, `producing to ${topicName}-${p.index}`, p.errorMessage);
        const n = batches.get(p.index)!.length;
        if (verbose) for (let i = 0; i < n; i++) process.stderr.write(`${topicName}-${p.index}@${p.baseOffset + i}\n`);
      }
    }
  };
  const lines = readline.createInterface({ input: process.stdin, crlfDelay: Infinity });
  for await (const raw of lines) {
    const [headers, line] = o.flags.has('headers') ? splitHeaders(raw) : [[], raw];
    let key: Buffer | null = null;
    let value = line;
    if (sep !== undefined) {
      const i = line.indexOf(sep);
      if (i >= 0) [key, value] = [Buffer.from(line.slice(0, i)), line.slice(i + sep.length)];
    }
    const partition = partitioner(key, t.partitions.length);
    if (!pending.has(partition)) pending.set(partition, []);
    pending.get(partition)!.push({ key, value: Buffer.from(value), headers });
    if (++count % BATCH_LINES === 0) await flush();
  }
  await flush();
  if (verbose) process.stderr.write(`${count} record(s) produced to ${topicName}\n`);
}

/** kcat's format: %k key, %v value, %h headers, %p partition, %o offset, %t timestamp, %T topic, \n and \t. */
export function formatRecord(fmt: string, topicName: string, partition: number, r: KafkaRecord): string {
  return fmt.replace(/%[kvhpotT%]|\\[nt]/g, (m) => {
    switch (m) {
      case '%k': return r.key?.toString() ?? '';
      case '%v': return r.value?.toString() ?? '';
      case '%h': return r.headers.map((h) => `${h.key}=${h.value?.toString() ?? ''}`).join(',');
      case '%p': return String(partition);
      case '%o': return String(r.offset);
      case '%t': return String(r.timestamp);
      case '%T': return topicName;
      case '%%': return '%';
      case '\\n': return '\n';
      default: return '\t';
    }
  });
}

/** The records a read_committed consumer keeps: none of an aborted transaction's, no markers. */
function committedRecords(batches: DecodedBatch[], aborted: ReadonlyArray<{ producerId: number; firstOffset: number }>): KafkaRecord[] {
  const pendingAborts = [...aborted].sort((a, b) => a.firstOffset - b.firstOffset);
  const aborting = new Set<number>();
  const out: KafkaRecord[] = [];
  for (const b of batches) {
    while (pendingAborts.length > 0 && pendingAborts[0]!.firstOffset <= b.baseOffset + b.lastOffsetDelta) aborting.add(pendingAborts.shift()!.producerId);
    if (b.isControl) {
      if (controlTypeOfKey(b.records[0]?.key ?? null) === ControlType.ABORT) aborting.delete(b.producerId);
      continue;
    }
    if (b.isTransactional && aborting.has(b.producerId)) continue;
    out.push(...b.records);
  }
  return out;
}

export async function consume(c: KafkaClient, topicName: string, o: Opts): Promise<void> {
  const [t] = await c.metadata([topicName]);
  if (!t) throw new CliError(`topic ${topicName}: UNKNOWN_TOPIC_OR_PARTITION`);
  const fmt = o.one.get('format') ?? '%v\\n';
  const limit = o.one.has('count') ? Number(o.one.get('count')) : Infinity;
  const isolation = o.one.get('isolation') === 'read_committed' ? 1 : 0;
  const groupId = o.one.get('group');
  const member = groupId ? await GroupMember.join(c, groupId, t) : null;
  // The partitions read and where: all (or --partition), or the group's assignment, which a rebalance changes.
  let mine: number[] = [];
  const position = new Map<number, number>();
  const assign = async () => {
    mine = member ? member.partitions : o.one.has('partition') ? [Number(o.one.get('partition'))] : t.partitions.map((p) => p.partition);
    const committed = member ? await member.committedOffsets() : new Map<number, number>();
    const [earliest, latest] = [await c.offsets(t, -2), await c.offsets(t, -1)];
    position.clear();
    for (const p of mine) {
      position.set(p, o.one.has('offset') ? Number(o.one.get('offset')) : committed.get(p) ?? (o.flags.has('from-beginning') ? earliest.get(p)! : latest.get(p)!));
    }
  };
  await assign();
  let seen = 0;
  let stopped = false;
  const stop = () => {
    stopped = true;
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  const progress = !process.stdout.isTTY ? setInterval(() => process.stderr.write(`\r${seen} record(s) consumed`), 1000) : null;
  try {
    while (!stopped && seen < limit && (member !== null || mine.length > 0)) {
      if (member?.rejoinNeeded) {
        await member.commit(position).catch(() => undefined);
        await member.rejoin();
        await assign();
      }
      if (mine.length === 0) {
        // A member with nothing assigned waits for the next rebalance.
        await new Promise((r) => setTimeout(r, 200));
        continue;
      }
      let got = 0;
      for (const leader of new Set(mine.map((p) => t.partitions.find((x) => x.partition === p)!.leader))) {
        const parts = mine.filter((p) => t.partitions.find((x) => x.partition === p)!.leader === leader);
        const r = await c.call(leader, 1, {
          replicaId: -1, maxWaitMs: 500, minBytes: 1, maxBytes: 52_428_800, isolationLevel: isolation, sessionId: 0, sessionEpoch: -1,
          topics: [{ topic: topicName, partitions: parts.map((partition) => ({ partition, fetchOffset: position.get(partition)!, partitionMaxBytes: 1_048_576, currentLeaderEpoch: -1, logStartOffset: -1 })) }],
          forgottenTopicsData: [], rackId: '',
        }, 11);
        check(r.errorCode, `fetching ${topicName}`);
        for (const p of r.responses[0]?.partitions ?? []) {
          check(p.errorCode, `fetching ${topicName}-${p.partitionIndex}`);
          const blob = Buffer.isBuffer(p.records) ? p.records : null;
          if (!blob || blob.length === 0) continue;
          const batches = await decodeRecords(blob);
          const aborted = (p.abortedTransactions ?? []).map((a) => ({ producerId: a.producerId ?? -1, firstOffset: a.firstOffset ?? -1 }));
          const records = isolation === 1 ? committedRecords(batches, aborted) : batches.filter((b) => !b.isControl).flatMap((b) => b.records);
          for (const rec of records) {
            if (rec.offset < position.get(p.partitionIndex)! || seen >= limit) continue;
            process.stdout.write(formatRecord(fmt, topicName, p.partitionIndex, rec));
            seen++;
            got++;
          }
          const last = batches.at(-1);
          if (last) position.set(p.partitionIndex, Math.max(position.get(p.partitionIndex)!, last.baseOffset + last.lastOffsetDelta + 1));
        }
      }
      if (member && got > 0) await member.commit(position);
    }
  } finally {
    if (progress) {
      clearInterval(progress);
      process.stderr.write(`\r${seen} record(s) consumed\n`);
    }
    if (member) await member.leave(position);
  }
}

/**
 * A consumer group member of the classic protocol, for one topic: the leader assigns
 * ranges; heartbeats every 3 s, and a heartbeat that says the group rebalances (or that
 * this member is gone) has the member join again.
 */
class GroupMember {
  private readonly timer: NodeJS.Timeout;
  private memberId = '';
  private generation = -1;
  partitions: number[] = [];
  rejoinNeeded = false;

  private constructor(private readonly c: KafkaClient, private readonly groupId: string, private readonly coordinator: number, private readonly t: TopicMeta) {
    this.timer = setInterval(() => void this.heartbeat(), 3000);
  }

  static async join(c: KafkaClient, groupId: string, t: TopicMeta): Promise<GroupMember> {
    const m = new GroupMember(c, groupId, await c.coordinator(groupId), t);
    try {
      await m.rejoin();
    } catch (e) {
      clearInterval(m.timer);
      throw e;
    }
    return m;
  }

  /** Joins (again): a new generation, and this member's partitions in it. */
  async rejoin(): Promise<void> {
    this.rejoinNeeded = false;
    const { c, groupId, coordinator, t } = this;
    for (;;) {
      const j = await c.call(coordinator, 11, {
        groupId, sessionTimeoutMs: 30_000, rebalanceTimeoutMs: 60_000, memberId: this.memberId, groupInstanceId: null, protocolType: 'consumer',
        protocols: [{ name: 'range', metadata: subscriptionBytes([t.name]) }],
      }, 5);
      if (j.errorCode === ErrorCode.MEMBER_ID_REQUIRED) {
        this.memberId = j.memberId;
        continue;
      }
      if (j.errorCode === ErrorCode.UNKNOWN_MEMBER_ID) {
        this.memberId = '';
        continue;
      }
      check(j.errorCode, `joining ${groupId}`);
      this.memberId = j.memberId;
      this.generation = j.generationId ?? -1;
      const assignments = j.leader === this.memberId ? rangeAssign(j.members.map((m) => m.memberId), t) : [];
      const s = await c.call(coordinator, 14, { groupId, generationId: this.generation, memberId: this.memberId, groupInstanceId: null, protocolType: 'consumer', protocolName: 'range', assignments }, 3);
      if (s.errorCode === ErrorCode.REBALANCE_IN_PROGRESS) continue;
      check(s.errorCode, `syncing ${groupId}`);
      this.partitions = readAssignment(s.assignment).get(t.name) ?? [];
      return;
    }
  }

  private async heartbeat(): Promise<void> {
    const r = await this.c.call(this.coordinator, 12, { groupId: this.groupId, generationId: this.generation, memberId: this.memberId, groupInstanceId: null }, 3).catch(() => null);
    const code = r?.errorCode;
    if (code === ErrorCode.REBALANCE_IN_PROGRESS || code === ErrorCode.ILLEGAL_GENERATION || code === ErrorCode.UNKNOWN_MEMBER_ID) this.rejoinNeeded = true;
  }

  async committedOffsets(): Promise<Map<number, number>> {
    const r = await this.c.call(this.coordinator, 9, { groupId: this.groupId, topics: [{ name: this.t.name, partitionIndexes: this.partitions }], requireStable: true }, 7);
    return new Map((r.topics?.[0]?.partitions ?? []).filter((p) => (p.committedOffset ?? -1) >= 0).map((p) => [p.partitionIndex ?? -1, p.committedOffset ?? -1]));
  }

  async commit(position: ReadonlyMap<number, number>): Promise<void> {
    if (this.partitions.length === 0) return;
    const r = await this.c.call(this.coordinator, 8, {
      groupId: this.groupId, generationIdOrMemberEpoch: this.generation, memberId: this.memberId, groupInstanceId: null, retentionTimeMs: -1,
      topics: [{ name: this.t.name, partitions: this.partitions.map((p) => ({ partitionIndex: p, committedOffset: position.get(p)!, committedLeaderEpoch: -1, committedMetadata: '' })) }],
    }, 8);
    for (const p of r.topics[0]?.partitions ?? []) {
      if (p.errorCode === ErrorCode.REBALANCE_IN_PROGRESS || p.errorCode === ErrorCode.ILLEGAL_GENERATION) this.rejoinNeeded = true;
      else check(p.errorCode, `committing ${this.t.name}-${p.partitionIndex}`);
    }
  }

  async leave(position: ReadonlyMap<number, number>): Promise<void> {
    clearInterval(this.timer);
    await this.commit(position).catch(() => undefined);
    await this.c.call(this.coordinator, 13, { groupId: this.groupId, memberId: this.memberId, members: [{ memberId: this.memberId, groupInstanceId: null, reason: 'krill consume ends' }] }, 5).catch(() => undefined);
  }
}

/** The range assignor, for one topic: each member a run of consecutive partitions. */
function rangeAssign(members: string[], t: TopicMeta): Array<{ memberId: string; assignment: Buffer }> {
  const sorted = [...members].sort();
  const n = t.partitions.length;
  return sorted.map((memberId, i) => {
    const per = Math.floor(n / sorted.length);
    const extra = n % sorted.length;
    const start = i * per + Math.min(i, extra);
    const count = per + (i < extra ? 1 : 0);
    return { memberId, assignment: assignmentBytes(new Map([[t.name, Array.from({ length: count }, (_, k) => start + k)]])) };
  });
}
