import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import type { Services } from '../services.js';

const GROUP = 0;

/** The coordinator of a group is the leader of its __consumer_offsets partition. */
async function locate(services: Services<'groups' | 'metadata' | 'topics'>, key: string, keyType: number): Promise<{ nodeId: number; host: string; port: number; errorCode: number; errorMessage: string | null }> {
  if (keyType !== GROUP) return { nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: 'Transactions are not supported by this broker' };
  if (!key) return { nodeId: -1, host: '', port: -1, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Group id must not be empty' };
  const topic = await services.topics.ensureOffsetsTopic();
  const p = topic?.partitions[services.groups.manager.partitionFor(key)];
  const node = p && services.metadata.brokers.get(p.leader);
  if (!node) return { nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: null };
  return { nodeId: node.nodeId, host: node.host, port: node.port, errorCode: ErrorCode.NONE, errorMessage: null };
}

export default defineApi(10, async (services: Services<'groups' | 'metadata' | 'topics'>, req, ctx) => {
  if (ctx.version >= 4) {
    const coordinators = [];
    for (const key of req.coordinatorKeys) coordinators.push({ key, ...await locate(services, key, req.keyType) });
    return { throttleTimeMs: 0, coordinators };
  }
  return { throttleTimeMs: 0, ...await locate(services, req.key, req.keyType) };
});
