import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import type { FetchRequest, FetchResponse } from '../../protocol/messages/index.js';
import { downConvert } from '../../protocol/records/records.js';
import { release } from '../../fastpath/index.js';
import { defineApi, type RequestContext } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';
import { type FetchSession, sessionKey, type SessionPartition } from '../fetch-sessions.js';
import type { Partition } from '../partition.js';
import { type Clock, systemClock } from '../clock.js';
import { quotaClient } from '../quotas/request-quotas.js';

type FetchServices = Services<'fetchSessions' | 'metadata' | 'replicas' | 'clock' | 'metrics' | 'quotas' | 'authorizer'>;

type TopicOut = NonNullable<FetchResponse['responses']>[number];
type PartitionOut = NonNullable<TopicOut['partitions']>[number];

const ZERO_ID = '0'.repeat(32);
/** Kafka answers "no data" with empty records, never null: clients reject a null set. */
const NO_RECORDS = Buffer.alloc(0);

/** Resolves the request's partitions, through its fetch session where it has one. */
function resolveSession(services: FetchServices, req: FetchRequest, v: number):
  { error: number } | { session: FetchSession | null; targets: SessionPartition[]; incremental: boolean } {
  const byId = v >= 13;
  const fromRequest = (): SessionPartition[] => {
    const out: SessionPartition[] = [];
    for (const t of req.topics) {
      const state = byId ? services.metadata.topicsById.get(t.topicId) : services.metadata.topics.get(t.topic);
      const topic = byId ? (state?.name ?? '') : t.topic;
      const topicId = byId ? t.topicId : (state?.topicId ?? ZERO_ID);
      for (const p of t.partitions) {
        out.push({
          topic, topicId, partition: p.partition, fetchOffset: p.fetchOffset, maxBytes: p.partitionMaxBytes,
          currentLeaderEpoch: p.currentLeaderEpoch, lastFetchedEpoch: p.lastFetchedEpoch, sentHighWatermark: -1, sentLogStartOffset: -1,
        });
      }
    }
    return out;
  };
  const keyOf = (p: SessionPartition) => sessionKey(byId ? p.topicId : p.topic, p.partition);
  if (v < 7 || (req.sessionId === 0 && req.sessionEpoch === -1)) return { session: null, targets: fromRequest(), incremental: false };
  if (req.sessionEpoch === -1) {
    services.fetchSessions.remove(req.sessionId);
    return { session: null, targets: fromRequest(), incremental: false };
  }
  if (req.sessionEpoch === 0) {
    if (req.sessionId !== 0) services.fetchSessions.remove(req.sessionId);
    const session = services.fetchSessions.create();
    const targets = fromRequest();
    if (session) for (const t of targets) session.partitions.set(keyOf(t), t);
    return { session, targets, incremental: false };
  }
  const session = services.fetchSessions.get(req.sessionId);
  if (!session) return { error: ErrorCode.FETCH_SESSION_ID_NOT_FOUND };
  if (session.epoch !== req.sessionEpoch) return { error: ErrorCode.INVALID_FETCH_SESSION_EPOCH };
  session.epoch = session.epoch === 0x7fffffff ? 1 : session.epoch + 1;
  session.lastUsed = Date.now();
  for (const t of fromRequest()) {
    const existing = session.partitions.get(keyOf(t));
    if (existing) Object.assign(existing, { fetchOffset: t.fetchOffset, maxBytes: t.maxBytes, currentLeaderEpoch: t.currentLeaderEpoch, lastFetchedEpoch: t.lastFetchedEpoch });
    else session.partitions.set(keyOf(t), t);
  }
  for (const f of req.forgottenTopicsData) {
    for (const p of f.partitions) session.partitions.delete(sessionKey(byId ? f.topicId : f.topic, p));
  }
  return { session, targets: [...session.partitions.values()], incremental: true };
}

interface Collected {
  out: Array<{ target: SessionPartition; part: PartitionOut }>;
  bytes: number;
  hasError: boolean;
}

/** The replica id of a follower's fetch, or -1 for a consumer. */
const replicaIdOf = (req: FetchRequest, v: number): number => (v >= 15 ? req.replicaState.replicaId : req.replicaId);

