import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { fetchAccessError } from '../group/consumer-group.js';
import { AclOperation } from '../security/acl.js';
import type { Access } from '../security/authorizer.js';
import type { Services } from '../services.js';

interface TopicOffsets {
  name: string;
  partitions: Array<{ partitionIndex: number; committedOffset: number; committedLeaderEpoch: number; metadata: string; errorCode: number }>;
}

/**
 * A group's committed offsets. With RequireStable (v7+, KIP-447), a partition an undecided
 * transaction has committed an offset for answers UNSTABLE_OFFSET_COMMIT, as Kafka's does.
 */
function fetchGroup(services: Services<'groups'>, groupId: string, topics: Array<{ name: string; partitionIndexes: number[] }> | null, requireStable: boolean) {
  const manager = services.groups.manager;
  return manager.fetchOffsets(groupId, topics && topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes }))).map((t): TopicOffsets => ({
    name: t.name,
    partitions: t.partitions.map(({ partition, committed }) => {
      if (requireStable && manager.hasPendingOffset(groupId, t.name, partition)) {
        return { partitionIndex: partition, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNSTABLE_OFFSET_COMMIT };
      }
      return {
        partitionIndex: partition,
        committedOffset: committed?.offset ?? -1,
        committedLeaderEpoch: committed?.leaderEpoch ?? -1,
        metadata: committed?.metadata ?? '',
        errorCode: ErrorCode.NONE,
      };
    }),
  }));
}

type Requested = Array<{ name: string; topicId: string; partitionIndexes: number[] }> | null;

/**
 * v10 names a group's topics by id, as Kafka 4.2 does: ids no topic has answer
 * UNKNOWN_TOPIC_ID; asked for all topics, those whose topic is gone are left out.
 */
function fetchGroupById(services: Services<'groups' | 'metadata'>, groupId: string, topics: Requested, requireStable: boolean) {
  const { topics: byName, topicsById } = services.metadata;
  const known = topics && topics.flatMap((t) => {
    const name = topicsById.get(t.topicId)?.name;
    return name === undefined ? [] : [{ ...t, name }];
  });
  const found = fetchGroup(services, groupId, known, requireStable).flatMap((t) => {
    const topicId = byName.get(t.name)?.topicId;
    return topicId === undefined ? [] : [{ ...t, topicId }];
  });
  const unknown = (topics ?? []).filter((t) => !topicsById.has(t.topicId)).map((t) => ({
    name: '', topicId: t.topicId,
    partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.UNKNOWN_TOPIC_ID })),
  }));
  return [...unknown, ...found];
}

/**
 * The topics the client may DESCRIBE keep their offsets; others, asked for by name, answer
 * TOPIC_AUTHORIZATION_FAILED, and asked for as "all topics", are left out, as in Kafka.
 */
function authorizedTopics<T extends TopicOffsets>(topics: T[], all: boolean, access: Access): T[] {
  return topics.flatMap((t) => {
    if (t.name === '' || access.topic(AclOperation.DESCRIBE, t.name)) return [t];
    if (all) return [];
    return [Object.assign({}, t, { partitions: t.partitions.map((p) => ({ ...p, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED })) })];
  });
}

/** v8+ (KIP-709) ask for several groups at once; earlier versions for one. */
export default defineApi(9, (services: Services<'groups' | 'metadata' | 'authorizer'>, req, ctx) => {
  const access = services.authorizer.access(ctx.connection);
  if (ctx.version >= 8) {
    const fetch = ctx.version >= 10 ? fetchGroupById : fetchGroup;
    return {
      throttleTimeMs: 0,
      groups: req.groups.map((g) => {
        if (!access.group(AclOperation.DESCRIBE, g.groupId)) return { groupId: g.groupId, topics: [], errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
        // v9+: a KIP-848 member fetches at its current member epoch, as it commits.
        const consumer = ctx.version >= 9 ? services.groups.groups.get(g.groupId)?.consumer : undefined;
        const error = services.groups.manager.coordinatorError(g.groupId) ?? (consumer ? fetchAccessError(consumer, g.memberId, g.memberEpoch) : null);
        return { groupId: g.groupId, topics: error === null ? authorizedTopics(fetch(services, g.groupId, g.topics, req.requireStable), g.topics === null, access) : [], errorCode: error ?? ErrorCode.NONE };
      }),
    };
  }
  // v0-1 have no "all topics" form: a null list cannot be sent there.
  const notHere = access.group(AclOperation.DESCRIBE, req.groupId) ? services.groups.manager.coordinatorError(req.groupId) : ErrorCode.GROUP_AUTHORIZATION_FAILED;
  if (notHere !== null) {
    // Before v2 there is no top-level error: each partition carries it.
    const topics = (req.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, committedOffset: -1, committedLeaderEpoch: -1, metadata: '', errorCode: notHere })) }));
    return { throttleTimeMs: 0, topics, errorCode: notHere };
  }
  const topics = fetchGroup(services, req.groupId, req.topics, ctx.version >= 7 && req.requireStable);
  return { throttleTimeMs: 0, topics: authorizedTopics(topics, req.topics === null, access), errorCode: ErrorCode.NONE };
});
