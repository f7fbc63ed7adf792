// The idempotent producers' state of one log, and that state as of each segment's first
// offset. The state keeps only a producer's last five batches, so a truncation that
// removes them all cannot be undone from the state alone: the log restores the active
// segment's snapshot and replays that segment's batches, as Kafka does with its producer
// snapshots.
import { Attr, type BatchHeader } from '../protocol/records/batch.js';
import { ProducerStateManager } from './producer-state.js';

export class ProducerHistory {
  readonly state = new ProducerStateManager();
  private readonly snapshots = new Map<number, ProducerStateManager>();

  /** Records a batch of the log: appended, found on opening, or replayed after a truncation. */
  record(h: BatchHeader): void {
    if (h.producerId < 0 || (h.attributes & Attr.control) !== 0) return;
    this.state.update(h.producerId, h.producerEpoch, h.baseSequence, h.baseSequence + h.lastOffsetDelta, h.baseOffset, h.baseOffset + h.lastOffsetDelta, h.maxTimestamp);
  }

  /** A segment starts at `baseOffset`: the state as it stands is its snapshot. */
  snapshotAt(baseOffset: number): void {
    this.snapshots.set(baseOffset, this.state.copy());
  }

  /** The segment at `baseOffset` is gone, and its snapshot with it. */
  dropSnapshot(baseOffset: number): void {
    this.snapshots.delete(baseOffset);
  }

  /** Goes back to the state as of the segment at `baseOffset` began; its batches are then replayed by the caller. */
  restoreTo(baseOffset: number): void {
    this.state.restore(this.snapshots.get(baseOffset)!);
  }

  /** Forgets every producer (the log restarts empty). */
  reset(): void {
    this.state.restore(new ProducerStateManager());
  }
}
