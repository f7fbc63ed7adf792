import { defineApi } from '../api.js';
import type { Services } from '../services.js';

/** Offsets committed in the producer's transaction: the group's once the transaction commits. */
export default defineApi(28, async (services: Services<'groups'>, req, ctx) => {
  const entries = req.topics.flatMap((t) => t.partitions.map((p) => ({
    topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: ctx.version >= 2 ? p.committedLeaderEpoch : -1, metadata: p.committedMetadata,
  })));
  // v3+ (KIP-447) name the member and generation, checked as a plain commit's are.
  const [generation, member, instance] = ctx.version >= 3 ? [req.generationId, req.memberId, req.groupInstanceId] : [-1, '', null];
  const codes = await services.groups.manager.commitTxnOffsets(req.groupId, { producerId: req.producerId, producerEpoch: req.producerEpoch }, generation, member, instance, entries);
  let i = 0;
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: codes[i++]! })) })),
  };
});
