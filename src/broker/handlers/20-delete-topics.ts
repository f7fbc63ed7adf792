import { ErrorCode } from '../../protocol/errors.js';
import { deleteTopicsRequest, deleteTopicsResponse, type DeleteTopicsRequest, type DeleteTopicsResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';

export default defineApi<DeleteTopicsRequest, DeleteTopicsResponse>({ request: deleteTopicsRequest, response: deleteTopicsResponse }, async (broker, req, ctx) => {
  const wanted = ctx.version >= 6 ? req.topics : req.topicNames.map((name) => ({ name, topicId: '0'.repeat(32) }));
  const responses = [];
  for (const w of wanted) responses.push(await deleteOne(w));
  return { throttleTimeMs: 0, responses };

  async function deleteOne(w: { name: string | null; topicId: string }) {
    const byId = w.name === null;
    const t = byId ? broker.metadata.topicsById.get(w.topicId) : broker.metadata.topics.get(w.name!);
    if (!t) {
      return {
        name: w.name, topicId: w.topicId,
        errorCode: byId ? ErrorCode.UNKNOWN_TOPIC_ID : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION,
        errorMessage: byId ? 'This server does not host this topic ID.' : 'This server does not host this topic-partition.',
      };
    }
    if (!broker.config.bool('delete.topic.enable')) {
      return { name: t.name, topicId: t.topicId, errorCode: ErrorCode.TOPIC_DELETION_DISABLED, errorMessage: 'Topic deletion is disabled.' };
    }
    await broker.deleteTopic(t.name);
    return { name: t.name, topicId: t.topicId, errorCode: ErrorCode.NONE, errorMessage: null };
  }
});
