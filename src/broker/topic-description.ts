// A topic's partitions as Metadata and DescribeTopicPartitions describe them.
import { ErrorCode } from '../protocol/errors.js';
import type { ClusterMetadata, TopicState } from './controller/cluster-metadata.js';
import { endpointOn } from './net/endpoints.js';

/** The client's listener, and what a partition whose leader lacks it answers (Kafka: LISTENER_NOT_FOUND from Metadata v6). */
export interface ListenerView {
  listener: string;
  missing: number;
}

/**
 * Partitions `from` on (all by default): leader, epoch, replicas, ISR, offline replicas. A
 * leader that is not a live broker (it died and the controller has not moved its
 * partitions yet, or this broker has not heard) is no leader, as in Kafka's metadata
 * cache: naming it would send clients to a broker that is gone. Nor is one the client
 * cannot reach on its listener.
 */
export function describePartitions(metadata: ClusterMetadata, t: TopicState, live: ReadonlySet<number>, view: ListenerView, from = 0, count = Infinity) {
  return t.partitions.slice(from, from + count).map((p) => {
    const leader = live.has(p.leader) ? metadata.brokers.get(p.leader) : undefined;
    const reachable = leader !== undefined && endpointOn(leader, view.listener) !== null;
    const up = metadata.replicasUp(t, p.partition, live);
    return {
      errorCode: reachable ? ErrorCode.NONE : leader ? view.missing : ErrorCode.LEADER_NOT_AVAILABLE,
      partitionIndex: p.partition,
      leaderId: reachable ? p.leader : -1,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas,
      isrNodes: p.isr,
      offlineReplicas: p.replicas.filter((r) => !up.has(r)),
    };
  });
}
