import { ErrorCode } from '../../protocol/errors.js';
import type { CreatePartitionsRequest } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';
import type { Services } from '../services.js';

export default defineApi(37, async (services: Services<'metadata' | 'topics'>, req) => {
  const counts = new Map<string, number>();
  for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  const results = [];
  for (const t of req.topics) results.push(await growOne(t));
  return { throttleTimeMs: 0, results };

  async function growOne(t: CreatePartitionsRequest['topics'][number]) {
    if (counts.get(t.name)! > 1) return { name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' };
    const topic = services.metadata.topics.get(t.name);
    if (!topic) return { name: t.name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'The topic does not exist.' };
    const r = await services.topics.createPartitions(topic, t.count, t.assignments ? t.assignments.map((a) => a.brokerIds) : null, req.validateOnly);
    return { name: t.name, ...r };
  }
});
