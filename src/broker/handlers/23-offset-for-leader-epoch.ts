import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import type { Services } from '../services.js';

export default defineApi(23, (services: Services<'replicas'>, req) => ({
  throttleTimeMs: 0,
  topics: req.topics.map((t) => ({
    topic: t.topic,
    partitions: t.partitions.map((q) => {
      const p = services.replicas.leaderPartition(t.topic, q.partition);
      if (typeof p === 'number') return { errorCode: p, partition: q.partition, leaderEpoch: -1, endOffset: -1 };
      if (q.currentLeaderEpoch >= 0 && q.currentLeaderEpoch !== p.leaderEpoch) {
        return { errorCode: q.currentLeaderEpoch > p.leaderEpoch ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.FENCED_LEADER_EPOCH, partition: q.partition, leaderEpoch: -1, endOffset: -1 };
      }
      const r = p.log.endOffsetForEpoch(q.leaderEpoch);
      return { errorCode: ErrorCode.NONE, partition: q.partition, leaderEpoch: r.leaderEpoch, endOffset: r.endOffset };
    }),
  })),
}));
