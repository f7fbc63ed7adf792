import { ErrorCode } from '../../protocol/errors.js';
import type { ListOffsetsResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';

/** ListOffsets special timestamps. */
export const LATEST = -1;
export const EARLIEST = -2;
export const MAX_TIMESTAMP = -3;
export const EARLIEST_LOCAL = -4;
export const LATEST_TIERED = -5;
/** v11 (KIP-1023): the earliest offset not yet uploaded to remote storage. */
export const EARLIEST_PENDING_UPLOAD = -6;

type PartitionOut = NonNullable<NonNullable<ListOffsetsResponse['topics']>[number]['partitions']>[number];

export default defineApi(2, async (services: Services<'replicas' | 'authorizer'>, req, ctx) => {
  const v = ctx.version;
  const access = services.authorizer.access(ctx.connection);
  const readCommitted = v >= 2 && req.isolationLevel === 1;
  const topics = await Promise.all(req.topics.map(async (t) => {
    const allowed = access.topic(AclOperation.DESCRIBE, t.name);
    return {
      name: t.name,
      partitions: await Promise.all(t.partitions.map(async (q): Promise<PartitionOut> => {
        const none: PartitionOut = { partitionIndex: q.partitionIndex, errorCode: ErrorCode.NONE, oldStyleOffsets: [], timestamp: -1, offset: -1, leaderEpoch: -1 };
        if (!allowed) return { ...none, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED };
        const p = services.replicas.leaderPartition(t.name, q.partitionIndex);
        if (typeof p === 'number') return { ...none, errorCode: p };
        if (q.currentLeaderEpoch >= 0 && q.currentLeaderEpoch !== p.leaderEpoch) {
          return { ...none, errorCode: q.currentLeaderEpoch > p.leaderEpoch ? ErrorCode.UNKNOWN_LEADER_EPOCH : ErrorCode.FENCED_LEADER_EPOCH };
        }
        const log = p.log;
        let found: { offset: number; timestamp: number; leaderEpoch: number } | null;
        switch (q.timestamp) {
          case LATEST:
            found = { offset: readCommitted ? p.lastStableOffset : p.highWatermark, timestamp: -1, leaderEpoch: log.latestEpoch };
            break;
          case EARLIEST:
          case EARLIEST_LOCAL:
            found = { offset: log.logStartOffset, timestamp: -1, leaderEpoch: log.epochAt(log.logStartOffset) };
            break;
          // No tiered storage here: as Kafka answers for a topic without remote storage.
          case LATEST_TIERED:
          case EARLIEST_PENDING_UPLOAD:
            found = { offset: -1, timestamp: -1, leaderEpoch: -1 };
            break;
          case MAX_TIMESTAMP:
            found = await log.maxTimestamp();
            break;
          default:
            if (q.timestamp < 0) return { ...none, errorCode: ErrorCode.UNSUPPORTED_VERSION };
            found = await log.offsetForTimestamp(q.timestamp);
        }
        if (found && found.offset >= p.highWatermark && q.timestamp >= 0) found = null;
        if (!found) return none;
        return {
          ...none,
          oldStyleOffsets: found.offset >= 0 ? [found.offset].slice(0, Math.max(q.maxNumOffsets, 0)) : [],
          timestamp: found.timestamp,
          offset: found.offset,
          leaderEpoch: found.leaderEpoch,
        };
      })),
    };
  }));
  return { throttleTimeMs: 0, topics };
});
