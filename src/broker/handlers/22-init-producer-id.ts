import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import type { Services } from '../services.js';

const MAX_EPOCH = 32767;

/**
 * Idempotent producers get a fresh id, or (KIP-360, v3+) the same id with the epoch
 * bumped when they name the one they had. A transactional id goes to its transaction
 * coordinator, which fences earlier producers of the id.
 */
export default defineApi(22, async (services: Services<'producerIds' | 'txns' | 'authorizer'>, req, ctx) => {
  // A transactional id takes WRITE on it; an idempotent producer, IDEMPOTENT_WRITE on the cluster or WRITE on some topic.
  const access = services.authorizer.access(ctx.connection);
  const denied = req.transactionalId !== null
    ? !access.transactionalId(AclOperation.WRITE, req.transactionalId) && ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
    : !access.cluster(AclOperation.IDEMPOTENT_WRITE) && !access.anyOf(AclOperation.WRITE, ResourceType.TOPIC) && ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
  if (denied) return { throttleTimeMs: 0, errorCode: denied, producerId: -1, producerEpoch: -1 };
  if (req.transactionalId !== null) {
    const r = await services.txns.initProducerId(req.transactionalId, req.transactionTimeoutMs, { producerId: req.producerId, producerEpoch: req.producerEpoch });
    return { throttleTimeMs: 0, ...r };
  }
  if (req.producerId >= 0 && req.producerEpoch >= 0 && req.producerEpoch < MAX_EPOCH - 1) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: req.producerId, producerEpoch: req.producerEpoch + 1 };
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: await services.producerIds.allocate(), producerEpoch: 0 };
});
