// The server side of the SASL mechanisms Kafka's brokers offer here: PLAIN (RFC 4616,
// checked against the listener's JAAS users), SCRAM-SHA-256/512 (RFC 5802/7677,
// checked against the cluster's credentials, whose keys are all it needs) and
// OAUTHBEARER (RFC 7628, unsecured JWS tokens as Kafka's default validator takes them). Each takes the
// client's tokens in turn and answers the next server token, or fails with Kafka's message.
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { decodeCredential, mechanismByName, SCRAM_MECHANISMS, type ScramCredential } from './scram-credentials.js';
import { decodeJws, INVALID_TOKEN } from './jwt-validator.js';

export class SaslFailure extends Error {}

/** A server token; when done, who authenticated, and (OAUTHBEARER) when the credential expires. */
export type Step = { token: Buffer; done: false } | { token: Buffer; done: true; principal: string; expiresAtMs?: number };

export interface SaslMechanism {
  step(token: Buffer): Step;
}

/** Kafka's PlainServerCallbackHandler: `authzid NUL authcid NUL passwd`; an authzid must be the authcid. */
export class PlainServer implements SaslMechanism {
  constructor(private readonly users: ReadonlyMap<string, string>) {}

  step(token: Buffer): Step {
    const parts = token.toString('utf8').split('\u0000');
    if (parts.length !== 3) throw new SaslFailure('Invalid SASL/PLAIN response: expected 3 tokens, got ' + parts.length);
    const [authzid, user, password] = parts as [string, string, string];
    if (user === '') throw new SaslFailure('Authentication failed: username not specified');
    if (password === '') throw new SaslFailure('Authentication failed: password not specified');
    const expected = this.users.get(user);
    if (expected === undefined || !same(Buffer.from(expected), Buffer.from(password))) throw new SaslFailure('Authentication failed: Invalid username or password');
    if (authzid !== '' && authzid !== user) throw new SaslFailure('Authentication failed: Client requested an authorization id that is different from username');
    return { token: Buffer.alloc(0), done: true, principal: user };
  }
}

const same = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

/** RFC 5802's SCRAM attribute list `a=value,b=value`. */
function attributes(s: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of s.split(',')) {
    if (part.length < 2 || part[1] !== '=') throw new SaslFailure(`Invalid SCRAM message: ${s}`);
    out.set(part[0]!, part.slice(2));
  }
  return out;
}

/** RFC 5802's saslname: `=2C` is a comma, `=3D` an equals sign. */
const saslName = (s: string) => s.replace(/=2C/g, ',').replace(/=3D/g, '=');

/** Kafka's ScramSaslServer: client-first, server-first, client-final (with its proof), server-final. */
export class ScramServer implements SaslMechanism {
  private state: 'first' | 'final' | 'done' = 'first';
  private user = '';
  private cred: ScramCredential | null = null;
  private clientFirstBare = '';
  private serverFirst = '';
  private nonce = '';
  private serverNonce = '';
  private readonly hash: 'sha256' | 'sha512';

  constructor(private readonly mechanism: string, private readonly credentials: ReadonlyMap<string, Readonly<Record<string, string>>>) {
    this.hash = SCRAM_MECHANISMS[mechanismByName(mechanism)!].hash;
  }

  private failed(): SaslFailure {
    return new SaslFailure(`Authentication failed during authentication due to invalid credentials with SASL mechanism ${this.mechanism}`);
  }

  step(token: Buffer): Step {
    const text = token.toString('utf8');
    if (this.state === 'first') {
      // gs2-header: no channel binding ("n"), no authzid or one equal to the user.
      const m = /^([ny]|p=[^,]*),([^,]*),(.*)$/.exec(text);
      if (!m || m[1]!.startsWith('p=')) throw new SaslFailure(`Invalid SCRAM client first message: ${text}`);
      this.clientFirstBare = m[3]!;
      const attrs = attributes(this.clientFirstBare);
      const user = attrs.get('n');
      const clientNonce = attrs.get('r');
      if (user === undefined || clientNonce === undefined || clientNonce === '') throw new SaslFailure(`Invalid SCRAM client first message: ${text}`);
      this.user = saslName(user);
      const authzid = m[2]!.startsWith('a=') ? saslName(m[2]!.slice(2)) : '';
      if (authzid !== '' && authzid !== this.user) throw new SaslFailure('Authentication failed: Client requested an authorization id that is different from username');
      const stored = this.credentials.get(this.user)?.[mechanismByName(this.mechanism)!];
      if (stored === undefined) throw this.failed();
      this.cred = decodeCredential(stored);
      this.serverNonce = randomBytes(24).toString('base64url');
      this.nonce = clientNonce + this.serverNonce;
      this.serverFirst = `r=${this.nonce},s=${this.cred.salt.toString('base64')},i=${this.cred.iterations}`;
      this.state = 'final';
      return { token: Buffer.from(this.serverFirst), done: false };
    }
    if (this.state !== 'final') throw new SaslFailure('Unexpected SCRAM message after authentication completed');
    const attrs = attributes(text);
    const proof = attrs.get('p');
    // Kafka checks only that the nonce ends with the server's part: librdkafka 2.0 sends its own nonce twice.
    if (!attrs.get('r')?.endsWith(this.serverNonce) || proof === undefined) throw new SaslFailure('Invalid client nonce in the final client message.');
    const withoutProof = text.slice(0, text.lastIndexOf(',p='));
    const authMessage = `${this.clientFirstBare},${this.serverFirst},${withoutProof}`;
    const cred = this.cred!;
    const signature = createHmac(this.hash, cred.storedKey).update(authMessage).digest();
    const given = Buffer.from(proof, 'base64');
    if (given.length !== signature.length) throw this.failed();
    const clientKey = Buffer.from(given.map((b, i) => b ^ signature[i]!));
    if (!same(createHash(this.hash).update(clientKey).digest(), cred.storedKey)) throw this.failed();
    this.state = 'done';
    const serverSignature = createHmac(this.hash, cred.serverKey).update(authMessage).digest();
    return { token: Buffer.from(`v=${serverSignature.toString('base64')}`), done: true, principal: this.user };
  }
}

