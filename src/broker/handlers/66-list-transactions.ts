import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import type { Services } from '../services.js';
import { TXN_STATE_NAMES, type TxnStateId } from '../txn/records.js';

const KNOWN = new Set(Object.values(TXN_STATE_NAMES));

/** The transactional ids this broker coordinates, filtered by state, producer id and (v1, KIP-994) duration. */
export default defineApi(66, (services: Services<'txns'>, req, ctx) => {
  const unknownStateFilters = req.stateFilters.filter((s) => !KNOWN.has(s));
  const states = new Set(req.stateFilters.filter((s) => KNOWN.has(s)));
  // Only unknown states asked for: nothing can match.
  if (unknownStateFilters.length > 0 && states.size === 0) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates: [] };
  const listed = services.txns.list(states, new Set(req.producerIdFilters), ctx.version >= 1 ? req.durationFilter : -1, (s: TxnStateId) => TXN_STATE_NAMES[s]);
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    unknownStateFilters,
    transactionStates: listed.map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state })),
  };
});
