// A partition as this broker serves it: its log, its place in the cluster metadata, its
// high watermark, and the waiters (long-poll fetches) to wake when data arrives.
import type { PartitionLog } from '../storage/partition-log.js';
import type { PartitionState, TopicState } from './controller/metadata-store.js';

export class Partition {
  private waiters = new Set<() => void>();

  constructor(readonly topic: TopicState, readonly state: PartitionState, readonly log: PartitionLog) {
    log.assignEpoch(state.leaderEpoch);
  }

  get index(): number {
    return this.state.partition;
  }

  get leaderEpoch(): number {
    return this.state.leaderEpoch;
  }

  /**
   * The offset below which records are visible to consumers. With one replica in the
   * ISR every appended record is committed at once; replication moves this to the
   * smallest log end offset over the ISR.
   */
  get highWatermark(): number {
    return this.log.logEndOffset;
  }

  /** No transactions are open on this broker, so the last stable offset is the high watermark. */
  get lastStableOffset(): number {
    return this.highWatermark;
  }

  /** Calls `fn` once at the next append; returns a function that cancels it. */
  onAppend(fn: () => void): () => void {
    this.waiters.add(fn);
    return () => this.waiters.delete(fn);
  }

  notifyAppend(): void {
    if (this.waiters.size === 0) return;
    const ws = this.waiters;
    this.waiters = new Set();
    for (const w of ws) w();
  }
}
