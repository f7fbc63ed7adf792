// A partition as this broker serves it: its log, its place in the cluster metadata, its
// role (leader or follower), the high watermark, and the waiters to wake when data
// arrives or becomes committed. As leader it tracks each follower's log end offset, moves
// the high watermark over the ISR and completes acks=all produces (Kafka's Partition
// and its delayed-produce purgatory).
import { ErrorCode } from '../protocol/errors.js';
import type { AppendResult, PartitionLog } from '../storage/partition-log.js';
import type { PartitionState, TopicState } from './controller/cluster-metadata.js';
import type { RecordRules } from './record-checks.js';

/**
 * The topic configs the produce path reads, derived when configs change rather than per
 * request; the record rules include message.timestamp.type.
 */
export interface ProduceSettings extends RecordRules {
  maxMessageBytes: number;
  minInsyncReplicas: number;
}

export interface FollowerState {
  /** The follower's log end offset as of its last fetch; -1 until it fetches. */
  logEndOffset: number;
  /** When the follower last had everything the leader had (Kafka's lastCaughtUpTimeMs). */
  lastCaughtUpMs: number;
  lastFetchLeaderLogEndOffset: number;
  lastFetchMs: number;
}

const newFollower = (lastCaughtUpMs: number): FollowerState => ({ logEndOffset: -1, lastCaughtUpMs, lastFetchLeaderLogEndOffset: -1, lastFetchMs: 0 });

interface ReplicationWaiter {
  offset: number;
  resolve: (errorCode: number) => void;
  timer: NodeJS.Timeout;
}

export class Partition {
  private waiters = new Set<() => void>();
  private replicationWaiters: ReplicationWaiter[] = [];
  /** Followers' progress, while this broker leads. */
  readonly followers = new Map<number, FollowerState>();
  private hw = 0;
  /** The log end offset when this broker became leader: a follower below it cannot join the ISR. */
  private leaderEpochStartOffset = 0;
  isLeader = false;

  constructor(
    public topic: TopicState, public state: PartitionState, private current: PartitionLog, public settings: ProduceSettings, readonly brokerId: number, checkpointedHw = 0,
    /** The broker's clock (clock.ts; virtual in a test kit that says so): log-append time and rolling by time follow it. */
    readonly now: () => number = Date.now,
  ) {
    this.hw = Math.min(checkpointedHw, current.logEndOffset);
  }

  /** The partition's log on this broker. */
  get log(): PartitionLog {
    return this.current;
  }

  /**
   * Takes on a copy of the log in another directory (AlterReplicaLogDirs), made whole up to
   * the log end in the same tick: no append falls between the two.
   */
  replaceLog(log: PartitionLog): void {
    this.current = log;
  }

  get index(): number {
    return this.state.partition;
  }

  get leaderEpoch(): number {
    return this.state.leaderEpoch;
  }

  /** The offset below which records are committed and visible to consumers. */
  get highWatermark(): number {
    return this.hw;
  }

  /** Below it every transaction is decided: the oldest open transaction's start, or the high watermark. */
  get lastStableOffset(): number {
    const unstable = this.log.firstUnstableOffset;
    return unstable === null ? this.hw : Math.min(unstable, this.hw);
  }

  /** Takes on leadership for the state's epoch: the log records where the epoch starts. */
  becomeLeader(now: number): void {
    this.isLeader = true;
    this.log.assignEpoch(this.state.leaderEpoch);
    this.leaderEpochStartOffset = this.log.logEndOffset;
    this.followers.clear();
    for (const r of this.state.replicas) {
      // ISR members get the benefit of the doubt for one lag period, as in Kafka.
      if (r !== this.brokerId) this.followers.set(r, newFollower(this.state.isr.includes(r) ? now : 0));
    }
    this.clampHighWatermark();
    this.maybeAdvanceHighWatermark();
  }