/** `denied` names the topics the client may not read (null: it may read them all). */
function readAll(services: FetchServices, req: FetchRequest, v: number, targets: SessionPartition[], incremental: boolean, quotaBytes: number, denied: ((topic: string) => boolean) | null): Collected {
  const replicaId = replicaIdOf(req, v);
  let budget = Math.min(v >= 3 ? req.maxBytes : Number.MAX_SAFE_INTEGER, quotaBytes);
  const readCommitted = v >= 4 && req.isolationLevel === 1;
  const throttles = replicaId >= 0 && services.replicas.leaderQuota.limited ? (p: Partition) => services.replicas.leaderThrottled(p, replicaId) : null;
  const out: Collected['out'] = [];
  let bytes = 0;
  let hasError = false;
  for (const target of targets) {
    const local = target.topic ? services.replicas.partition(target.topic, target.partition) : undefined;
    // Followers fetch from the leader only; consumers of v11+ may read from a follower too.
    const p = local && (local.isLeader || (replicaId < 0 && v >= 11)) ? local : undefined;
    const part: PartitionOut = {
      partitionIndex: target.partition, errorCode: ErrorCode.NONE,
      highWatermark: p ? p.highWatermark : -1, lastStableOffset: p ? p.lastStableOffset : -1, logStartOffset: p ? p.log.logStartOffset : -1,
      abortedTransactions: readCommitted ? [] : null, preferredReadReplica: -1, records: NO_RECORDS,
    };
    if (denied && target.topic && denied(target.topic)) {
      part.errorCode = ErrorCode.TOPIC_AUTHORIZATION_FAILED;
      out.push({ target, part });
      hasError = true;
      continue;
    }
    if (!p) {
      const unknownId = v >= 13 && !services.metadata.topicsById.has(target.topicId);
      const code = unknownId ? ErrorCode.UNKNOWN_TOPIC_ID : services.replicas.leaderPartition(target.topic, target.partition);
      part.errorCode = typeof code === 'number' ? code : ErrorCode.NOT_LEADER_OR_FOLLOWER;
      out.push({ target, part });
      hasError = true;
      continue;
    }
    // A follower reads everything the leader has; consumers only what is committed.
    const upTo = replicaId >= 0 ? p.log.logEndOffset : readCommitted ? p.lastStableOffset : p.highWatermark;
    const diverging = replicaId >= 0 && v >= 12 ? divergingEpoch(p, target) : null;
    const preferred = replicaId < 0 && v >= 11 && p.isLeader ? services.replicas.preferredReadReplica(p, req.rackId) : -1;
    // Whether this replica's bytes count against leader.replication.throttled.rate: asked once, where it matters.
    let throttled = false;
    if (target.currentLeaderEpoch >= 0 && target.currentLeaderEpoch !== p.leaderEpoch) {
      part.errorCode = target.currentLeaderEpoch > p.leaderEpoch ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.FENCED_LEADER_EPOCH;
    } else if (target.fetchOffset < p.log.logStartOffset || target.fetchOffset > p.log.logEndOffset) {
      part.errorCode = ErrorCode.OFFSET_OUT_OF_RANGE;
    } else if (diverging) {
      part.divergingEpoch = diverging;
    } else if (preferred >= 0) {
      part.preferredReadReplica = preferred;
    } else if (budget > 0 && target.fetchOffset < upTo && !((throttled = throttles?.(p) ?? false) && services.replicas.leaderQuota.exceeded(Date.now()))) {
      try {
        const chunks = p.log.read(target.fetchOffset, Math.min(target.maxBytes, budget), upTo);
        let n = 0;
        for (const c of chunks) n += c.length;
        budget -= n;
        bytes += n;
        // Kafka's shouldLeaderThrottle: a replica not in sync is sent its bytes only within leader.replication.throttled.rate.
        if (throttled) services.replicas.leaderQuota.record(n, Date.now());
        part.records = chunks;
        // What a read_committed consumer must drop of what it reads (a superset does no harm).
        if (readCommitted) part.abortedTransactions = p.log.abortedTxns(target.fetchOffset, upTo).map((a) => ({ producerId: a.producerId, firstOffset: a.firstOffset }));
      } catch (e) {
        if (!(e instanceof KafkaError)) throw e;
        part.errorCode = e.code;
      }
    }
    // A diverging epoch or a preferred replica is an answer in itself: do not wait for data.
    if (part.errorCode !== ErrorCode.NONE || diverging || preferred >= 0) hasError = true;
    const news = !incremental || part.errorCode !== ErrorCode.NONE || part.records !== NO_RECORDS
      || p.highWatermark !== target.sentHighWatermark || p.log.logStartOffset !== target.sentLogStartOffset;
    if (news) out.push({ target, part });
  }
  return { out, bytes, hasError };
}

