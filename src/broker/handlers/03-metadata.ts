import { ErrorCode } from '../../protocol/errors.js';
import type { MetadataRequest, MetadataResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';
import type { ClusterMetadata, TopicState } from '../controller/cluster-metadata.js';
import { topicNameError } from '../topic-names.js';
import { describePartitions, type ListenerView } from '../topic-description.js';
import { AclOperation, CLUSTER_NAME, ResourceType } from '../security/acl.js';
import type { Access } from '../security/authorizer.js';
import type { Services } from '../services.js';

type TopicOut = NonNullable<MetadataResponse['topics']>[number];

const NOT_REQUESTED = -2147483648;

/**
 * The authorized operations on the cluster, as Metadata and DescribeCluster give them: none
 * without DESCRIBE; without an authorizer, every operation the cluster supports (Kafka's AclEntry.supportedOperations).
 */
export function clusterOperations(requested: boolean, access: Access): number {
  if (!requested) return NOT_REQUESTED;
  return access.cluster(AclOperation.DESCRIBE) ? access.operations(ResourceType.CLUSTER, CLUSTER_NAME) : 0;
}

function describeTopic(metadata: ClusterMetadata, t: TopicState, ops: number, live: ReadonlySet<number>, view: ListenerView): TopicOut {
  return {
    errorCode: ErrorCode.NONE,
    name: t.name,
    topicId: t.topicId,
    isInternal: t.internal,
    partitions: describePartitions(metadata, t, live, view),
    topicAuthorizedOperations: ops,
  };
}

/** How long a Metadata answer waits for this broker's metadata copy to catch up with the store. */
const FRESH_WAIT_MS = 1000;

export default defineApi(3, async (services: Services<'config' | 'metadata' | 'topics' | 'authorizer'>, req, ctx) => {
  await services.metadata.fresh(FRESH_WAIT_MS);
  const live = new Set(services.metadata.brokers.keys());
  const access = services.authorizer.access(ctx.connection);
  const describable = (name: string) => access.topic(AclOperation.DESCRIBE, name);
  const opsOf = (name: string) => (req.includeTopicAuthorizedOperations ? access.operations(ResourceType.TOPIC, name) : NOT_REQUESTED);
  const view = { listener: ctx.connection.listener, missing: ctx.version >= 6 ? ErrorCode.LISTENER_NOT_FOUND : ErrorCode.LEADER_NOT_AVAILABLE };
  const describe = (t: TopicState) => describeTopic(services.metadata, t, opsOf(t.name), live, view);
  const refused = (name: string | null, topicId?: string): TopicOut => ({ errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, name, topicId, isInternal: false, partitions: [] });
  // v0 has no null: an empty list means "all topics" there.
  const all = req.topics === null || (ctx.version === 0 && req.topics.length === 0);
  const allowAutoCreate = ctx.version < 4 || req.allowAutoTopicCreation;
  let topics: TopicOut[];
  if (all) {
    // All topics: those the client may describe.
    topics = [...services.metadata.topics.values()].filter((t) => describable(t.name)).map(describe);
  } else {
    topics = [];
    for (const q of req.topics!) topics.push(await describeOne(q));
  }
  async function describeOne(q: NonNullable<MetadataRequest['topics']>[number]): Promise<TopicOut> {
    if (q.name === null) {
      const t = services.metadata.topicsById.get(q.topicId);
      if (!t) return { errorCode: ErrorCode.UNKNOWN_TOPIC_ID, name: null, topicId: q.topicId, partitions: [] };
      return describable(t.name) ? describe(t) : refused(null, q.topicId);
    }
    if (!describable(q.name)) return refused(q.name);
    const t = services.metadata.topics.get(q.name);
    if (t) return describe(t);
    if (topicNameError(q.name)) return { errorCode: ErrorCode.INVALID_TOPIC_EXCEPTION, name: q.name, partitions: [] };
    if (allowAutoCreate && services.config.bool('auto.create.topics.enable')) {
      // Creating it takes CREATE on the cluster or on the topic.
      if (!access.cluster(AclOperation.CREATE) && !access.topic(AclOperation.CREATE, q.name)) return refused(q.name);
      const created = await services.topics.autoCreateTopic(q.name);
      if (created.topic) return describe(created.topic);
      return { errorCode: created.errorCode, name: q.name, partitions: [] };
    }
    return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, name: q.name, partitions: [] };
  }
  return {
    throttleTimeMs: 0,
    brokers: services.metadata.liveBrokersOn(ctx.connection.listener),
    clusterId: services.metadata.clusterId,
    controllerId: services.metadata.controllerId,
    topics,
    clusterAuthorizedOperations: clusterOperations(req.includeClusterAuthorizedOperations, access),
    // v13 (KIP-1102): a broker that serves the request has no reason to send the client back to its bootstrap servers.
    errorCode: ErrorCode.NONE,
  };
});
