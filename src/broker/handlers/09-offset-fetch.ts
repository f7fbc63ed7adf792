import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import type { Services } from '../services.js';

/**
 * A group's committed offsets. With RequireStable (v7+, KIP-447), a partition an undecided
 * transaction has committed an offset for answers UNSTABLE_OFFSET_COMMIT, as Kafka's does.
 */
function fetchGroup(services: Services<'groups'>, groupId: string, topics: Array<{ name: string; partitionIndexes: number[] }> | null, requireStable: boolean) {
  const manager = services.groups.manager;
  return manager.fetchOffsets(groupId, topics && topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes }))).map((t) => ({
    name: t.name,
    partitions: t.partitions.map(({ partition, committed }) => {
      if (requireStable && manager.hasPendingOffset(groupId, t.name, partition)) {
        return { partitionIndex: partition, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT };
      }
      return {
        partitionIndex: partition,
        committedOffset: committed?.offset ?? -1,
        committedLeaderEpoch: committed?.leaderEpoch ?? -1,
        metadata: committed?.metadata ?? '',
        errorCode: ErrorCode.NONE,
      };
    }),
  }));
}

/** v8+ (KIP-709) ask for several groups at once; earlier versions for one. */
export default defineApi(9, (services: Services<'groups'>, req, ctx) => {
  if (ctx.version >= 8) {
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((g) => {
        const notHere = services.groups.manager.coordinatorError(g.groupId);
        return { groupId: g.groupId, topics: notHere === null ? fetchGroup(services, g.groupId, g.topics, req.requireStable) : [], errorCode: notHere ?? ErrorCode.NONE };
      }),
    };
  }
  // v0-1 have no "all topics" form: a null list cannot be sent there.
  const notHere = services.groups.manager.coordinatorError(req.groupId);
  if (notHere !== null) {
    // Before v2 there is no top-level error: each partition carries it.
    const topics = (req.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: notHere })) }));
    return { throttleTimeMs: 0, topics, errorCode: notHere };
  }
  return { throttleTimeMs: 0, topics: fetchGroup(services, req.groupId, req.topics, ctx.version >= 7 && req.requireStable), errorCode: ErrorCode.NONE };
});
