import { defineApi } from '../api.js';
import type { Services } from '../services.js';

export default defineApi(8, async (services: Services<'groups'>, req, ctx) => {
  const entries = req.topics.flatMap((t) => t.partitions.map((p) => ({
    topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: p.committedLeaderEpoch, metadata: p.committedMetadata,
  })));
  // v0 commits carry no generation: they are simple (group-less) commits.
  const generation = ctx.version >= 1 ? req.generationIdOrMemberEpoch : -1;
  const codes = await services.groups.manager.commitOffsets(req.groupId, generation, req.memberId, req.groupInstanceId, entries);
  let i = 0;
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: codes[i++]! })) })),
  };
});
