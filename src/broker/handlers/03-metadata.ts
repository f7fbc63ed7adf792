import { ErrorCode } from '../../protocol/errors.js';
import type { MetadataRequest, MetadataResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';
import type { ClusterMetadata, TopicState } from '../controller/cluster-metadata.js';
import { topicNameError } from '../topic-names.js';
import { describePartitions, TOPIC_OPERATIONS } from '../topic-description.js';
import type { Services } from '../services.js';

type TopicOut = NonNullable<MetadataResponse['topics']>[number];

/** Authorized-operation bitfield with no authorizer: everything the cluster allows. */
export const CLUSTER_OPERATIONS = [5, 7, 8, 9, 10, 11, 12, 13, 14].reduce((a, op) => a | (1 << op), 0);
const NOT_REQUESTED = -2147483648;

function describeTopic(metadata: ClusterMetadata, t: TopicState, withOps: boolean, live: ReadonlySet<number>): TopicOut {
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: t.internal,
    partitions: describePartitions(metadata, t, live),
    topicAuthorizedOperations: withOps ? TOPIC_OPERATIONS : NOT_REQUESTED,
  };
}

/** How long a Metadata answer waits for this broker's metadata copy to catch up with the store. */
const FRESH_WAIT_MS = 1000;

export default defineApi(3, async (services: Services<'config' | 'metadata' | 'topics'>, req, ctx) => {
  await services.metadata.fresh(FRESH_WAIT_MS);
  const live = new Set(services.metadata.brokers.keys());
  const withOps = req.includeTopicAuthorizedOperations;
  // v0 has no null: an empty list means "all topics" there.
  const all = req.topics === null || (ctx.version === 0 && req.topics.length === 0);
  const allowAutoCreate = ctx.version < 4 || req.allowAutoTopicCreation;
  let topics: TopicOut[];
  if (all) {
    topics = [...services.metadata.topics.values()].map((t) => describeTopic(services.metadata, t, withOps, live));
  } else {
    topics = [];
    for (const q of req.topics!) topics.push(await describeOne(q));
  }
  async function describeOne(q: NonNullable<MetadataRequest['topics']>[number]): Promise<TopicOut> {
    if (q.name === null) {
      const t = services.metadata.topicsById.get(q.topicId);
      return t ? describeTopic(services.metadata, t, withOps, live) : { errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId: q.topicId, partitions: [] };
    }
    const t = services.metadata.topics.get(q.name);
    if (t) return describeTopic(services.metadata, t, withOps, live);
    if (topicNameError(q.name)) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name: q.name, partitions: [] };
    if (allowAutoCreate && services.config.bool('auto.create.topics.enable')) {
      const created = await services.topics.autoCreateTopic(q.name);
      if (created.topic) return describeTopic(services.metadata, created.topic, withOps, live);
      return { errorCode: created.errorCode, name: q.name, partitions: [] };
    }
    return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name: q.name, partitions: [] };
  }
  return {
    throttleTimeMs: 0,
    brokers: services.metadata.liveBrokers(),
    clusterId: services.metadata.clusterId,
    controllerId: services.metadata.controllerId,
    topics,
    clusterAuthorizedOperations: req.includeClusterAuthorizedOperations ? CLUSTER_OPERATIONS : NOT_REQUESTED,
    // v13 (KIP-1102): a broker that serves the request has no reason to send the client back to its bootstrap servers.
    errorCode: ErrorCode.NONE,
  };
});
