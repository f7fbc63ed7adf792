import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import type { Services } from '../services.js';

/**
 * Commits or aborts the producer's transaction: answered once the decision is in the
 * transaction log; the markers follow. v5 (KIP-890 part 2: an epoch bump per transaction)
 * belongs to transaction version 2, which this broker does not finalize.
 */
export default defineApi(26, async (services: Services<'txns'>, req, ctx) => {
  const fenced = ctx.version >= 2 ? ErrorCode.PRODUCER_FENCED : ErrorCode.INVALID_PRODUCER_EPOCH;
  const errorCode = await services.txns.endTxn(req.transactionalId, req.producerId, req.producerEpoch, req.committed, fenced);
  return { throttleTimeMs: 0, errorCode };
}, { max: 4 });
