// One connection's SASL exchange (Kafka's SaslServerAuthenticator): a handshake that
// picks an enabled mechanism, then its tokens in SaslAuthenticate requests (or, after a
// v0 handshake, as raw size-prefixed frames), until the client is authenticated as a
// principal or fails. Until then the connection takes nothing but ApiVersions,
// SaslHandshake and SaslAuthenticate. With connections.max.reauth.ms (KIP-368) a session
// lasts that long (less, for an OAUTHBEARER token that expires sooner): the client
// re-authenticates on the same connection, with the same mechanism as the same principal,
// or its next request after the session ends closes the connection.
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
  /** The mechanism of the first authentication: a re-authentication must use it again. */
  private mechanism: string | null = null;
  /** When the session ends (ms since the epoch); null: never. */
  private expiresAt: number | null = null;
  /** After a v0 handshake the client sends its tokens as raw frames, not in SaslAuthenticate. */
  rawTokens = false;
  /** Who the client authenticated as (its User: principal's name); kept through a re-authentication. */
  principal: string | null = null;
  /** How long the session lasts, as the last SaslAuthenticate v1+ told the client (0: no limit). */
  sessionLifetimeMs = 0;
  /** Whether the client can re-authenticate: it authenticated with SaslAuthenticate v1+, as Kafka decides it. */
  private reauthenticates = false;

  /** `maxReauthMs` is connections.max.reauth.ms (0: sessions do not expire). */
  constructor(private readonly security: ListenerSecurity, private readonly maxReauthMs = 0, private readonly now: () => number = Date.now) {}

  /** Whether requests other than the SASL ones may be served: authenticated and the session not over. */
  get authenticated(): boolean {
    return this.principal !== null && this.state !== 'failed' && (this.expiresAt === null || this.now() < this.expiresAt);
  }

  /** Whether a SaslHandshake may come now: before the first authentication, or to re-authenticate. */
  get expectsHandshake(): boolean {
    return this.state === 'handshake' || (this.state === 'authenticated' && this.reauthenticates);
  }

  /** Whether a SaslAuthenticate may come now: a handshake has begun an exchange. */
  get expectsToken(): boolean {
    return this.state === 'authenticate';
  }

  /** Whether a request of this API may come before authentication completes. */
  allowsBeforeAuth(apiKey: number): boolean {
    return apiKey === API_VERSIONS || apiKey === SASL_HANDSHAKE || apiKey === SASL_AUTHENTICATE;
  }

  /** SaslHandshake: an enabled mechanism starts an exchange; any other is refused with the list, and the connection closes. */
  handshake(mechanism: string, version: number): { errorCode: number; mechanisms: string[]; close: boolean } {
    const mechanisms = [...this.security.mechanisms];
    if (!this.expectsHandshake) return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, mechanisms, close: true };
    const exchange = this.security.mechanism(mechanism);
    // A re-authentication keeps the mechanism it began with.
    if (!exchange || (this.mechanism !== null && mechanism !== this.mechanism)) return { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, mechanisms, close: true };
    this.exchange = exchange;
    this.mechanism = mechanism;
    this.state = 'authenticate';
    this.rawTokens = version === 0;
    return { errorCode: ErrorCode.NONE, mechanisms, close: false };
  }

  /**
   * One client token (SaslAuthenticate, or a raw frame after a v0 handshake): the server's
   * answer. `version` is the SaslAuthenticate version (-1 for a raw token).
   */
  authenticate(token: Buffer, version: number): SaslAnswer {
    if (this.state !== 'authenticate' || !this.exchange) {
      return { errorCode: ErrorCode.ILLEGAL_SASL_STATE, errorMessage: 'Unexpected SaslAuthenticate request: no SASL handshake in progress', token: Buffer.alloc(0), close: true };
    }
    try {
      const step = this.exchange.step(token);
      if (step.done) {
        if (this.principal !== null && step.principal !== this.principal) {
          throw new SaslFailure(`Cannot change principals during re-authentication from User:${this.principal}: User:${step.principal}`);
        }
        this.state = 'authenticated';
        this.principal = step.principal;
        this.rawTokens = false;
        this.reauthenticates = version >= 1;
        this.startSession(step.expiresAtMs);
      }
      return { errorCode: ErrorCode.NONE, errorMessage: null, token: step.token, close: false };
    } catch (e) {
      if (!(e instanceof SaslFailure)) throw e;
      this.state = 'failed';
      this.principal = null;
      this.security.failures++;
      return { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: e.message, token: Buffer.alloc(0), close: true };
    }
  }

  /** Kafka's session lifetime: connections.max.reauth.ms, or less when the credential expires first; none when that config is 0. */
  private startSession(credentialExpiresAt: number | undefined): void {
    if (this.maxReauthMs <= 0) {
      this.expiresAt = null;
      this.sessionLifetimeMs = 0;
      return;
    }
    const now = this.now();
    this.sessionLifetimeMs = Math.max(0, Math.min(this.maxReauthMs, credentialExpiresAt === undefined ? Infinity : credentialExpiresAt - now));
    this.expiresAt = now + this.sessionLifetimeMs;
  }
}