/** The options of Kafka's OAuthBearerUnsecuredValidatorCallbackHandler (from the listener's OAUTHBEARER JAAS entry). */
export interface UnsecuredJwsOptions {
  principalClaim: string;
  scopeClaim: string;
  requiredScope: string[];
  allowableClockSkewMs: number;
}

/** A token's principal and expiry, or the JSON error of RFC 7628's challenge. */
export type TokenValidator = (token: string) => { principal: string; expiresAtMs: number } | { error: string };

/**
 * OAUTHBEARER (RFC 7628): the client's bearer token goes to the listener's validator
 * (Kafka's unsecured-JWS one below, or a signed JWT's: jwt-validator.ts). An invalid token
 * gets RFC 7628's JSON error as a challenge; the client's `%x01` acknowledgement then fails
 * the exchange with that JSON as the message, as Kafka's OAuthBearerSaslServer does.
 */
export class OAuthBearerServer implements SaslMechanism {
  private error: string | null = null;

  constructor(private readonly validate: TokenValidator) {}

  step(token: Buffer): Step {
    if (this.error !== null && token.length === 1 && token[0] === 1) throw new SaslFailure(this.error);
    this.error = null;
    // gs2-header, then key=value pairs each ended by %x01, and one more %x01.
    const m = /^(n|y|p=[^,]*),(a=[^,]*)?,\u0001(.*)\u0001\u0001$/s.exec(token.toString('utf8'));
    if (!m) throw new SaslFailure(INVALID_OAUTH);
    const kv = new Map(m[3]!.split('\u0001').map((p) => [p.slice(0, p.indexOf('=')), p.slice(p.indexOf('=') + 1)]));
    const auth = /^Bearer\s+(\S+)$/i.exec(kv.get('auth') ?? '');
    if (!auth) throw new SaslFailure(INVALID_OAUTH);
    const result = this.validate(auth[1]!);
    if ('error' in result) {
      this.error = result.error;
      return { token: Buffer.from(result.error), done: false };
    }
    const authzid = m[2]?.slice(2) ?? '';
    if (authzid !== '' && authzid !== result.principal) throw new SaslFailure(`Authentication failed: Client requested an authorization id (${authzid}) that is different from the token's principal name (${result.principal})`);
    return { token: Buffer.alloc(0), done: true, principal: result.principal, expiresAtMs: result.expiresAtMs };
  }
}

/**
 * Kafka's default validator of unsecured JWS tokens (alg "none"): the token must name its
 * principal (`sub`), not be expired, not be issued in the future, and carry the required scope.
 */
export function unsecuredJwsValidator(options: UnsecuredJwsOptions, now: () => number = Date.now): TokenValidator {
  return (jws) => {
    const invalid = { error: INVALID_TOKEN };
    const decoded = decodeJws(jws);
    if (!decoded || decoded.parts[2] !== '' || decoded.header.alg !== 'none') return invalid;
    const { claims } = decoded;
    const { principalClaim, scopeClaim, requiredScope, allowableClockSkewMs: skew } = options;
    const principal = claims[principalClaim];
    if (typeof principal !== 'string' || principal.trim() === '') return invalid;
    const exp = claims.exp;
    if (typeof exp !== 'number' || exp * 1000 + skew <= now()) return invalid;
    const iat = claims.iat;
    if (iat !== undefined && (typeof iat !== 'number' || iat * 1000 - skew > now())) return invalid;
    const scope = claims[scopeClaim];
    const scopes = typeof scope === 'string' ? scope.split(' ') : Array.isArray(scope) ? scope.map(String) : [];
    if (!requiredScope.every((s) => scopes.includes(s))) return { error: `{"status":"insufficient_scope", "scope":"[${requiredScope.join(', ')}]"}` };
    return { principal, expiresAtMs: exp * 1000 };
  };
}

const INVALID_OAUTH = 'Authentication failed during authentication due to invalid credentials with SASL mechanism OAUTHBEARER';
