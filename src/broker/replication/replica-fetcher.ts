// One follower-side fetch loop per leader broker (Kafka's ReplicaFetcherThread): it
// fetches every partition this broker follows from that leader with Fetch requests
// carrying its replica id and last fetched epoch, appends the leader's batches as they
// are, adopts the leader's high watermark, and truncates a divergent tail when the
// leader answers with a diverging epoch (KIP-320/KIP-595), so no record that was never
// committed survives a leader change.
import { ErrorCode, errorName, KafkaError } from '../../protocol/errors.js';
import type { FetchRequest, FetchResponse } from '../../protocol/messages/index.js';
import { LOG_OVERHEAD, Off } from '../../protocol/records/batch.js';
import { isStorageError } from '../../storage/log-storage.js';
import { type BrokerClient, SecurityError } from '../net/broker-client.js';
import type { Partition } from '../partition.js';

/** What a fetcher needs from its broker. */
export interface FetcherHost {
  readonly brokerId: number;
  /** Connects to the leader on the inter-broker listener; null while it has no address there. */
  connectTo(leaderId: number, clientId: string): Promise<BrokerClient> | null;
  /** While true the fetchers stand still (a stalled follower, for tests and operators). */
  readonly replicationPaused: boolean;
  /** Whether this broker can reach another now (false across a test's network split). */
  reachable(brokerId: number): boolean;
  readonly fetchSettings: { maxWaitMs: number; minBytes: number; maxBytes: number; partitionMaxBytes: number; backoffMs: number; requestTimeoutMs: number };
  warn(message: string): void;
  /** Whether fetching `p` counts against follower.replication.throttled.rate, and the rate. */
  followerThrottled(p: Partition): boolean;
  readonly followerQuota: { readonly limited: boolean; exceeded(now: number): boolean; record(bytes: number, now: number): void };
}

const FETCH_VERSION = 12;

const NONE_THROTTLED: ReadonlySet<Partition> = new Set();

/** Splits a fetched record set into whole batches (a partial last batch is dropped). */
export function splitBatches(records: Buffer): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  while (records.length - at >= LOG_OVERHEAD + 49) {
    const size = records.readInt32BE(at + Off.batchLength) + LOG_OVERHEAD;
    if (at + size > records.length) break;
    out.push(records.subarray(at, at + size));
    at += size;
  }
  return out;
}

export class ReplicaFetcher {
  private readonly partitions = new Map<string, Partition>();
  private client: BrokerClient | null = null;
  private stopped = false;
  /** The failure last reported: the same one again is not. */
  private lastWarning: string | null = null;
  private wake: (() => void) | null = null;
  private readonly done: Promise<void>;

  constructor(private readonly host: FetcherHost, readonly leaderId: number) {
    this.done = this.run();
  }

  get size(): number {
    return this.partitions.size;
  }

  add(p: Partition): void {
    this.partitions.set(`${p.topic.name}\u0000${p.index}`, p);
    this.wake?.();
  }

