import { ErrorCode } from '../../protocol/errors.js';
import type { DescribeTopicPartitionsResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import type { Services } from '../services.js';
import { describePartitions } from '../topic-description.js';
import { topicNameError } from '../topic-names.js';
import { OFFSETS_TOPIC } from '../topic-admin.js';
import { TRANSACTION_TOPIC } from '../txn/records.js';

type TopicOut = DescribeTopicPartitionsResponse['topics'][number];
const NO_ID = '0'.repeat(32);
/** Kafka's Topic.isInternal: what an unknown topic of these names would be once created. */
const INTERNAL = new Set([OFFSETS_TOPIC, TRANSACTION_TOPIC]);

/**
 * The Java admin's describeTopics (KIP-966): topics in name order, the named ones or all,
 * their partitions paged by ResponsePartitionLimit (at most max.request.partition.size.limit)
 * with a cursor to go on from, as Kafka's DescribeTopicPartitionsRequestHandler pages them.
 * An unknown named topic is UNKNOWN_TOPIC_OR_PARTITION; with all topics asked, none is.
 */
export default defineApi(75, (services: Services<'config' | 'metadata' | 'authorizer'>, req, ctx) => {
  const { metadata } = services;
  const access = services.authorizer.access(ctx.connection);
  const all = req.topics.length === 0;
  const cursor = req.cursor;
  // Kafka's InvalidRequestException for a cursor outside the topics or before partition 0: every topic named gets it.
  const refused = () => ({ throttleTimeMs: 0, nextCursor: null, topics: req.topics.map((t) => ({ errorCode: ErrorCode.INVALID_REQUEST, name: t.name, topicId: NO_ID, isInternal: false, partitions: [], topicAuthorizedOperations: -2147483648 })) });
  if (cursor && ((!all && !req.topics.some((t) => t.name === cursor.topicName)) || cursor.partitionIndex < 0)) return refused();
  // All topics: those the client may describe; a named one it may not is refused.
  const names = [...new Set(all ? [...metadata.topics.keys()].filter((n) => access.topic(AclOperation.DESCRIBE, n)) : req.topics.map((t) => t.name))].filter((n) => !cursor || n >= cursor.topicName).sort();
  const live = new Set(metadata.brokers.keys());
  let remaining = Math.min(req.responsePartitionLimit, services.config.int('max.request.partition.size.limit'));
  const topics: TopicOut[] = [];
  let nextCursor: DescribeTopicPartitionsResponse['nextCursor'] = null;
  for (const name of names) {
    if (remaining <= 0) {
      nextCursor = { topicName: name, partitionIndex: 0 };
      break;
    }
    if (!all && !access.topic(AclOperation.DESCRIBE, name)) {
      topics.push({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, topicId: NO_ID, isInternal: false, partitions: [], topicAuthorizedOperations: -2147483648 });
      continue;
    }
    const t = metadata.topics.get(name);
    if (!t) {
      if (!all) topics.push({ errorCode: topicNameError(name) === null ? ErrorCode.UNKNOWN_TOPIC_OR_PARTITION : ErrorCode.INVALID_TOPIC_EXCEPTION, name, topicId: NO_ID, isInternal: INTERNAL.has(name), partitions: [], topicAuthorizedOperations: -2147483648 });
      continue;
    }
    const from = cursor?.topicName === name ? cursor.partitionIndex : 0;
    const partitions = describePartitions(metadata, t, live, { listener: ctx.connection.listener, missing: ErrorCode.LISTENER_NOT_FOUND }, from, remaining).map((p) => ({ ...p, eligibleLeaderReplicas: [], lastKnownElr: [] }));
    topics.push({ errorCode: ErrorCode.NONE, name, topicId: t.topicId, isInternal: t.internal, partitions, topicAuthorizedOperations: access.operations(ResourceType.TOPIC, name) });
    if (from + partitions.length < t.partitions.length) {
      nextCursor = { topicName: name, partitionIndex: from + partitions.length };
      break;
    }
    remaining -= partitions.length;
  }
  return { throttleTimeMs: 0, topics, nextCursor };
});
