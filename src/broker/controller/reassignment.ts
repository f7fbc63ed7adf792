// Partition reassignment (KIP-455) as Kafka's controller runs it, as pure functions of a
// partition's state:
//   1. start: the replica list becomes the target followed by the replicas leaving, with
//      `adding` and `removing` recorded; the new replicas' brokers open the partition and
//      follow the leader.
//   2. the leader adds each new replica to the ISR once it has caught up.
//   3. complete, in the same write as the ISR change that has them all: the replicas
//      leaving drop out of the replica list and the ISR, the leader moves to the first in
//      sync target replica if it was leaving, and the leader epoch moves on so the old
//      replicas are fenced. Their brokers then delete their copies.
// A reassignment that only reorders or drops in-sync replicas completes at once.
import type { PartitionState } from './cluster-metadata.js';

export const isReassigning = (p: PartitionState): boolean => (p.adding?.length ?? 0) > 0 || (p.removing?.length ?? 0) > 0;

/** The replication factor the partition has, or will have once its reassignment is done. */
export const targetReplicationFactor = (p: PartitionState): number => p.replicas.length - (p.removing?.length ?? 0);

/** Kafka's validateManualPartitionAssignment: null when `target` may be assigned. */
export function assignmentError(target: readonly number[], registered: ReadonlySet<number>): string | null {
  if (target.length === 0) return 'The manual partition assignment includes an empty replica list.';
  const seen = new Set<number>();
  for (const b of [...target].sort((x, y) => x - y)) {
    if (!registered.has(b)) return `The manual partition assignment includes broker ${b}, but no such broker is registered.`;
    if (seen.has(b)) return `The manual partition assignment includes the broker ${b} more than once.`;
    seen.add(b);
  }
  return null;
}

/** The replicas the partition had before its ongoing reassignment began (all of them when none is). */
export const originalReplicas = (p: PartitionState): number[] => p.replicas.filter((r) => !(p.adding ?? []).includes(r));

/**
 * Starts moving the partition to `target` (PartitionReassignmentReplicas): what it had and
 * the target leaves out is removing, what the target adds is adding. A new reassignment
 * replaces an ongoing one, measured from the replicas the partition had before it, so a
 * replica still catching up is waited for again. Completes at once when nothing needs to
 * catch up.
 */
export function startReassignment(p: PartitionState, target: readonly number[], live: ReadonlySet<number>): PartitionState {
  const wanted = new Set(target);
  const original = originalReplicas(p);
  const removing = original.filter((r) => !wanted.has(r));
  const adding = target.filter((r) => !original.includes(r));
  const replicas = [...target, ...removing];
  // A replica an earlier reassignment was adding, and this one does not want, leaves the ISR with the list.
  const kept = p.isr.filter((r) => replicas.includes(r));
  const started = withLeader({ ...p, replicas, isr: kept.length > 0 ? kept : p.isr, adding, removing }, p, p.replicas.some((r) => !replicas.includes(r)), live);
  return completeReassignment(started, live) ?? started;
}

/**
 * Kafka's maybeCompleteReassignment: once every adding replica is in the ISR (and some
 * replica stays in it), the reassignment is done. Null while it is not.
 */
export function completeReassignment(p: PartitionState, live: ReadonlySet<number>): PartitionState | null {
  if (!isReassigning(p)) return null;
  const removing = new Set(p.removing ?? []);
  const isr = p.isr.filter((r) => !removing.has(r));
  const replicas = p.replicas.filter((r) => !removing.has(r));
  if (isr.length === 0 || replicas.length === 0) return null;
  if ((p.adding ?? []).some((r) => !isr.includes(r))) return null;
  return withLeader({ ...p, replicas, isr, adding: [], removing: [] }, p, removing.size > 0, live);
}

/**
 * Cancels the reassignment (PartitionReassignmentRevert): the replicas it was adding go,
 * the ones it was removing stay. An ISR left empty would need an unclean election:
 * 'unclean' unless `uncleanAllowed`, when the first live original replica leads.
 */
export function cancelReassignment(p: PartitionState, live: ReadonlySet<number>, uncleanAllowed: boolean): PartitionState | 'unclean' {
  const adding = new Set(p.adding ?? []);
  const replicas = p.replicas.filter((r) => !adding.has(r));
  let isr = p.isr.filter((r) => !adding.has(r));
  if (isr.length === 0) {
    if (!uncleanAllowed) return 'unclean';
    const any = replicas.find((r) => live.has(r));
    isr = any === undefined ? [] : [any];
  }
  return withLeader({ ...p, replicas, isr, adding: [], removing: [] }, p, adding.size > 0, live);
}

/**
 * The leader after a change of the replica list: kept while it stays in the ISR, else the
 * first live in-sync replica in assignment order (-1 when none). The epoch moves on with a
 * new leader, or when replicas were dropped (so they are fenced).
 */
function withLeader(next: PartitionState, before: PartitionState, dropped: boolean, live: ReadonlySet<number>): PartitionState {
  const keeps = next.isr.includes(before.leader) && next.replicas.includes(before.leader);
  const leader = keeps ? before.leader : (next.replicas.find((r) => next.isr.includes(r) && live.has(r)) ?? -1);
  const bump = leader !== before.leader || dropped;
  return { ...next, leader, leaderEpoch: bump ? before.leaderEpoch + 1 : before.leaderEpoch };
}
