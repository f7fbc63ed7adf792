// Idempotent-producer state of one partition: for each producer id its epoch and the
// last five batches' sequence ranges (as many as a producer may have in flight), so a
// retried batch is recognised and answered with the offsets it was first given.
import { ErrorCode } from '../protocol/errors.js';

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
}

export type SequenceCheck =
  | { kind: 'append' }
  | { kind: 'duplicate'; firstOffset: number; lastOffset: number }
  | { kind: 'error'; code: number };

const nextSeq = (seq: number): number => (seq === 0x7fffffff ? 0 : seq + 1);

export class ProducerStateManager {
  private readonly producers = new Map<number, ProducerEntry>();

  /** Decides what to do with a batch from `producerId` (>= 0); does not change state. */
  check(producerId: number, epoch: number, firstSeq: number, lastSeq: number): SequenceCheck {
    const e = this.producers.get(producerId);
    if (e && epoch < e.epoch) return { kind: 'error', code: ErrorCode.INVALID_PRODUCER_EPOCH };
    if (!e || epoch > e.epoch) {
      return firstSeq === 0 ? { kind: 'append' } : { kind: 'error', code: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    }
    const dup = e.batches.find((b) => b.firstSeq === firstSeq && b.lastSeq === lastSeq);
    if (dup) return { kind: 'duplicate', firstOffset: dup.firstOffset, lastOffset: dup.lastOffset };
    const last = e.batches[e.batches.length - 1];
    if (last && firstSeq !== nextSeq(last.lastSeq)) return { kind: 'error', code: ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER };
    return { kind: 'append' };
  }

  /** Records an appended batch (also used to rebuild state when a log is opened). */
  update(producerId: number, epoch: number, firstSeq: number, lastSeq: number, firstOffset: number, lastOffset: number, timestamp: number): void {
    let e = this.producers.get(producerId);
    if (!e || epoch > e.epoch) {
      e = { epoch, batches: [], lastTimestamp: timestamp };
      this.producers.set(producerId, e);
    }
    e.batches.push({ firstSeq, lastSeq, firstOffset, lastOffset });
    if (e.batches.length > CACHED_BATCHES) e.batches.shift();
    e.lastTimestamp = timestamp;
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
    for (const [id, e] of from.producers) this.producers.set(id, { epoch: e.epoch, batches: e.batches.map((b) => ({ ...b })), lastTimestamp: e.lastTimestamp });
  }

  /** Active producers, for DescribeProducers. */
  entries(): Array<{ producerId: number; epoch: number; lastSequence: number; lastTimestamp: number }> {
    return [...this.producers].map(([producerId, e]) => ({
      producerId, epoch: e.epoch, lastSequence: e.batches[e.batches.length - 1]?.lastSeq ?? -1, lastTimestamp: e.lastTimestamp,
    }));
  }
}
