import { ErrorCode } from '../../protocol/errors.js';
import { findCoordinatorRequest, findCoordinatorResponse, type FindCoordinatorRequest, type FindCoordinatorResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';
import type { Broker } from '../broker.js';

const GROUP = 0;

/** The coordinator of a group is the leader of its __consumer_offsets partition. */
async function locate(broker: Broker, key: string, keyType: number): Promise<{ nodeId: number; host: string; port: number; errorCode: number; errorMessage: string | null }> {
  if (keyType !== GROUP) return { nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: 'Transactions are not supported by this broker' };
  if (!key) return { nodeId: -1, host: '', port: -1, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Group id must not be empty' };
  const topic = await broker.ensureOffsetsTopic();
  const p = topic?.partitions[broker.groups.partitionFor(key)];
  const node = p && broker.metadata.brokers.get(p.leader);
  if (!node) return { nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: null };
  return { nodeId: node.nodeId, host: node.host, port: node.port, errorCode: ErrorCode.NONE, errorMessage: null };
}

export default defineApi<FindCoordinatorRequest, FindCoordinatorResponse>({ request: findCoordinatorRequest, response: findCoordinatorResponse }, async (broker, req, ctx) => {
  if (ctx.version >= 4) {
    const coordinators = [];
    for (const key of req.coordinatorKeys) coordinators.push({ key, ...await locate(broker, key, req.keyType) });
    return { throttleTimeMs: 0, coordinators };
  }
  return { throttleTimeMs: 0, ...await locate(broker, req.key, req.keyType) };
});
