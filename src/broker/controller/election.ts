// Leader election rules, as Kafka's controller applies them. Pure functions of a
// partition's state and the live brokers; each returns the new state, or null when
// nothing changes. A leader change always bumps the leader epoch.
import type { PartitionState } from './cluster-metadata.js';

/**
 * After brokers come or go: dead brokers leave the ISR (but the last ISR member stays,
 * so it can lead again when it returns), and a partition whose leader died gets the
 * first live ISR replica in assignment order; with none, an out-of-sync live replica
 * when `unclean` allows, else no leader (-1).
 */
export function electForLiveBrokers(p: PartitionState, live: ReadonlySet<number>, unclean: boolean): PartitionState | null {
  const liveIsr = p.isr.filter((r) => live.has(r));
  if (p.leader >= 0 && live.has(p.leader)) {
    if (liveIsr.length === p.isr.length) return null;
    return { ...p, isr: liveIsr };
  }
  const candidate = p.replicas.find((r) => live.has(r) && p.isr.includes(r));
  if (candidate !== undefined) return { ...p, leader: candidate, leaderEpoch: p.leaderEpoch + 1, isr: liveIsr };
  if (unclean) {
    const any = p.replicas.find((r) => live.has(r));
    if (any !== undefined) return { ...p, leader: any, leaderEpoch: p.leaderEpoch + 1, isr: [any] };
  }
  if (p.leader === -1) return null;
  return { ...p, leader: -1, leaderEpoch: p.leaderEpoch + 1 };
}

export type PreferredResult = { state: PartitionState } | { error: 'ELECTION_NOT_NEEDED' | 'PREFERRED_LEADER_NOT_AVAILABLE' | 'ELIGIBLE_LEADERS_NOT_AVAILABLE' };

/** Preferred-replica election: the first assigned replica leads when it is alive and in sync. */
export function electPreferred(p: PartitionState, live: ReadonlySet<number>): PreferredResult {
  const preferred = p.replicas[0]!;
  if (p.leader === preferred) return { error: 'ELECTION_NOT_NEEDED' };
  if (!live.has(preferred) || !p.isr.includes(preferred)) return { error: 'PREFERRED_LEADER_NOT_AVAILABLE' };
  return { state: { ...p, leader: preferred, leaderEpoch: p.leaderEpoch + 1 } };
}

/** Unclean election on request (ElectLeaders type 1): only for a partition with no leader. */
export function electUnclean(p: PartitionState, live: ReadonlySet<number>): PreferredResult {
  if (p.leader >= 0 && live.has(p.leader)) return { error: 'ELECTION_NOT_NEEDED' };
  const fresh = electForLiveBrokers(p, live, true);
  if (!fresh || fresh.leader < 0) return { error: 'ELIGIBLE_LEADERS_NOT_AVAILABLE' };
  return { state: fresh };
}

/** A chosen leader (a test's clean leader move): it must be a live in-sync replica. */
export function electChosen(p: PartitionState, broker: number, live: ReadonlySet<number>): PreferredResult {
  if (p.leader === broker) return { error: 'ELECTION_NOT_NEEDED' };
  if (!p.replicas.includes(broker) || !live.has(broker) || !p.isr.includes(broker)) return { error: 'PREFERRED_LEADER_NOT_AVAILABLE' };
  return { state: { ...p, leader: broker, leaderEpoch: p.leaderEpoch + 1 } };
}
