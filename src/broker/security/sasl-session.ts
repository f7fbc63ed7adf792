// One connection's SASL exchange (Kafka's SaslServerAuthenticator): a handshake that
// picks an enabled mechanism, then its tokens in SaslAuthenticate requests (or, after a
// v0 handshake, as raw size-prefixed frames), until the client is authenticated as a
// principal or fails. Until then the connection takes nothing but ApiVersions,
// SaslHandshake and SaslAuthenticate.
import { ErrorCode } from '../../protocol/errors.js';
import type { ListenerSecurity } from './listener-security.js';
import { SaslFailure, type SaslMechanism } from './sasl-mechanisms.js';

export const SASL_HANDSHAKE = 17;
export const SASL_AUTHENTICATE = 36;
const API_VERSIONS = 18;

export type SaslAnswer = { errorCode: number; errorMessage: string | null; token: Buffer; close: boolean };

export class SaslSession {
  private state: 'handshake' | 'authenticate' | 'authenticated' | 'failed' = 'handshake';
  private exchange: SaslMechanism | null = null;
  /** After a v0 handshake the client sends its tokens as raw frames, not in SaslAuthenticate. */
  rawTokens = false;
  /** Who the client authenticated as (its User: principal's name). */
  principal: string | null = null;

  constructor(private readonly security: ListenerSecurity) {}

  get authenticated(): boolean {
    return this.state === 'authenticated';
  }

  /** Whether a request of this API may come before authentication completes. */
  allowsBeforeAuth(apiKey: number): boolean {
    return apiKey === API_VERSIONS || apiKey === SASL_HANDSHAKE || apiKey === SASL_AUTHENTICATE;
  }

  /** SaslHandshake: an enabled mechanism starts an exchange; any other is refused with the list, and the connection closes. */
  handshake(mechanism: string, version: number): { errorCode: number; mechanisms: string[]; close: boolean } {
    const mechanisms = [...this.security.mechanisms];
    if (this.state !== 'handshake') return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms, close: true };
    const exchange = this.security.mechanism(mechanism);
    if (!exchange) return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms, close: true };
    this.exchange = exchange;
    this.state = 'authenticate';
    this.rawTokens = version === 0;
    return { errorCode: ErrorCode.NONE, mechanisms, close: false };
  }

  /** One client token (SaslAuthenticate, or a raw frame after a v0 handshake): the server's answer. */
  authenticate(token: Buffer): SaslAnswer {
    if (this.state !== 'authenticate' || !this.exchange) {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'Unexpected SaslAuthenticate request: no SASL handshake in progress', token: Buffer.alloc(0), close: true };
    }
    try {
      const step = this.exchange.step(token);
      if (step.done) {
        this.state = 'authenticated';
        this.principal = step.principal;
        this.rawTokens = false;
      }
      return { errorCode: ErrorCode.NONE, errorMessage: null, token: step.token, close: false };
    } catch (e) {
      if (!(e instanceof SaslFailure)) throw e;
      this.state = 'failed';
      this.security.failures++;
      return { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: e.message, token: Buffer.alloc(0), close: true };
    }
  }
}
