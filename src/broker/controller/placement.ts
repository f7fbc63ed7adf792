// Replica placement as Kafka does it without racks: partition p's leader is broker
// (start + p) mod n and its followers the next brokers round the ring, so N partitions on
// N brokers give each broker one leader and replicas of a partition never share a broker.

export interface BrokerInfo {
  nodeId: number;
  host: string;
  port: number;
  rack: string | null;
}

export class PlacementError extends Error {}

export function placeReplicas(brokers: readonly BrokerInfo[], firstPartition: number, count: number, replicationFactor: number, start = 0): number[][] {
  if (replicationFactor > brokers.length) {
    throw new PlacementError(`Unable to replicate the partition ${replicationFactor} time(s): The target replication factor of ${replicationFactor} cannot be reached because only ${brokers.length} broker(s) are registered.`);
  }
  const ids = brokers.map((b) => b.nodeId).sort((a, b) => a - b);
  const out: number[][] = [];
  for (let p = firstPartition; p < firstPartition + count; p++) {
    const replicas: number[] = [];
    for (let r = 0; r < replicationFactor; r++) replicas.push(ids[(start + p + r) % ids.length]!);
    out.push(replicas);
  }
  return out;
}
