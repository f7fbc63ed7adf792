import { ErrorCode } from '../../protocol/errors.js';
import { findCoordinatorRequest, findCoordinatorResponse, type FindCoordinatorRequest, type FindCoordinatorResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';
import type { Broker } from '../broker.js';

const GROUP = 0;

/** The coordinator of a group is the leader of its __consumer_offsets partition. */
function locate(broker: Broker, key: string, keyType: number): { nodeId: number; host: string; port: number; errorCode: number; errorMessage: string | null } {
  if (keyType !== GROUP) return { nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: 'Transactions are not supported by this broker' };
  if (!key) return { nodeId: -1, host: '', port: -1, errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Group id must not be empty' };
  const p = broker.offsetsTopic().partitions[broker.groups.partitionFor(key)]!;
  const node = broker.liveBrokers().find((b) => b.nodeId === p.leader);
  if (!node) return { nodeId: -1, host: '', port: -1, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, errorMessage: null };
  return { nodeId: node.nodeId, host: node.host, port: node.port, errorCode: ErrorCode.NONE, errorMessage: null };
}

export default defineApi<FindCoordinatorRequest, FindCoordinatorResponse>({ request: findCoordinatorRequest, response: findCoordinatorResponse }, (broker, req, ctx) => {
  if (ctx.version >= 4) {
    return { throttleTimeMs: 0, coordinators: req.coordinatorKeys.map((key) => ({ key, ...locate(broker, key, req.keyType) })) };
  }
  return { throttleTimeMs: 0, ...locate(broker, req.key, req.keyType) };
});
