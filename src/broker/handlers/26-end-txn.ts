import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';

/**
 * Commits or aborts the producer's transaction: answered once the decision is in the
 * transaction log; the markers follow. v5 is transaction version 2 (KIP-890 part 2): the
 * producer's epoch is bumped, and the answer gives the id and epoch to go on with.
 */
export default defineApi(26, async (services: Services<'txns' | 'authorizer'>, req, ctx) => {
  if (!services.authorizer.access(ctx.connection).transactionalId(AclOperation.WRITE, req.transactionalId)) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, producerId: -1, producerEpoch: -1 };
  }
  if (ctx.version >= 5) {
    const r = await services.txns.endTxnV2(req.transactionalId, req.producerId, req.producerEpoch, req.committed);
    return { throttleTimeMs: 0, ...r };
  }
  const fenced = ctx.version >= 2 ? ErrorCode.PRODUCER_FENCED : ErrorCode.INVALID_PRODUCER_EPOCH;
  const errorCode = await services.txns.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed, fenced);
  return { throttleTimeMs: 0, errorCode };
});