  /**
   * Gives up leadership: pending acks=all produces fail so their clients retry the new
   * leader, and waiting fetches look again (to answer NOT_LEADER_OR_FOLLOWER at once).
   */
  becomeFollower(): void {
    this.isLeader = false;
    this.followers.clear();
    this.failReplicationWaiters(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    this.clampHighWatermark();
    this.notify();
  }

  /** A follower's view of the high watermark, from the leader's fetch response. */
  setFollowerHighWatermark(leaderHw: number): void {
    const hw = Math.min(leaderHw, this.log.logEndOffset);
    if (hw !== this.hw) {
      this.hw = hw;
      this.notify();
    }
  }

  /** Removes every record at or after `offset` (a follower's divergent or uncommitted tail). */
  truncateTo(offset: number): void {
    this.log.truncateTo(offset);
    this.clampHighWatermark();
  }

  /** Drops the whole log and restarts it empty at `offset` (far behind the leader's log start). */
  truncateFullyAndStartAt(offset: number): void {
    this.log.truncateFullyAndStartAt(offset);
    this.clampHighWatermark();
  }

  /** The high watermark can be no higher than the log end. */
  private clampHighWatermark(): void {
    this.hw = Math.min(this.hw, this.log.logEndOffset);
  }

  /**
   * Records a follower's fetch at `fetchOffset` (its log end offset) and reports whether it
   * is caught up enough to join the ISR (Kafka's isFollowerInSync check).
   */
  recordFollowerFetch(replicaId: number, fetchOffset: number, now: number): boolean {
    let f = this.followers.get(replicaId);
    if (!f) this.followers.set(replicaId, (f = newFollower(0)));
    const leo = this.log.logEndOffset;
    if (fetchOffset >= leo) f.lastCaughtUpMs = now;
    else if (fetchOffset >= f.lastFetchLeaderLogEndOffset && f.lastFetchLeaderLogEndOffset >= 0) f.lastCaughtUpMs = Math.max(f.lastCaughtUpMs, f.lastFetchMs);
    f.logEndOffset = fetchOffset;
    f.lastFetchLeaderLogEndOffset = leo;
    f.lastFetchMs = now;
    this.maybeAdvanceHighWatermark();
    return !this.state.isr.includes(replicaId) && fetchOffset >= this.hw && fetchOffset >= this.leaderEpochStartOffset;
  }

  /** ISR followers that have not caught up within `maxLagMs`. */
  laggingFollowers(now: number, maxLagMs: number): number[] {
    return this.state.isr.filter((r) => r !== this.brokerId && now - (this.followers.get(r)?.lastCaughtUpMs ?? 0) > maxLagMs);
  }

  /** The high watermark is the smallest log end offset over the ISR; it never moves back. */
  maybeAdvanceHighWatermark(): void {
    if (!this.isLeader) return;
    let min = this.log.logEndOffset;
    for (const r of this.state.isr) {
      if (r === this.brokerId) continue;
      const f = this.followers.get(r);
      const leo = f ? f.logEndOffset : -1;
      if (leo < min) min = leo;
    }
    if (min > this.hw) {
      this.hw = min;
      this.completeReplicationWaiters();
      this.notify();
    }
  }

  /** Called with each new metadata state of this partition. */
  updateState(topic: TopicState, state: PartitionState): void {
    this.topic = topic;
    this.state = state;
    // A smaller ISR may be all it takes to commit what is waiting.
    this.maybeAdvanceHighWatermark();
  }

  /**
   * Resolves with NONE once every ISR member has `offset` - 1 (acks=all), or with
   * REQUEST_TIMED_OUT / NOT_LEADER_OR_FOLLOWER.
   */
  waitForReplication(offset: number, timeoutMs: number): Promise<number> {
    if (this.hw >= offset) return Promise.resolve(ErrorCode.NONE);
    if (!this.isLeader) return Promise.resolve(ErrorCode.NOT_LEADER_OR_FOLLOWER);
    return new Promise((resolve) => {
      const w: ReplicationWaiter = {
        offset,
        resolve,
        timer: setTimeout(() => {
          this.replicationWaiters = this.replicationWaiters.filter((x) => x !== w);
          resolve(ErrorCode.REQUEST_TIMED_OUT);
        }, Math.max(0, timeoutMs)),
      };
      this.replicationWaiters.push(w);
    });
  }

  private completeReplicationWaiters(): void {
    if (this.replicationWaiters.length === 0) return;
    const still: ReplicationWaiter[] = [];
    for (const w of this.replicationWaiters) {
      if (w.offset <= this.hw) {
        clearTimeout(w.timer);
        w.resolve(ErrorCode.NONE);
      } else still.push(w);
    }
    this.replicationWaiters = still;
  }

  private failReplicationWaiters(errorCode: number): void {
    const ws = this.replicationWaiters;
    this.replicationWaiters = [];
    for (const w of ws) {
      clearTimeout(w.timer);
      w.resolve(errorCode);
    }
  }

  /** Calls `fn` once at the next append or high-watermark move; returns a function that cancels it. */
  onAppend(fn: () => void): () => void {
    this.waiters.add(fn);
    return () => this.waiters.delete(fn);
  }

  /**
   * Appends batches as leader, stamped with this leader epoch (and with the time, under
   * message.timestamp.type=LogAppendTime), then wakes the fetches waiting for data; with no
   * other ISR member the records are committed at once.
   */
  appendAsLeader(batches: Buffer[], fromCoordinator = false): AppendResult {
    const r = this.log.append(batches, { leaderEpoch: this.leaderEpoch, now: this.now(), logAppendTime: this.settings.logAppendTime, fromCoordinator });
    if (r.error === ErrorCode.NONE) {
      this.maybeAdvanceHighWatermark();
      this.notify();
    }
    return r;
  }

  notify(): void {
    if (this.waiters.size === 0) return;
    const ws = this.waiters;
    this.waiters = new Set();
    for (const w of ws) w();
  }
}
