import { ErrorCode } from '../../protocol/errors.js';
import type { CreatePartitionsRequest } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';
import { MAX_PARTITIONS_PER_REQUEST } from '../topic-admin.js';
import { THROTTLED_MESSAGE } from '../quotas/client-quotas.js';
import { quotaClient } from '../quotas/request-quotas.js';

export default defineApi(37, async (services: Services<'metadata' | 'topics' | 'replicas' | 'quotas' | 'authorizer'>, req, ctx) => {
  const access = services.authorizer.access(ctx.connection);
  const counts = new Map<string, number>();
  for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  // As Kafka's controller: more new partitions in all than one operation may write is
  // refused whole (its bounded record list), before any topic grows.
  let added = 0;
  for (const t of req.topics) {
    const current = services.metadata.topics.get(t.name)?.partitions.length;
    if (counts.get(t.name) === 1 && current !== undefined && t.count > current) added += t.count - current;
  }
  // controller_mutation_rate, strict from v3 (KIP-599).
  const quota = services.quotas.mutations(quotaClient(ctx.header.clientId, ctx.connection.principal), ctx.version >= 3);
  const results = [];
  for (const t of req.topics) results.push(await growOne(t));
  return { throttleTimeMs: quota.throttleMs, results };

  async function growOne(t: CreatePartitionsRequest['topics'][number]) {
    if (counts.get(t.name)! > 1) return { name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' };
    if (added > MAX_PARTITIONS_PER_REQUEST) return { name: t.name, errorCode: ErrorCode.POLICY_VIOLATION, errorMessage: 'Unable to perform excessively large batch operation.' };
    if (!access.topic(AclOperation.ALTER, t.name)) return { name: t.name, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null };
    const topic = services.metadata.topics.get(t.name);
    if (!topic) return { name: t.name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'The topic does not exist.' };
    const assignments = t.assignments ? t.assignments.map((a) => a.brokerIds) : null;
    if (quota.limited && !req.validateOnly) {
      // Spent on a request that passed its checks: a dry run first.
      const dry = await services.topics.createPartitions(topic, t.count, assignments, true);
      if (dry.errorCode === ErrorCode.NONE && !quota.take(t.count - topic.partitions.length, Date.now())) {
        return { name: t.name, errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED, errorMessage: THROTTLED_MESSAGE };
      }
    }
    const r = await services.topics.createPartitions(topic, t.count, assignments, req.validateOnly);
    if (!req.validateOnly && r.errorCode === 0) await services.replicas.opened(t.name);
    return { name: t.name, ...r };
  }
});
