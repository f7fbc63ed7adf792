// The producers' state of one log (idempotence and open transactions), that state as of
// each segment's first offset, and the aborted transactions. The state keeps only a
// producer's last five batches, so a truncation that removes them all cannot be undone
// from the state alone: the log restores the active segment's snapshot and replays that
// segment's batches, as Kafka does with its producer snapshots.
import { Attr, type BatchHeader } from '../protocol/records/batch.js';
import { ControlType, readControl } from '../protocol/records/control.js';
import { AbortedTxns } from './aborted-txns.js';
import { ProducerStateManager } from './producer-state.js';

export class ProducerHistory {
  readonly state = new ProducerStateManager();
  readonly aborted = new AbortedTxns();
  private readonly snapshots = new Map<number, ProducerStateManager>();

  /**
   * Records a batch of the log: appended, found on opening, or replayed after a
   * truncation. `bytes` is the whole batch, or reads it: only a transaction marker's is read.
   */
  record(h: BatchHeader, bytes: Buffer | (() => Buffer)): void {
    if (h.producerId < 0) return;
    const transactional = (h.attributes & Attr.transactional) !== 0;
    if ((h.attributes & Attr.control) === 0) {
      this.state.update(h.producerId, h.producerEpoch, h.baseSequence, h.baseSequence + h.lastOffsetDelta, h.baseOffset, h.baseOffset + h.lastOffsetDelta, h.maxTimestamp, transactional);
      return;
    }
    const control = readControl(typeof bytes === 'function' ? bytes() : bytes);
    if (!control || (control.type !== ControlType.ABORT && control.type !== ControlType.COMMIT)) return;
    const done = this.state.endTxn(h.producerId, h.producerEpoch, control.coordinatorEpoch, h.maxTimestamp);
    if (done && control.type === ControlType.ABORT) {
      const marker = h.baseOffset;
      this.aborted.add({ producerId: h.producerId, firstOffset: done.firstOffset, lastOffset: marker, lastStableOffset: this.state.firstUnstableOffset() ?? marker + 1 });
    }
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
    this.aborted.truncateFrom(baseOffset);
  }

  /** Forgets every producer (the log restarts empty). */
  reset(): void {
    this.state.restore(new ProducerStateManager());
    this.aborted.clear();
  }
}
