import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';

export default defineApi(23, (services: Services<'replicas' | 'authorizer'>, req, ctx) => {
  // A follower (v3+ names its replica id) needs CLUSTER_ACTION; a consumer, DESCRIBE on each topic.
  const access = services.authorizer.access(ctx.connection);
  const follower = ctx.version >= 3 && req.replicaId >= 0;
  const clusterDenied = follower && !access.cluster(AclOperation.CLUSTER_ACTION);
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({
      topic: t.topic,
      partitions: t.partitions.map((q) => {
        if (clusterDenied) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, partition: q.partition, leaderEpoch: -1, endOffset: -1 };
        if (!follower && !access.topic(AclOperation.DESCRIBE, t.topic)) return { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, partition: q.partition, leaderEpoch: -1, endOffset: -1 };
        const p = services.replicas.leaderPartition(t.topic, q.partition);
        if (typeof p === 'number') return { errorCode: p, partition: q.partition, leaderEpoch: -1, endOffset: -1 };
        if (q.currentLeaderEpoch >= 0 && q.currentLeaderEpoch !== p.leaderEpoch) {
          return { errorCode: q.currentLeaderEpoch > p.leaderEpoch ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.FENCED_LEADER_EPOCH, partition: q.partition, leaderEpoch: -1, endOffset: -1 };
        }
        const r = p.log.endOffsetForEpoch(q.leaderEpoch);
        return { errorCode: ErrorCode.NONE, partition: q.partition, leaderEpoch: r.leaderEpoch, endOffset: r.endOffset };
      }),
    })),
  };
});
