import { ErrorCode } from '../../protocol/errors.js';
import { offsetFetchRequest, offsetFetchResponse, type OffsetFetchRequest, type OffsetFetchResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';
import type { Broker } from '../broker.js';

function fetchGroup(broker: Broker, groupId: string, topics: Array<{ name: string; partitionIndexes: number[] }> | null) {
  return broker.groups.fetchOffsets(groupId, topics && topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes }))).map((t) => ({
    name: t.name,
    partitions: t.partitions.map(({ partition, committed }) => ({
      partitionIndex: partition,
      committedOffset: committed?.offset ?? -1,
      committedLeaderEpoch: committed?.leaderEpoch ?? -1,
      metadata: committed?.metadata ?? '',
      errorCode: ErrorCode.NONE,
    })),
  }));
}

/** v8+ (KIP-709) ask for several groups at once; earlier versions for one. */
export default defineApi<OffsetFetchRequest, OffsetFetchResponse>({ request: offsetFetchRequest, response: offsetFetchResponse }, (broker, req, ctx) => {
  if (ctx.version >= 8) {
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((g) => {
        const notHere = broker.groups.coordinatorError(g.groupId);
        return { groupId: g.groupId, topics: notHere === null ? fetchGroup(broker, g.groupId, g.topics) : [], errorCode: notHere ?? ErrorCode.NONE };
      }),
    };
  }
  // v0-1 have no "all topics" form: a null list cannot be sent there.
  const notHere = broker.groups.coordinatorError(req.groupId);
  if (notHere !== null) {
    // Before v2 there is no top-level error: each partition carries it.
    const topics = (req.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: notHere })) }));
    return { throttleTimeMs: 0, topics, errorCode: notHere };
  }
  return { throttleTimeMs: 0, topics: fetchGroup(broker, req.groupId, req.topics), errorCode: ErrorCode.NONE };
});