/**
 * KIP-320: when the follower's last fetched epoch ends earlier on the leader than where
 * the follower is, the leader names the epoch and its end so the follower truncates.
 */
function divergingEpoch(p: Partition, target: SessionPartition): { epoch: number; endOffset: number } | null {
  if (target.lastFetchedEpoch < 0) return null;
  const e = p.log.endOffsetForEpoch(target.lastFetchedEpoch);
  if (e.leaderEpoch < target.lastFetchedEpoch || e.endOffset < target.fetchOffset) return { epoch: e.leaderEpoch, endOffset: e.endOffset };
  return null;
}

/** Resolves when any of the partitions gets data, or after `ms` of `clock`'s time. */
function waitForData(services: FetchServices, targets: SessionPartition[], ms: number, ctx: RequestContext, clock: Clock): Promise<void> {
  return new Promise((resolve) => {
    const cancels: Array<() => void> = [];
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      for (const c of cancels) c();
      resolve();
    };
    cancels.push(clock.after(ms, finish));
    for (const t of targets) {
      const p = services.replicas.partition(t.topic, t.partition);
      if (p) cancels.push(p.onAppend(finish));
    }
    cancels.push(ctx.connection.onClose(finish));
  });
}

/** The log reads a partition's answer carries (PartitionLog.read: held until released). */
function logReads(part: PartitionOut): Buffer[] {
  return Array.isArray(part.records) ? (part.records as Buffer[]) : [];
}

/** Lets go of reads that will not be sent (a fetch that waits for more and reads again). */
function releaseReads(c: Collected): void {
  for (const { part } of c.out) for (const b of logReads(part)) release(b);
}

/** The answer to what `c` read: partitions grouped by topic in the order they were asked for. */
function answer(services: FetchServices, v: number, session: FetchSession | null, c: Collected, ctx: RequestContext, consumer: boolean): FetchResponse {
  const topics = new Map<string, { topic: string; topicId: string; partitions: PartitionOut[] }>();
  for (const { target, part } of c.out) {
    target.sentHighWatermark = part.highWatermark ?? -1;
    target.sentLogStartOffset = part.logStartOffset ?? -1;
    const key = v >= 13 ? target.topicId : target.topic;
    let t = topics.get(key);
    if (!t) topics.set(key, (t = { topic: target.topic, topicId: target.topicId, partitions: [] }));
    t.partitions.push(part);
    const reads = logReads(part);
    ctx.releaseWhenSent(reads);
    // BytesOutPerSec is consumers' (a follower's bytes are Kafka's ReplicationBytesOut).
    if (consumer) {
      let bytes = 0;
      for (const r of reads) bytes += r.length;
      services.metrics.fetched(target.topic, bytes);
    }
  }
  const response: FetchResponse = { throttleTimeMs: 0, errorCode: ErrorCode.NONE, sessionId: session?.id ?? 0, responses: [...topics.values()] };
  if (v >= 12) {
    const endpoints = services.replicas.addLeaderHints(c.out.map(({ target, part }) => ({ topic: target.topic, partition: target.partition, out: part })), ctx.connection.listener);
    if (v >= 16 && endpoints.length > 0) response.nodeEndpoints = endpoints;
  }
  return response;
}

/** Clients of Fetch v0-v3 read only message sets: converts (records are decoded here only). */
async function downConvertAll(c: Collected, v: number): Promise<void> {
  const magic = v <= 1 ? 0 : 1;
  for (const { part } of c.out) {
    const reads = logReads(part);
    if (reads.length === 0) continue;
    const copy = Buffer.concat(reads);
    for (const b of reads) release(b);
    part.records = await downConvert(copy, magic);
  }
}

