// The client side of the SASL mechanisms, for this broker's own connections to the others
// on a SASL inter-broker listener: PLAIN (RFC 4616), SCRAM-SHA-256/512 (RFC 5802/7677,
// the server's final signature checked) and OAUTHBEARER with an unsecured token, as
// Kafka's OAuthBearerUnsecuredLoginCallbackHandler makes one from its JAAS options.
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { credentialFrom, mechanismByName, type MechanismType, SCRAM_MECHANISMS, saltedPassword } from './scram-credentials.js';
import type { SaslMechanism } from './sasl-mechanisms.js';

export interface SaslClient {
  readonly mechanism: string;
  /** The first client token. */
  first(): Buffer;
  /** The answer to a server token; null once the exchange is complete. Throws when the server's token is wrong. */
  next(server: Buffer): Buffer | null;
}

export class PlainClient implements SaslClient {
  readonly mechanism = 'PLAIN';
  constructor(private readonly user: string, private readonly password: string) {}
  first(): Buffer {
    return Buffer.from(`\u0000${this.user}\u0000${this.password}`);
  }
  next(): null {
    return null;
  }
}

/** RFC 5802's saslname: a comma is `=2C`, an equals sign `=3D`. */
const saslName = (s: string) => s.replace(/=/g, '=3D').replace(/,/g, '=2C');

export class ScramClient implements SaslClient {
  private readonly type: MechanismType;
  private readonly firstBare: string;
  private readonly clientNonce: string;
  /** The server-final message the exchange must end with, once the client-final is made. */
  expectedServerFinal: string | null = null;

  constructor(readonly mechanism: string, user: string, private readonly password: string, nonce = randomBytes(24).toString('base64url')) {
    const type = mechanismByName(mechanism);
    if (type === null) throw new Error(`${mechanism} is not a SCRAM mechanism`);
    this.type = type;
    this.clientNonce = nonce;
    this.firstBare = `n=${saslName(user)},r=${nonce}`;
  }

  first(): Buffer {
    return Buffer.from(`n,,${this.firstBare}`);
  }

  next(server: Buffer): Buffer | null {
    const text = server.toString('utf8');
    if (this.expectedServerFinal !== null) {
      const given = Buffer.from(text);
      const expected = Buffer.from(this.expectedServerFinal);
      if (given.length !== expected.length || !timingSafeEqual(given, expected)) throw new Error(`${this.mechanism}: the server's signature is wrong`);
      return null;
    }
    const attrs = new Map(text.split(',').map((p) => [p.slice(0, 1), p.slice(2)]));
    const nonce = attrs.get('r');
    const salt = attrs.get('s');
    const iterations = Number(attrs.get('i'));
    if (!nonce?.startsWith(this.clientNonce) || salt === undefined || !Number.isInteger(iterations) || iterations < 1) throw new Error(`${this.mechanism}: invalid server-first message`);
    const salted = saltedPassword(this.type, this.password, Buffer.from(salt, 'base64'), iterations);
    const { storedKey, serverKey } = credentialFrom(this.type, Buffer.alloc(0), salted, iterations);
    const hash = SCRAM_MECHANISMS[this.type].hash;
    const hmac = (key: Buffer, s: string) => createHmac(hash, key).update(s).digest();
    const withoutProof = `c=biws,r=${nonce}`;
    const authMessage = `${this.firstBare},${text},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    // ClientProof = ClientKey XOR ClientSignature; the client key is HMAC(salted, "Client Key").
    const clientKey = hmac(salted, 'Client Key');
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
    this.expectedServerFinal = `v=${hmac(serverKey, authMessage).toString('base64')}`;
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
  }
}

/** OAUTHBEARER (RFC 7628) with a bearer token in hand. */
export class OAuthBearerClient implements SaslClient {
  readonly mechanism = 'OAUTHBEARER';
  constructor(private readonly token: () => string) {}

  first(): Buffer {
    return Buffer.from(`n,,\u0001auth=Bearer ${this.token()}\u0001\u0001`);
  }

  next(server: Buffer): null {
    // A non-empty answer is RFC 7628's error challenge: the exchange has failed.
    if (server.length > 0) throw new Error(`OAUTHBEARER refused: ${server.toString('utf8')}`);
    return null;
  }
}

/**
 * OAUTHBEARER with an unsecured JWS (alg "none") made from the JAAS options Kafka's
 * OAuthBearerUnsecuredLoginCallbackHandler reads: `unsecuredLoginStringClaim_<name>`,
 * `unsecuredLoginNumberClaim_<name>`, `unsecuredLoginListClaim_<name>` (its first character
 * the separator) and `unsecuredLoginLifetimeSeconds` (3600 by default).
 */
export class UnsecuredOAuthClient extends OAuthBearerClient {
  constructor(private readonly options: Readonly<Record<string, string>>, private readonly now: () => number = Date.now) {
    super(() => {
      const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return `${part({ alg: 'none' })}.${part(this.claims())}.`;
    });
  }

  /** The token's claims; throws when no principal is named. */
  claims(): Record<string, unknown> {
    const o = this.options;
    const iat = Math.floor(this.now() / 1000);
    const claims: Record<string, unknown> = { iat, exp: iat + Number(o.unsecuredLoginLifetimeSeconds ?? 3600) };
    for (const [k, v] of Object.entries(o)) {
      const m = /^unsecuredLogin(String|Number|List)Claim_(.+)$/.exec(k);
      if (!m) continue;
      claims[m[2]!] = m[1] === 'String' ? v : m[1] === 'Number' ? Number(v) : v.slice(1).split(v.slice(0, 1)).filter(Boolean);
    }
    const sub = o.unsecuredLoginPrincipalClaimName ?? 'sub';
    if (typeof claims[sub] !== 'string') throw new Error(`OAUTHBEARER: the JAAS entry names no principal (unsecuredLoginStringClaim_${sub})`);
    return claims;
  }
}

/** Runs a whole exchange between a client and a server in this process; the principal the server settles on. Throws when either side refuses. */
export function authenticateWith(client: SaslClient, server: SaslMechanism): string {
  let token: Buffer | null = client.first();
  for (let round = 0; token !== null && round < 4; round++) {
    const step = server.step(token);
    token = client.next(step.token);
    if (step.done) return step.principal;
  }
  throw new Error(`${client.mechanism}: the exchange did not end`);
}
