// Idempotent and transactional producer state of one partition: for each producer id its
// epoch, the last five batches' sequence ranges (as many as a producer may have in flight),
// so a retried batch is recognised and answered with the offsets it was first given, and
// the first offset of its ongoing transaction, if any. The smallest of those is where the
// partition's unstable part begins: the last stable offset cannot pass it.
import { ErrorCode } from '../protocol/errors.js';
import type { SnapshotEntry } from './txn-files.js';

const CACHED_BATCHES = 5;

interface CachedBatch {
  firstSeq: number;
  lastSeq: number;
  firstOffset: number;
  lastOffset: number;
}

interface ProducerEntry {
  epoch: number;
  batches: CachedBatch[];
  lastTimestamp: number;
  /** The coordinator epoch of the last marker written for it; -1 before any. */
  coordinatorEpoch: number;
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; firstOffset: number; lastOffset: number }
  | { kind: 'error'; code: number };

/** A transaction a marker ended: where it began, for the aborted-transaction index. */
export interface CompletedTxn {
  producerId: number;
  firstOffset: number;
}

const nextSeq = (seq: number): number => (seq === 0x7fffffff ? 0 : seq + 1);

export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerEntry>();
  /**
   * The first offset of each open transaction, by producer id. Kept apart from the
   * producers, which may be many, because every fetch asks for the smallest (the last
   * stable offset), and most partitions have none open.
   */
  private readonly openTxns = new Map<number, number>();

  /**
   * Decides what to do with a batch from `producerId` (>= 0); does not change state. A
   * coordinator's own transactional records (TxnOffsetCommit) carry no sequence: only their
   * epoch is checked, as Kafka checks appends whose origin is a coordinator.
   */
  check(producerId: number, epoch: number, firstSeq: number, lastSeq: number, transactional: boolean, fromCoordinator = false): SequenceCheck {
    const e = this.producers.get(producerId);
    if (e && epoch < e.epoch) return { kind: 'error', code: ErrorCode.INVALID_PRODUCER_EPOCH };
    // A plain batch from a producer in the middle of a transaction, as Kafka refuses it.
    if (e && !transactional && this.openTxns.has(producerId)) return { kind: 'error', code: ErrorCode.INVALID_TXN_STATE };
    if (fromCoordinator) return { kind: 'append' };
    if (!e || epoch > e.epoch) {
      return firstSeq === 0 ? { kind: 'append' } : { kind: 'error', code: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    }
    const dup = e.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
    if (dup) return { kind: 'duplicate', firstOffset: dup.firstOffset, lastOffset: dup.lastOffset };
    // With none cached at this epoch (a marker bumped it, KIP-890), the next batch is the epoch's first.
    const last = e.batches[e.batches.length - 1];
    if (firstSeq !== (last ? nextSeq(last.lastSeq) : 0)) return { kind: 'error', code: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    return { kind: 'append' };
  }

  /** Whether a marker of `epoch` may be written for the producer (an older epoch is fenced). */
  checkMarker(producerId: number, epoch: number): number {
    const e = this.producers.get(producerId);
    return e && epoch < e.epoch ? ErrorCode.INVALID_PRODUCER_EPOCH : ErrorCode.NONE;
  }

  /** Records an appended batch (also used to rebuild state when a log is opened). */
  update(producerId: number, epoch: number, firstSeq: number, lastSeq: number, firstOffset: number, lastOffset: number, timestamp: number, transactional: boolean): void {
    const e = this.entryAt(producerId, epoch, timestamp);
    if (firstSeq >= 0) {
      e.batches.push({ firstSeq, lastSeq, firstOffset, lastOffset });
      if (e.batches.length > CACHED_BATCHES) e.batches.shift();
    }
    e.lastTimestamp = timestamp;
    if (transactional && !this.openTxns.has(producerId)) this.openTxns.set(producerId, firstOffset);
  }

  /** A marker ended the producer's transaction; returns it (null when it had none here). */
  endTxn(producerId: number, epoch: number, coordinatorEpoch: number, timestamp: number): CompletedTxn | null {
    const e = this.entryAt(producerId, epoch, timestamp);
    e.coordinatorEpoch = coordinatorEpoch;
    e.lastTimestamp = timestamp;
    const firstOffset = this.openTxns.get(producerId);
    this.openTxns.delete(producerId);
    return firstOffset === undefined ? null : { producerId, firstOffset };
  }

  /** Whether the producer, at this epoch, has a transaction open in this partition. */
  hasOpenTxn(producerId: number, epoch: number): boolean {
    return this.openTxns.has(producerId) && this.producers.get(producerId)?.epoch === epoch;
  }

  /** The first offset of the oldest ongoing transaction, or null when none is open. */
  firstUnstableOffset(): number | null {
    if (this.openTxns.size === 0) return null;
    let min = Infinity;
    for (const first of this.openTxns.values()) if (first < min) min = first;
    return min;
  }

  /** The producer's entry at `epoch`: a newer epoch starts it afresh (its open transaction stays open). */
  private entryAt(producerId: number, epoch: number, timestamp: number): ProducerEntry {
    let e = this.producers.get(producerId);
    if (!e || epoch > e.epoch) {
      e = { epoch, batches: [], lastTimestamp: timestamp, coordinatorEpoch: e?.coordinatorEpoch ?? -1 };
      this.producers.set(producerId, e);
    }
    return e;
  }

  /** A copy, kept as the state at a segment's first offset (PartitionLog.truncateTo). */
  copy(): ProducerStateManager {
    const c = new ProducerStateManager();
    c.restore(this);
    return c;
  }

  /** Takes on `from`'s state, dropping its own. */
  restore(from: ProducerStateManager): void {
    this.producers.clear();
    for (const [id, e] of from.producers) this.producers.set(id, { ...e, batches: e.batches.map((b) => ({ ...b })) });
    this.openTxns.clear();
    for (const [id, first] of from.openTxns) this.openTxns.set(id, first);
  }

  /** Active producers, as DescribeProducers and Kafka's producer snapshots give them. */
  entries(): SnapshotEntry[] {
    return [...this.producers].map(([producerId, e]) => {
      const last = e.batches[e.batches.length - 1];
      return {
        producerId, epoch: e.epoch, lastSequence: last?.lastSeq ?? -1, lastOffset: last?.lastOffset ?? -1, offsetDelta: last ? last.lastOffset - last.firstOffset : 0,
        timestamp: e.lastTimestamp, coordinatorEpoch: e.coordinatorEpoch, currentTxnFirstOffset: this.openTxns.get(producerId) ?? -1,
      };
    });
  }
}
