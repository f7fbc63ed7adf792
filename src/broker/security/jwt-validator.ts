// Kafka's OAuthBearerValidatorCallbackHandler for OAUTHBEARER: a signed JWT checked
// against the identity provider's keys (a JWKS from `sasl.oauthbearer.jwks.endpoint.url`,
// a file: or http(s): URL, refreshed every `sasl.oauthbearer.jwks.endpoint.refresh.ms`),
// then its claims: exp (required), iat and nbf within the clock skew, the expected issuer
// and audience when configured, and a subject in `sasl.oauthbearer.sub.claim.name`.
// Signatures are RSA (RS*/PS*) and ECDSA (ES*) checked by node:crypto; keys are parsed once.
import { createPublicKey, type JsonWebKey, type KeyObject, constants, verify } from 'node:crypto';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { ConfigError } from '../config.js';

export interface JwtOptions {
  expectedAudience: string[];
  expectedIssuer: string | null;
  subClaim: string;
  scopeClaim: string;
  clockSkewMs: number;
}

/** A token's principal and expiry, or the JSON error RFC 7628's challenge carries. */
export type Validation = { principal: string; expiresAtMs: number } | { error: string };

export const INVALID_TOKEN = '{"status":"invalid_token"}';

const ALGORITHMS: Record<string, { hash: string; kty: 'RSA' | 'EC'; pss?: boolean }> = {
  RS256: { hash: 'sha256', kty: 'RSA' }, RS384: { hash: 'sha384', kty: 'RSA' }, RS512: { hash: 'sha512', kty: 'RSA' },
  PS256: { hash: 'sha256', kty: 'RSA', pss: true }, PS384: { hash: 'sha384', kty: 'RSA', pss: true }, PS512: { hash: 'sha512', kty: 'RSA', pss: true },
  ES256: { hash: 'sha256', kty: 'EC' }, ES384: { hash: 'sha384', kty: 'EC' }, ES512: { hash: 'sha512', kty: 'EC' },
};

interface Key { kid: string | undefined; kty: string; key: KeyObject }

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A compact JWS's three parts with its header and claims as JSON objects, or null when it is not one. */
export function decodeJws(token: string): { parts: [string, string, string]; header: Record<string, unknown>; claims: Record<string, unknown> } | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  try {
    const header: unknown = JSON.parse(Buffer.from(parts[0]!, 'base64url').toString('utf8'));
    const claims: unknown = JSON.parse(Buffer.from(parts[1]!, 'base64url').toString('utf8'));
    return isObject(header) && isObject(claims) ? { parts: parts as [string, string, string], header, claims } : null;
  } catch {
    return null;
  }
}

/** The public keys of a JWKS document; keys Node cannot read are skipped, as a JWKS may list kinds a verifier does not use. */
export function parseJwks(text: string): Key[] {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    throw new ConfigError('the JWKS is not JSON');
  }
  if (!isObject(doc) || !Array.isArray(doc.keys)) throw new ConfigError('the JWKS has no "keys" array');
  return doc.keys.flatMap((k: unknown): Key[] => {
    if (!isObject(k) || typeof k.kty !== 'string') return [];
    try {
      return [{ kid: typeof k.kid === 'string' ? k.kid : undefined, kty: k.kty, key: createPublicKey({ key: k as JsonWebKey, format: 'jwk' }) }];
    } catch {
      return [];
    }
  });
}

/** Checks a compact JWS against `keys` and its claims against `options`. */
export function validateJwt(token: string, keys: readonly Key[], options: JwtOptions, now: number): Validation {
  const invalid = { error: INVALID_TOKEN };
  const jws = decodeJws(token);
  const alg = jws && typeof jws.header.alg === 'string' ? ALGORITHMS[jws.header.alg] : undefined;
  if (!jws || !alg) return invalid;
  const { parts, header, claims } = jws;
  const signed = Buffer.from(`${parts[0]}.${parts[1]}`);
  const signature = Buffer.from(parts[2], 'base64url');
  const candidates = keys.filter((k) => k.kty === alg.kty && (header.kid === undefined || k.kid === header.kid));
  const verified = candidates.some((k) => {
    try {
      return verify(alg.hash, signed, alg.pss
        ? { key: k.key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: constants.RSA_PSS_SALTLEN_DIGEST }
        : { key: k.key, dsaEncoding: 'ieee-p1363' }, signature);
    } catch {
      return false;
    }
  });
  if (!verified) return invalid;
  const skew = options.clockSkewMs;
  const exp = claims.exp;
  if (typeof exp !== 'number' || exp * 1000 + skew <= now) return invalid;
  for (const early of ['iat', 'nbf']) {
    const at = claims[early];
    if (at !== undefined && (typeof at !== 'number' || at * 1000 - skew > now)) return invalid;
  }
  if (options.expectedIssuer !== null && claims.iss !== options.expectedIssuer) return invalid;
  if (options.expectedAudience.length > 0) {
    const aud = typeof claims.aud === 'string' ? [claims.aud] : Array.isArray(claims.aud) ? claims.aud : [];
    if (!aud.some((a) => options.expectedAudience.includes(String(a)))) return invalid;
  }
  const principal = claims[options.subClaim];
  if (typeof principal !== 'string' || principal.trim() === '') return invalid;
  return { principal, expiresAtMs: exp * 1000 };
}

/** The current keys of a JWKS URL, and how to stop refreshing them. */
export interface JwksSource {
  keys(): readonly Key[];
  stop(): void;
}

/**
 * The keys at a JWKS URL, kept current: a file: URL is read now and again when the file
 * changes; an http(s): URL is fetched now and every `refreshMs` (until it answers, tokens
 * are refused, as Kafka's are while its JWKS is unavailable).
 */
export function jwksSource(url: string, refreshMs: number, log: (message: string) => void): JwksSource {
  if (url.startsWith('file:')) {
    const file = fileURLToPath(url);
    let mtime = -1;
    let keys: Key[] = [];
    const load = () => {
      const stat = fs.statSync(file, { throwIfNoEntry: false });
      if (!stat) throw new ConfigError(`sasl.oauthbearer.jwks.endpoint.url: no file ${file}`);
      if (stat.mtimeMs !== mtime) {
        keys = parseJwks(fs.readFileSync(file, 'utf8'));
        mtime = stat.mtimeMs;
      }
      return keys;
    };
    load();
    const current = () => {
      try {
        return load();
      } catch (e) {
        log(`JWKS ${file} could not be read again; keeping the keys read before: ${(e as Error).message}`);
        return keys;
      }
    };
    return { keys: current, stop: () => undefined };
  }
  if (!/^https?:/.test(url)) throw new ConfigError(`sasl.oauthbearer.jwks.endpoint.url: ${url} is not a file:, http: or https: URL`);
  let keys: Key[] = [];
  const refresh = () => fetch(url).then((r) => r.text()).then((text) => {
    keys = parseJwks(text);
  }).catch((e: Error) => log(`JWKS ${url} could not be fetched: ${e.message}`));
  void refresh();
  const timer = setInterval(() => void refresh(), refreshMs);
  timer.unref();
  return { keys: () => keys, stop: () => clearInterval(timer) };
}
