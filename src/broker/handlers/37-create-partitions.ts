import { ErrorCode } from '../../protocol/errors.js';
import { createPartitionsRequest, createPartitionsResponse, type CreatePartitionsRequest, type CreatePartitionsResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';

export default defineApi<CreatePartitionsRequest, CreatePartitionsResponse>({ request: createPartitionsRequest, response: createPartitionsResponse }, async (broker, req) => {
  const counts = new Map<string, number>();
  for (const t of req.topics) counts.set(t.name, (counts.get(t.name) ?? 0) + 1);
  const results = [];
  for (const t of req.topics) results.push(await growOne(t));
  return { throttleTimeMs: 0, results };

  async function growOne(t: CreatePartitionsRequest['topics'][number]) {
    if (counts.get(t.name)! > 1) return { name: t.name, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Duplicate topic in request.' };
    const topic = broker.metadata.topics.get(t.name);
    if (!topic) return { name: t.name, errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: 'The topic does not exist.' };
    const r = await broker.createPartitions(topic, t.count, t.assignments ? t.assignments.map((a) => a.brokerIds) : null, req.validateOnly);
    return { name: t.name, ...r };
  }
});
