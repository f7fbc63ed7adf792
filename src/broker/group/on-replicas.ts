// The group coordinator as a broker runs it: on its replicas of __consumer_offsets,
// following their leadership.
import type { Logger } from 'winston';
import type { Clock } from '../clock.js';
import type { BrokerConfig } from '../config.js';
import type { ClusterMetadata } from '../controller/cluster-metadata.js';
import { LogPartitionWriter } from '../coordinator/log-partition-writer.js';
import type { ReplicaManager } from '../replica-manager.js';
import { OFFSETS_TOPIC } from '../topic-admin.js';
import { GroupCoordinator } from './coordinator.js';

export function groupCoordinatorOn(replicas: ReplicaManager, metadata: ClusterMetadata, config: BrokerConfig, logger: Logger, clock: Clock): GroupCoordinator {
  const groups = new GroupCoordinator({
    writer: new LogPartitionWriter(OFFSETS_TOPIC, replicas, metadata, () => config.int('offsets.commit.timeout.ms')),
    config,
    topicExists: (topic, partition) => {
      const t = metadata.topics.get(topic);
      return t !== undefined && (partition < 0 || t.partitions[partition] !== undefined);
    },
    topics: {
      byName: (name) => {
        const t = metadata.topics.get(name);
        return t && { topicId: t.topicId, partitions: t.partitions.length, internal: t.internal };
      },
      nameOf: (id) => metadata.topicsById.get(id)?.name,
      names: () => metadata.topics.keys(),
    },
    groupConfigs: (groupId) => metadata.groupConfigs.get(groupId),
    logger,
    now: () => clock.now(),
  });
  replicas.watchLeadership(OFFSETS_TOPIC, (index, leading) => (leading ? groups.partitionElected(index) : groups.partitionResigned(index)));
  return groups;
}
