import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import type { Services } from '../services.js';

/**
 * One SASL token of the connection's exchange, and the server's answer. A failure answers
 * SASL_AUTHENTICATION_FAILED with Kafka's message, then closes the connection after
 * connection.failed.authentication.delay.ms. v1+ says how long the session lasts
 * (connections.max.reauth.ms or the token's expiry, KIP-368; 0: no limit); a new
 * handshake then re-authenticates on the same connection.
 */
export default defineApi(36, (services: Services<'config'>, req, ctx) => {
  const sasl = ctx.connection.sasl;
  if (!sasl || !sasl.expectsToken) {
    return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'SaslAuthenticate request received after successful authentication', authBytes: Buffer.alloc(0), sessionLifetimeMs: 0 };
  }
  const r = sasl.authenticate(req.authBytes, ctx.version);
  if (r.close) ctx.connection.closeAfterAnswers(r.errorCode === ErrorCode.SASL_AUTHENTICATION_FAILED ? services.config.int('connection.failed.authentication.delay.ms') : 0);
  return { errorCode: r.errorCode, errorMessage: r.errorMessage, authBytes: r.token, sessionLifetimeMs: sasl.authenticated ? sasl.sessionLifetimeMs : 0 };
});
