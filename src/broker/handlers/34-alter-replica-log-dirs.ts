import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';

/**
 * Moves this broker's replicas of the partitions named to the log directory named
 * (replica-moves.ts); answered per partition, grouped by topic, once each move has
 * started: DescribeLogDirs shows the copy (isFuture) and its lag until it takes over.
 */
export default defineApi(34, (services: Services<'replicas' | 'authorizer'>, req, ctx) => {
  // ALTER on the cluster, or every partition is refused.
  const allowed = services.authorizer.access(ctx.connection).cluster(AclOperation.ALTER);
  const byTopic = new Map<string, Array<{ partitionIndex: number; errorCode: number }>>();
  for (const dir of req.dirs) {
    for (const t of dir.topics) {
      let results = byTopic.get(t.name);
      if (!results) byTopic.set(t.name, (results = []));
      for (const partitionIndex of t.partitions) results.push({ partitionIndex, errorCode: allowed ? services.replicas.moves.start(t.name, partitionIndex, dir.path) : ErrorCode.CLUSTER_AUTHORIZATION_FAILED });
    }
  }
  return { throttleTimeMs: 0, results: [...byTopic].map(([topicName, partitions]) => ({ topicName, partitions })) };
});
