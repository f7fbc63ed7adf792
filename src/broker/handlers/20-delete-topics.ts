import { ERROR_MESSAGES, ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';
import { THROTTLED_MESSAGE } from '../quotas/client-quotas.js';
import { quotaClient } from '../quotas/request-quotas.js';

export default defineApi(20, async (services: Services<'config' | 'metadata' | 'topics' | 'quotas' | 'authorizer'>, req, ctx) => {
  const access = services.authorizer.access(ctx.connection);
  const wanted = ctx.version >= 6 ? req.topics : req.topicNames.map((name) => ({ name, topicId: '0'.repeat(32) }));
  // controller_mutation_rate, strict from v5 (KIP-599).
  const quota = services.quotas.mutations(quotaClient(ctx.header.clientId, ctx.connection.principal), ctx.version >= 5);
  const responses = [];
  for (const w of wanted) responses.push(await deleteOne(w));
  return { throttleTimeMs: quota.throttleMs, responses };

  async function deleteOne(w: { name: string | null; topicId: string }) {
    const byId = w.name === null;
    // DELETE on the topic, checked before whether it exists: a name tells nothing to a client that may not delete it.
    if (!byId && !access.topic(AclOperation.DELETE, w.name!)) return { name: w.name, topicId: w.topicId, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: ERROR_MESSAGES[ErrorCode.TOPIC_AUTHORIZATION_FAILED]! };
    const t = byId ? services.metadata.topicsById.get(w.topicId) : services.metadata.topics.get(w.name!);
    if (t && byId && !access.topic(AclOperation.DELETE, t.name)) return { name: null, topicId: w.topicId, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: ERROR_MESSAGES[ErrorCode.TOPIC_AUTHORIZATION_FAILED]! };
    if (!t) {
      return {
        name: w.name, topicId: w.topicId,
        errorCode: byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: byId ? 'This server does not host this topic ID.' : 'This server does not host this topic-partition.',
      };
    }
    if (!services.config.bool('delete.topic.enable')) {
      return { name: t.name, topicId: t.topicId, errorCode: ErrorCode.TOPIC_DELETION_DISABLED, errorMessage: 'Topic deletion is disabled.' };
    }
    if (!quota.take(t.partitions.length, Date.now())) {
      return { name: t.name, topicId: t.topicId, errorCode: ErrorCode.THROTTLING_QUOTA_EXCEEDED, errorMessage: THROTTLED_MESSAGE };
    }
    await services.topics.deleteTopic(t.name);
    return { name: t.name, topicId: t.topicId, errorCode: ErrorCode.NONE, errorMessage: null };
  }
});