/**
 * A consumer's answer counted against its consumer_byte_rate quota. Over it, Kafka answers
 * empty with the throttle time (the bytes read are not counted, nor sent): the client
 * fetches the same offsets again once the throttle ends. A session this request would have
 * created is not kept, as Kafka's throttled full fetch creates none.
 */
function throttledAnswer(services: FetchServices, c: Collected, ctx: RequestContext, session: FetchSession | null, incremental: boolean): FetchResponse | null {
  const client = quotaClient(ctx.header.clientId, ctx.connection.principal);
  const now = Date.now();
  const throttleTimeMs = services.quotas.record('consumer_byte_rate', client, c.bytes, now);
  if (throttleTimeMs === 0) return null;
  services.quotas.unrecord('consumer_byte_rate', client, c.bytes, now);
  releaseReads(c);
  if (session && !incremental) services.fetchSessions.remove(session.id);
  return { throttleTimeMs, errorCode: ErrorCode.NONE, sessionId: incremental && session ? session.id : 0, responses: [] };
}

/** A fetch that has what it asked for, an error, or no time left is answered now. */
const satisfied = (c: Collected, req: FetchRequest, deadline: number, ctx: RequestContext, clock: Clock): boolean =>
  c.bytes >= req.minBytes || c.hasError || clock.now() >= deadline || ctx.connection.isClosed;

// Not an async function: a fetch answered at once (the common case for a consumer that is
// behind) goes out without a promise and a trip through the microtask queue.
export default defineApi(1, (services: FetchServices, req, ctx) => {
  const v = ctx.version;
  const resolved = resolveSession(services, req, v);
  if ('error' in resolved) return { throttleTimeMs: 0, errorCode: resolved.error, sessionId: 0, responses: [] };
  const { session, targets, incremental } = resolved;
  const replicaId = replicaIdOf(req, v);
  // As Kafka: a follower needs CLUSTER_ACTION, a consumer READ on each topic.
  let denied: ((topic: string) => boolean) | null = null;
  if (services.authorizer.enabled) {
    const access = services.authorizer.access(ctx.connection);
    const verdicts = new Map<string, boolean>();
    const unreadable = (topic: string) => {
      let d = verdicts.get(topic);
      if (d === undefined) verdicts.set(topic, (d = !access.topic(AclOperation.READ, topic)));
      return d;
    };
    denied = replicaId >= 0 ? (access.cluster(AclOperation.CLUSTER_ACTION) ? null : () => true) : unreadable;
  }
  if (replicaId >= 0 && denied === null) {
    for (const t of targets) {
      const p = services.replicas.partition(t.topic, t.partition);
      if (p?.isLeader && (t.currentLeaderEpoch < 0 || t.currentLeaderEpoch === p.leaderEpoch)) services.replicas.followerFetched(p, replicaId, t.fetchOffset);
    }
  }
  // A consumer's wait follows the broker's clock (a virtual one holds it until advanced); a follower's, real time.
  const clock = replicaId >= 0 ? systemClock : services.clock;
  const deadline = clock.now() + req.maxWaitMs;
  const quotaed = replicaId < 0 && services.quotas.active;
  const quotaBytes = quotaed ? services.quotas.maxWindowBytes(quotaClient(ctx.header.clientId, ctx.connection.principal)) : Number.MAX_SAFE_INTEGER;
  const first = readAll(services, req, v, targets, incremental, quotaBytes, denied);
  const finish = (c: Collected): FetchResponse | Promise<FetchResponse> => {
    const throttled = quotaed ? throttledAnswer(services, c, ctx, session, incremental) : null;
    if (throttled) return throttled;
    return v <= 3 ? downConvertAll(c, v).then(() => answer(services, v, session, c, ctx, replicaId < 0)) : answer(services, v, session, c, ctx, replicaId < 0);
  };
  if (satisfied(first, req, deadline, ctx, clock)) return finish(first);
  return (async () => {
    let c = first;
    // Stop at once when the client goes away: waiting would resolve immediately and spin.
    while (!satisfied(c, req, deadline, ctx, clock)) {
      releaseReads(c);
      await waitForData(services, targets, deadline - clock.now(), ctx, clock);
      c = readAll(services, req, v, targets, incremental, quotaBytes, denied);
    }
    return finish(c);
  })();
});
