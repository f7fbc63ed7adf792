import { ErrorCode, KafkaError } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';

/** Offset -1 means "up to the high watermark", as kafka-delete-records uses it. */
export default defineApi(21, (services: Services<'replicas' | 'authorizer'>, req, ctx) => ({
  throttleTimeMs: 0,
  topics: req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitions.map((q) => {
      if (!services.authorizer.access(ctx.connection).topic(AclOperation.DELETE, t.name)) return { partitionIndex: q.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
      const p = services.replicas.leaderPartition(t.name, q.partitionIndex);
      if (typeof p === 'number') return { partitionIndex: q.partitionIndex, lowWatermark: -1, errorCode: p };
      const target = q.offset === -1 ? p.highWatermark : q.offset;
      if (target < 0 || target > p.highWatermark) return { partitionIndex: q.partitionIndex, lowWatermark: -1, errorCode: ErrorCode.OFFSET_OUT_OF_RANGE };
      try {
        p.log.deleteRecordsBefore(target);
      } catch (e) {
        if (!(e instanceof KafkaError)) throw e;
        return { partitionIndex: q.partitionIndex, lowWatermark: -1, errorCode: e.code };
      }
      return { partitionIndex: q.partitionIndex, lowWatermark: p.log.logStartOffset, errorCode: ErrorCode.NONE };
    }),
  })),
}));
