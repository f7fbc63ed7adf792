// Replica placement as Kafka does it. Without racks: partition p's leader is broker
// (start + p) mod n and its followers the next brokers round the ring, so N partitions on
// N brokers give each broker one leader and replicas of a partition never share a broker.
// With racks: the ring is first ordered rack by rack in turn (Kafka's rack-alternated
// list), and followers skip brokers whose rack the partition already uses until every
// rack has a replica, so replicas spread over racks wherever there are enough of them.

import type { Endpoint } from '../net/endpoints.js';

export interface BrokerInfo {
  nodeId: number;
  /** The address on its first listener (all a registration from before named listeners has). */
  host: string;
  port: number;
  /** Its address on each listener, as advertised (advertised.listeners). */
  endpoints?: Endpoint[];
  rack: string | null;
  /** Random per start of the broker process: a new one means the broker restarted. */
  incarnation?: string;
  /**
   * Partitions whose replica here is offline (its log directory failed), by topic id, as a
   * KRaft broker reports its offline directories in its heartbeat: leaders move off them.
   */
  offlineReplicas?: Record<string, number[]>;
}

export class PlacementError extends Error {}

/** Brokers ordered rack A, rack B, rack C, rack A, ... (ids ascending within a rack). */
function rackAlternated(brokers: readonly BrokerInfo[]): BrokerInfo[] {
  const byRack = new Map<string, BrokerInfo[]>();
  for (const b of [...brokers].sort((x, y) => x.nodeId - y.nodeId)) {
    const rack = b.rack ?? '';
    if (!byRack.has(rack)) byRack.set(rack, []);
    byRack.get(rack)!.push(b);
  }
  const racks = [...byRack.keys()].sort();
  const out: BrokerInfo[] = [];
  for (let i = 0; out.length < brokers.length; i++) {
    for (const r of racks) {
      const b = byRack.get(r)![i];
      if (b) out.push(b);
    }
  }
  return out;
}

export function placeReplicas(brokers: readonly BrokerInfo[], firstPartition: number, count: number, replicationFactor: number, start = 0): number[][] {
  if (replicationFactor > brokers.length) {
    throw new PlacementError(`Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${brokers.length} broker(s) are registered.`);
  }
  const racked = brokers.some((b) => b.rack !== null);
  const ring = racked ? rackAlternated(brokers) : [...brokers].sort((a, b) => a.nodeId - b.nodeId);
  const rackCount = new Set(ring.map((b) => b.rack)).size;
  const out: number[][] = [];
  for (let p = firstPartition; p < firstPartition + count; p++) {
    const first = (start + p) % ring.length;
    const chosen: BrokerInfo[] = [ring[first]!];
    for (let step = 1; chosen.length < replicationFactor; step++) {
      const b = ring[(first + step) % ring.length]!;
      if (chosen.includes(b)) {
        if (step > 2 * ring.length) throw new PlacementError('replica placement did not converge');
        continue;
      }
      const racksUsed = new Set(chosen.map((c) => c.rack));
      // Prefer a new rack while some rack has no replica yet; a second lap takes any broker.
      if (step < ring.length && racksUsed.size < rackCount && racksUsed.has(b.rack)) continue;
      chosen.push(b);
    }
    out.push(chosen.map((b) => b.nodeId));
  }
  return out;
}
