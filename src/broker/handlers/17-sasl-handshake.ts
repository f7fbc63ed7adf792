import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import type { Services } from '../services.js';

/**
 * Picks the SASL mechanism of the connection's exchange (sasl-session.ts). An unknown one
 * is refused with the enabled list and the connection closes; on a PLAINTEXT listener, or
 * in the middle of an exchange, Kafka answers ILLEGAL_SASL_STATE. Once authenticated, a
 * handshake begins a re-authentication (KIP-368) with the same mechanism.
 */
export default defineApi(17, (_services: Services<never>, req, ctx) => {
  const sasl = ctx.connection.sasl;
  if (!sasl || !sasl.expectsHandshake) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms: [] };
  const r = sasl.handshake(req.mechanism, ctx.version);
  if (r.close) ctx.connection.closeAfterAnswers(0);
  return { errorCode: r.errorCode, mechanisms: r.mechanisms };
});
