// AlterPartitionReassignments (KIP-455): starts, replaces or cancels the moves of
// partitions to other brokers, as Kafka's controller does (controller/reassignment.ts),
// by compare-and-set of each topic's state so any broker can take the request. The moves
// then run in the background: new replicas catch up, the leader completes the move.
import { ErrorCode } from '../../protocol/errors.js';
import type { AlterPartitionReassignmentsRequest } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';
import type { PartitionState } from '../controller/cluster-metadata.js';
import { assignmentError, cancelReassignment, isReassigning, startReassignment, targetReplicationFactor } from '../controller/reassignment.js';

type Outcome = { errorCode: number; errorMessage: string | null };
const OK: Outcome = { errorCode: ErrorCode.NONE, errorMessage: null };

type ReassignServices = Services<'metadata' | 'topicConfigs' | 'logger'>;

async function reassignTopic(services: ReassignServices, topic: AlterPartitionReassignmentsRequest['topics'][number], allowRfChange: boolean) {
  const live = new Set(services.metadata.brokers.keys());
  let outcomes: Outcome[] = [];
  const written = await services.metadata.updateTopic(topic.name, (t) => {
    const partitions = [...t.partitions];
    const unclean = services.topicConfigs.get(t, 'unclean.leader.election.enable').value === 'true';
    outcomes = topic.partitions.map(({ partitionIndex: i, replicas: target }): Outcome => {
      const p: PartitionState | undefined = partitions[i];
      if (!p) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Unable to find partition ${topic.name}:${i}.` };
      if (target === null) {
        if (!isReassigning(p)) return { errorCode: ErrorCode.NO_REASSIGNMENT_IN_PROGRESS, errorMessage: 'No partition reassignment is in progress.' };
        const reverted = cancelReassignment(p, live, unclean);
        if (reverted === 'unclean') {
          return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: `Unable to revert partition assignment for ${topic.name}:${i} because it would require an unclean leader election.` };
        }
        partitions[i] = reverted;
        return OK;
      }
      const invalid = assignmentError(target, live);
      if (invalid) return { errorCode: ErrorCode.INVALID_REPLICA_ASSIGNMENT, errorMessage: invalid };
      const rf = targetReplicationFactor(p);
      if (!allowRfChange && rf !== target.length) return { errorCode: ErrorCode.INVALID_REPLICATION_FACTOR, errorMessage: `The replication factor is changed from ${rf} to ${target.length}` };
      partitions[i] = startReassignment(p, target, live);
      return OK;
    });
    return outcomes.some((o) => o === OK) ? { ...t, partitions } : null;
  });
  if (!written && !services.metadata.topics.has(topic.name)) {
    outcomes = topic.partitions.map(() => ({ errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Unable to find a topic named ${topic.name}.` }));
  }
  const moved = topic.partitions.filter((_, k) => outcomes[k] === OK).map((p) => `${topic.name}-${p.partitionIndex} to [${p.replicas?.join(',') ?? 'cancelled'}]`);
  if (moved.length > 0) services.logger.info(`partition reassignment: ${moved.join(', ')}`);
  return { name: topic.name, partitions: topic.partitions.map((p, k) => ({ partitionIndex: p.partitionIndex, ...outcomes[k]! })) };
}

export default defineApi(45, async (services: ReassignServices, req, ctx) => {
  const allowRfChange = ctx.version >= 1 ? req.allowReplicationFactorChange : true;
  const responses = [];
  for (const topic of req.topics) responses.push(await reassignTopic(services, topic, allowRfChange));
  return { throttleTimeMs: 0, allowReplicationFactorChange: allowRfChange, errorCode: ErrorCode.NONE, errorMessage: null, responses };
}, { clusterOperation: AclOperation.ALTER, authorizeClusterOperation: true });
