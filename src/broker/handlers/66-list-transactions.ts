import { RE2JS } from 're2js';
import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';
import { TXN_STATE_NAMES, type TxnStateId } from '../txn/records.js';

const KNOWN = new Set(Object.values(TXN_STATE_NAMES));

/** A transactional id pattern (v2, KIP-1152), compiled as Kafka compiles it with RE2/J; null for none, 'invalid' when it does not compile. */
function idPattern(source: string | null): RE2JS | null | 'invalid' {
  if (!source) return null;
  try {
    return RE2JS.compile(source);
  } catch {
    return 'invalid';
  }
}

/**
 * The transactional ids this broker coordinates, filtered by state, producer id, (v1,
 * KIP-994) duration and (v2) an id pattern the whole id must match.
 */
export default defineApi(66, (services: Services<'txns' | 'authorizer'>, req, ctx) => {
  const access = services.authorizer.access(ctx.connection);
  const pattern = idPattern(ctx.version >= 2 ? req.transactionalIdPattern : null);
  if (pattern === 'invalid') return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_REGULAR_EXPRESSION, unknownStateFilters: [], transactionStates: [] };
  const unknownStateFilters = req.stateFilters.filter((s) => !KNOWN.has(s));
  const states = new Set(req.stateFilters.filter((s) => KNOWN.has(s)));
  // Only unknown states asked for: nothing can match.
  if (unknownStateFilters.length > 0 && states.size === 0) return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, unknownStateFilters, transactionStates: [] };
  const listed = services.txns.list(states, new Set(req.producerIdFilters), ctx.version >= 1 ? req.durationFilter : -1, (s: TxnStateId) => TXN_STATE_NAMES[s])
    .filter((t) => (pattern === null || pattern.matches(t.transactionalId)) && access.transactionalId(AclOperation.DESCRIBE, t.transactionalId));
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    unknownStateFilters,
    transactionStates: listed.map((t) => ({ transactionalId: t.transactionalId, producerId: t.producerId, transactionState: t.state })),
  };
});
