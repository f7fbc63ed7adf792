// Offsets committed inside transactions not yet decided (Kafka's pending transactional
// offset commits): by group, then by producer, the offsets its transaction would commit.
// They are invisible to OffsetFetch until the transaction's marker reaches the group's
// __consumer_offsets partition: a COMMIT makes them the group's, an ABORT drops them.
import type { CommittedOffset } from './group.js';

export class PendingTxnOffsets {
  private readonly byGroup = new Map<string, Map<number, Map<string, CommittedOffset>>>();

  add(groupId: string, producerId: number, key: string, offset: CommittedOffset): void {
    let byProducer = this.byGroup.get(groupId);
    if (!byProducer) this.byGroup.set(groupId, (byProducer = new Map()));
    let offsets = byProducer.get(producerId);
    if (!offsets) byProducer.set(producerId, (offsets = new Map()));
    offsets.set(key, offset);
  }

  /** Whether an undecided transaction holds an offset for this partition of the group (OffsetFetch RequireStable). */
  has(groupId: string, key: string): boolean {
    for (const offsets of this.byGroup.get(groupId)?.values() ?? []) if (offsets.has(key)) return true;
    return false;
  }

  /** The producer's transaction was decided: its offsets of the groups `inPartition` accepts, taken out, by group. */
  take(producerId: number, inPartition: (groupId: string) => boolean): Array<[string, Map<string, CommittedOffset>]> {
    const out: Array<[string, Map<string, CommittedOffset>]> = [];
    for (const [groupId, byProducer] of this.byGroup) {
      if (!inPartition(groupId)) continue;
      const offsets = byProducer.get(producerId);
      if (!offsets) continue;
      byProducer.delete(producerId);
      if (byProducer.size === 0) this.byGroup.delete(groupId);
      out.push([groupId, offsets]);
    }
    return out;
  }

  /** Forgets what the groups `inPartition` accepts hold (their partition moved away). */
  dropWhere(inPartition: (groupId: string) => boolean): void {
    for (const groupId of [...this.byGroup.keys()]) if (inPartition(groupId)) this.byGroup.delete(groupId);
  }

  /** Whether a group has offsets waiting for a transaction (it is not to be removed meanwhile). */
  hasGroup(groupId: string): boolean {
    return this.byGroup.has(groupId);
  }
}
