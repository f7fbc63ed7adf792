// Signed OAUTHBEARER tokens against a JWKS (Kafka's OAuthBearerValidatorCallbackHandler):
// RSA, RSA-PSS and ECDSA signatures, key ids, expiry, issuer, audience and subject; a key
// file read again when it changes; no token crashes the validator (property).
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import test from 'ava';
import fc from 'fast-check';
import { INVALID_TOKEN, jwksSource, parseJwks, validateJwt } from '../../../src/broker/security/jwt-validator.js';
import { tempDir } from '../../support/helpers.js';
import { signJwt } from '../../support/jwt.js';

const b64 = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');

const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
const jwks = JSON.stringify({ keys: [{ ...rsa.publicKey.export({ format: 'jwk' }), kid: 'r1', use: 'sig' }, { ...ec.publicKey.export({ format: 'jwk' }), kid: 'e1' }, { kty: 'oct', k: 'AAAA' }] });
const keys = parseJwks(jwks);
const NOW = 1_800_000_000_000;
const options = { expectedAudience: ['kafka'], expectedIssuer: 'https://idp', subClaim: 'sub', scopeClaim: 'scope', clockSkewMs: 30_000 };
const good = { sub: 'alice', iss: 'https://idp', aud: ['kafka', 'other'], exp: NOW / 1000 + 300, iat: NOW / 1000 };

test('tokens signed by a key of the set validate, whatever the algorithm; the subject is the principal', (t) => {
  t.is(keys.length, 2, 'a key Node cannot use as a public key is skipped');
  for (const [alg, key, kid] of [['RS256', rsa.privateKey, 'r1'], ['RS512', rsa.privateKey, undefined], ['PS256', rsa.privateKey, 'r1'], ['ES256', ec.privateKey, 'e1']] as const) {
    t.deepEqual(validateJwt(signJwt(good, key, alg, kid), keys, options, NOW), { principal: 'alice', expiresAtMs: good.exp * 1000 }, alg);
  }
});

test('refused: another key, a wrong kid, expired, not yet valid, another issuer or audience, no subject, alg none', (t) => {
  const refused = (token: string) => t.deepEqual(validateJwt(token, keys, options, NOW), { error: INVALID_TOKEN }, token.slice(0, 40));
  refused(signJwt(good, other.privateKey, 'RS256'));
  refused(signJwt(good, rsa.privateKey, 'RS256', 'e1'));
  refused(signJwt({ ...good, exp: NOW / 1000 - 31 }, rsa.privateKey, 'RS256'));
  refused(signJwt({ ...good, nbf: NOW / 1000 + 60 }, rsa.privateKey, 'RS256'));
  refused(signJwt({ ...good, iss: 'https://evil' }, rsa.privateKey, 'RS256'));
  refused(signJwt({ ...good, aud: 'elsewhere' }, rsa.privateKey, 'RS256'));
  refused(signJwt({ ...good, sub: undefined }, rsa.privateKey, 'RS256'));
  refused(`${b64({ alg: 'none' })}.${b64(good)}.`);
  t.deepEqual(validateJwt(signJwt({ ...good, exp: NOW / 1000 - 10 }, rsa.privateKey, 'RS256'), keys, options, NOW), { principal: 'alice', expiresAtMs: (NOW / 1000 - 10) * 1000 }, 'within the clock skew');
  t.like(validateJwt(signJwt({ ...good, aud: undefined, iss: undefined }, rsa.privateKey, 'RS256'), keys, { ...options, expectedAudience: [], expectedIssuer: null }, NOW), { principal: 'alice' }, 'no issuer or audience expected: none needed');
});

test('a JWKS file is read again when it changes', (t) => {
  const file = path.join(tempDir(t, 'jwks'), 'jwks.json');
  fs.writeFileSync(file, JSON.stringify({ keys: [] }));
  const source = jwksSource(pathToFileURL(file).href, 3_600_000, () => undefined);
  t.is(source.keys().length, 0);
  fs.writeFileSync(file, jwks);
  fs.utimesSync(file, new Date(), new Date(Date.now() + 5000));
  t.is(source.keys().length, 2);
  t.throws(() => jwksSource('ftp://x', 1000, () => undefined), { message: /not a file:, http: or https: URL/ });
});

test('no token crashes the validator (property)', (t) => {
  const token = signJwt(good, rsa.privateKey, 'RS256', 'r1');
  fc.assert(fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.tuple(fc.nat(token.length), fc.string({ maxLength: 3 })).map(([i, x]) => token.slice(0, i) + x + token.slice(i + x.length))), (s) => {
    const r = validateJwt(s, keys, options, NOW);
    t.true('error' in r || r.principal === 'alice');
  }), { numRuns: 300 });
});