  remove(p: Partition): void {
    this.partitions.delete(`${p.topic.name}\u0000${p.index}`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.client?.close();
    this.wake?.();
    await this.done;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        this.wake = null;
        resolve();
      }, ms);
      this.wake = () => {
        clearTimeout(t);
        this.wake = null;
        resolve();
      };
    });
  }

  private async run(): Promise<void> {
    const s = this.host.fetchSettings;
    while (!this.stopped) {
      if (this.partitions.size === 0) {
        await this.sleep(60_000);
        continue;
      }
      if (this.host.replicationPaused || !this.host.reachable(this.leaderId)) {
        // Across a network split the connection goes too, as the network would take it.
        this.client?.close();
        this.client = null;
        await this.sleep(s.backoffMs);
        continue;
      }
      try {
        if (!this.client || this.client.closed) {
          const connecting = this.host.connectTo(this.leaderId, `krill-replica-fetcher-${this.host.brokerId}`);
          if (!connecting) {
            await this.sleep(s.backoffMs);
            continue;
          }
          this.client = await connecting;
          if (this.stopped) break;
        }
        const backoff = await this.fetchOnce(this.client);
        this.lastWarning = null;
        if (backoff) await this.sleep(s.backoffMs);
      } catch (e) {
        if (this.stopped) break;
        // A leader going away is routine (the metadata will move us); a log that refuses the
        // leader's data, a disk that cannot take it, or a leader that refuses this broker's
        // TLS or SASL, is worth an operator's attention: once, not at every retry.
        const message = (e as Error).message;
        if ((e instanceof KafkaError || isStorageError(e) || e instanceof SecurityError) && message !== this.lastWarning) this.host.warn(`replication from broker ${this.leaderId} failed: ${message}`);
        this.lastWarning = message;
        this.client?.close();
        this.client = null;
        await this.sleep(s.backoffMs);
      }
    }
    this.client?.close();
  }

  /** One fetch round trip; true when the loop should back off before the next. */
  private async fetchOnce(client: BrokerClient): Promise<boolean> {
    const s = this.host.fetchSettings;
    // Kafka's shouldFollowerThrottle: partitions not yet in sync wait while the follower's throttle is exceeded.
    // Nothing is measured or allocated for it while no rate is set (the default).
    const quota = this.host.followerQuota;
    const all = [...this.partitions.values()];
    const throttled = quota.limited ? new Set(all.filter((p) => this.host.followerThrottled(p))) : NONE_THROTTLED;
    const sent = throttled.size > 0 && quota.exceeded(Date.now()) ? all.filter((p) => !throttled.has(p)) : all;
    if (sent.length === 0) return true;
    const byTopic = new Map<string, FetchRequest['topics'][number]>();
    for (const p of sent) {
      let t = byTopic.get(p.topic.name);
      if (!t) byTopic.set(p.topic.name, (t = { topic: p.topic.name, topicId: p.topic.topicId, partitions: [] }));
      t.partitions.push({
        partition: p.index, currentLeaderEpoch: p.leaderEpoch, fetchOffset: p.log.logEndOffset, lastFetchedEpoch: p.log.latestEpoch,
        logStartOffset: p.log.logStartOffset, partitionMaxBytes: s.partitionMaxBytes, replicaDirectoryId: '0'.repeat(32), highWatermark: p.highWatermark,
      });
    }
    const epochs = new Map(sent.map((p) => [p, p.leaderEpoch]));
    const req: FetchRequest = {
      clusterId: null, replicaId: this.host.brokerId, replicaState: { replicaId: this.host.brokerId, replicaEpoch: -1 },
      maxWaitMs: s.maxWaitMs, minBytes: s.minBytes, maxBytes: s.maxBytes, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [...byTopic.values()], forgottenTopicsData: [], rackId: '',
    };
    const { response: res, release } = await client.requestFrame(1, FETCH_VERSION, req, s.maxWaitMs + s.requestTimeoutMs);
    try {
      return this.applyResponse(res, epochs, throttled);
    } finally {
      // The log copied the records or holds its own reference to the frame (blocks.ts).
      release();
    }
  }

  /** Applies one fetch response; true when the loop should back off before the next fetch. */
  private applyResponse(res: FetchResponse, epochs: Map<Partition, number>, throttled: ReadonlySet<Partition>): boolean {
    if (res.errorCode) return true;
    let backoff = false;
    const now = Date.now();
    /** Partitions the leader answered with an error, by error: one log line each, however many. */
    const failed = new Map<number, string[]>();
    for (const t of res.responses ?? []) {
      for (const pr of t.partitions ?? []) {
        const p = this.partitions.get(`${t.topic}\u0000${pr.partitionIndex}`);
        // Leadership moved while the fetch was out: the answer is for an old epoch.
        if (!p || epochs.get(p) !== p.leaderEpoch || p.isLeader) continue;
        const code = pr.errorCode ?? ErrorCode.NONE;
        if (code !== ErrorCode.NONE) {
          if (code === ErrorCode.OFFSET_OUT_OF_RANGE) this.outOfRange(p, pr.logStartOffset ?? 0, pr.highWatermark ?? 0);
          else if (code !== ErrorCode.NOT_LEADER_OR_FOLLOWER && code !== ErrorCode.FENCED_LEADER_EPOCH && code !== ErrorCode.UNKNOWN_LEADER_EPOCH) {
            let names = failed.get(code);
            if (!names) failed.set(code, (names = []));
            names.push(`${p.topic.name}-${p.index}`);
          }
          backoff = true;
          continue;
        }
        const diverging = pr.divergingEpoch;
        if (diverging && diverging.epoch !== undefined && diverging.epoch >= 0) {
          this.truncateDivergent(p, diverging.epoch, diverging.endOffset ?? -1);
          continue;
        }
        const records = pr.records;
        if (Buffer.isBuffer(records) && records.length > 0) {
          p.log.appendAsFollower(splitBatches(records), now);
          if (throttled.has(p)) this.host.followerQuota.record(records.length, now);
        }
        // DeleteRecords on the leader reaches its followers this way.
        const leaderStart = pr.logStartOffset ?? -1;
        if (leaderStart > p.log.logStartOffset && leaderStart <= p.log.logEndOffset) p.log.deleteRecordsBefore(leaderStart);
        // Consumers of a follower read up to its high watermark: this wakes them when it moves.
        p.setFollowerHighWatermark(pr.highWatermark ?? 0);
      }
    }
    for (const [code, names] of failed) {
      const shown = names.slice(0, 5).join(', ') + (names.length > 5 ? `, … (${names.length - 5} more)` : '');
      this.host.warn(`fetch of ${names.length} partition(s) from broker ${this.leaderId} failed: ${errorName(code)}: ${shown}`);
    }
    return backoff;
  }

  /** Truncates to where this log and the leader's agree, as Kafka's follower does. */
  private truncateDivergent(p: Partition, epoch: number, leaderEndOffset: number): void {
    const local = p.log.endOffsetForEpoch(epoch);
    const to = local.endOffset < 0 || leaderEndOffset < 0 ? p.highWatermark : Math.min(leaderEndOffset, local.endOffset);
    if (to < p.log.logEndOffset) {
      this.host.warn(`truncating ${p.topic.name}-${p.index} from ${p.log.logEndOffset} to ${to}: diverged from leader ${this.leaderId} at epoch ${epoch}`);
      p.truncateTo(to);
    }
  }

  /** The leader no longer has the offset we asked for (retention or DeleteRecords there), or has less than we do. */
  private outOfRange(p: Partition, leaderStart: number, leaderHw: number): void {
    if (p.log.logEndOffset > leaderHw) {
      p.truncateTo(leaderHw);
      return;
    }
    if (p.log.logEndOffset < leaderStart) {
      this.host.warn(`${p.topic.name}-${p.index}: leader starts at ${leaderStart}, past this replica's end ${p.log.logEndOffset}; restarting the replica there`);
      p.truncateFullyAndStartAt(leaderStart);
    }
  }
}
