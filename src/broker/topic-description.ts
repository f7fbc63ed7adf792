// A topic's partitions as Metadata and DescribeTopicPartitions describe them.
import { ErrorCode } from '../protocol/errors.js';
import type { ClusterMetadata, TopicState } from './controller/cluster-metadata.js';

/**
 * Partitions `from` on (all by default): leader, epoch, replicas, ISR, offline replicas. A
 * leader that is not a live broker (it died and the controller has not moved its
 * partitions yet, or this broker has not heard) is no leader, as in Kafka's metadata
 * cache: naming it would send clients to a broker that is gone.
 */
export function describePartitions(metadata: ClusterMetadata, t: TopicState, live: ReadonlySet<number>, from = 0, count = Infinity) {
  return t.partitions.slice(from, from + count).map((p) => {
    const led = live.has(p.leader);
    const up = metadata.replicasUp(t, p.partition, live);
    return {
      errorCode: led ? ErrorCode.NONE : ErrorCode.LEADER_NOT_AVAILABLE,
      partitionIndex: p.partition,
      leaderId: led ? p.leader : -1,
      leaderEpoch: p.leaderEpoch,
      replicaNodes: p.replicas,
      isrNodes: p.isr,
      offlineReplicas: p.replicas.filter((r) => !up.has(r)),
    };
  });
}
