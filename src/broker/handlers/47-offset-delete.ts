import { ErrorCode } from '../../protocol/errors.js';
import { offsetDeleteRequest, offsetDeleteResponse, type OffsetDeleteRequest, type OffsetDeleteResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';

export default defineApi<OffsetDeleteRequest, OffsetDeleteResponse>({ request: offsetDeleteRequest, response: offsetDeleteResponse }, (broker, req) => {
  const r = broker.groups.deleteOffsets(req.groupId, req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => p.partitionIndex) })));
  if (r.errorCode !== ErrorCode.NONE) return { errorCode: r.errorCode, throttleTimeMs: 0, topics: [] };
  return {
    errorCode: ErrorCode.NONE,
    throttleTimeMs: 0,
    topics: req.topics.map((t, i) => ({ name: t.name, partitions: t.partitions.map((p, j) => ({ partitionIndex: p.partitionIndex, errorCode: r.codes[i]![j]! })) })),
  };
});
