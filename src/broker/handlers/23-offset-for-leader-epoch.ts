import { ErrorCode } from '../../protocol/errors.js';
import { offsetForLeaderEpochRequest, offsetForLeaderEpochResponse, type OffsetForLeaderEpochRequest, type OffsetForLeaderEpochResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';

export default defineApi<OffsetForLeaderEpochRequest, OffsetForLeaderEpochResponse>({ request: offsetForLeaderEpochRequest, response: offsetForLeaderEpochResponse }, (broker, req) => ({
  throttleTimeMs: 0,
  topics: req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((q) => {
      const p = broker.leaderPartition(t.topic, q.partition);
      if (typeof p === 'number') return { errorCode: p, partition: q.partition, leaderEpoch: -1, endOffset: -1 };
      if (q.currentLeaderEpoch >= 0 && q.currentLeaderEpoch !== p.leaderEpoch) {
        return { errorCode: q.currentLeaderEpoch > p.leaderEpoch ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.FENCED_LEADER_EPOCH, partition: q.partition, leaderEpoch: -1, endOffset: -1 };
      }
      const r = p.log.endOffsetForEpoch(q.leaderEpoch);
      return { errorCode: ErrorCode.NONE, partition: q.partition, leaderEpoch: r.leaderEpoch, endOffset: r.endOffset };
    }),
  })),
}));
