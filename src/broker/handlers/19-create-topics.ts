import { ErrorCode } from '../../protocol/errors.js';
import type { CreateTopicsRequest, CreateTopicsResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';
import { describeTopicConfigs, type ConfigServices } from '../config-resources.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';
import { MAX_PARTITIONS_PER_REQUEST } from '../topic-admin.js';
import { THROTTLED_MESSAGE } from '../quotas/client-quotas.js';
import { quotaClient } from '../quotas/request-quotas.js';

type TopicOut = NonNullable<CreateTopicsResponse['topics']>[number];

export default defineApi(19, async (services: ConfigServices & Services<'topics' | 'replicas' | 'quotas' | 'authorizer'>, req, ctx) => {
  // CREATE on the cluster creates any topic; CREATE on a topic, that one.
  const access = services.authorizer.access(ctx.connection);
  const mayCreateAny = access.cluster(AclOperation.CREATE);
  const seen = new Map<string, number>();
  for (const t of req.topics) seen.set(t.name, (seen.get(t.name) ?? 0) + 1);
  // As Kafka's controller: a request for too many partitions in all is refused whole, before
  // anything is created (duplicated names are answered on their own first).
  const tooMany = services.topics.partitionsRequested(req.topics.filter((t) => seen.get(t.name) === 1)) > MAX_PARTITIONS_PER_REQUEST;
  // controller_mutation_rate: v6+ is refused with THROTTLING_QUOTA_EXCEEDED once over it (strict), older versions only throttled.
  const quota = services.quotas.mutations(quotaClient(ctx.header.clientId, ctx.connection.principal), ctx.version >= 6);
  const topics: TopicOut[] = [];
  for (const t of req.topics) topics.push(await createOne(t));
  return { throttleTimeMs: quota.throttleMs, topics };

  async function createOne(t: CreateTopicsRequest['topics'][number]): Promise<TopicOut> {
    const failed = (errorCode: number, errorMessage: string | null): TopicOut => ({
      name: t.name, topicId: '0'.repeat(32), errorCode, errorMessage, numPartitions: -1, replicationFactor: -1, configs: null,
    });
    if (seen.get(t.name)! > 1) return failed(ErrorCode.INVALID_REQUEST, `Create topics request from client contains multiple entries for the following topics: ${t.name}`);
    if (!mayCreateAny && !access.topic(AclOperation.CREATE, t.name)) return failed(ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.');
    if (tooMany) return failed(ErrorCode.POLICY_VIOLATION, 'Excessively large number of partitions per request.');
    if (quota.limited && !req.validateOnly) {
      // Kafka spends the quota on a topic that passed its checks: a dry run first.
      const dry = await services.topics.createTopic(t, true);
      if (dry.topic && !quota.take(dry.topic.partitions.length, Date.now())) return failed(ErrorCode.THROTTLING_QUOTA_EXCEEDED, THROTTLED_MESSAGE);
    }
    const r = await services.topics.createTopic(t, req.validateOnly);
    if (!r.topic) return failed(r.errorCode, r.errorMessage);
    // Answered once this broker's replicas are open, as a client producing next expects.
    if (!req.validateOnly) await services.replicas.opened(t.name);
    return {
      name: t.name,
      topicId: req.validateOnly ? '0'.repeat(32) : r.topic.topicId,
      errorCode: ErrorCode.NONE,
      errorMessage: null,
      numPartitions: r.topic.partitions.length,
      replicationFactor: r.topic.partitions[0]!.replicas.length,
      // As Kafka: the configs only to a client that may DESCRIBE_CONFIGS the topic; otherwise the reason, in a tagged field.
      ...(access.topic(AclOperation.DESCRIBE_CONFIGS, t.name)
        ? { configs: describeTopicConfigs(services, r.topic, null, false).map((c) => ({
          name: c.name, value: c.value, readOnly: c.readOnly, configSource: c.configSource, isSensitive: c.isSensitive,
        })) }
        : { configs: null, topicConfigErrorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED }),
    };
  }
});
