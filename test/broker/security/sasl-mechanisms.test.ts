// The SASL mechanisms' server sides: PLAIN against JAAS users, SCRAM against stored keys
// (a full RFC 5802 exchange), OAUTHBEARER with unsecured tokens, and Kafka's failures; no input crashes them (property).
import test from 'ava';
import fc from 'fast-check';
import { parseJaas, plainUsers } from '../../../src/broker/security/jaas.js';
import { OAuthBearerServer, PlainServer, SaslFailure, ScramServer, unsecuredJwsValidator } from '../../../src/broker/security/sasl-mechanisms.js';
import { credentialForPassword, encodeCredential } from '../../../src/broker/security/scram-credentials.js';
import { scramClient } from '../../support/scram-client.js';

const jaas = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";';

test('JAAS entries as Kafka writes them: module, flag, quoted and bare options', (t) => {
  const e = parseJaas(jaas);
  t.is(e.loginModule, 'org.apache.kafka.common.security.plain.PlainLoginModule');
  t.deepEqual(e.options, { username: 'admin', password: 'admin-secret', user_admin: 'admin-secret', user_alice: 'alice-secret' });
  t.deepEqual([...plainUsers(e)], [['admin', 'admin-secret'], ['alice', 'alice-secret']]);
  t.throws(() => parseJaas('PlainLoginModule username="a"'), { message: /JAAS/ });
});

test('PLAIN: the right password authenticates; a wrong one fails with Kafka\'s message', (t) => {
  const plain = () => new PlainServer(plainUsers(parseJaas(jaas)));
  t.like(plain().step(Buffer.from('\u0000alice\u0000alice-secret')), { done: true, principal: 'alice' });
  t.throws(() => plain().step(Buffer.from('\u0000alice\u0000nope')), { instanceOf: SaslFailure, message: 'Authentication failed: Invalid username or password' });
  t.throws(() => plain().step(Buffer.from('\u0000mallory\u0000x')), { message: 'Authentication failed: Invalid username or password' });
  t.throws(() => plain().step(Buffer.from('bob\u0000alice\u0000alice-secret')), { message: /authorization id/ });
});

for (const [mechanism, hash, type] of [['SCRAM-SHA-256', 'sha256', 1], ['SCRAM-SHA-512', 'sha512', 2]] as const) {
  test(`${mechanism}: a full exchange with the right password, and the failure Kafka gives for a wrong one`, (t) => {
    const creds = new Map([['alice', { [type]: encodeCredential(credentialForPassword(type, 'alice-secret', 4096)) }]]);
    const server = new ScramServer(mechanism, creds);
    const client = scramClient(hash, 'alice', 'alice-secret');
    const first = server.step(client.first);
    t.false(first.done);
    const { message, serverSignature } = client.final(first.token);
    const last = server.step(message);
    t.like(last, { done: true, principal: 'alice' });
    t.is(last.token.toString(), serverSignature, 'the server proves it has the keys too');

    const wrong = new ScramServer(mechanism, creds);
    const liar = scramClient(hash, 'alice', 'guess');
    t.throws(() => wrong.step(liar.final(wrong.step(liar.first).token).message), { message: `Authentication failed during authentication due to invalid credentials with SASL mechanism ${mechanism}` });
    t.throws(() => new ScramServer(mechanism, creds).step(scramClient(hash, 'nobody', 'x').first), { message: /invalid credentials/ });
  });
}

const NOW = 1_800_000_000_000;
const jws = (claims: object, header: object = { alg: 'none' }) =>
  `${Buffer.from(JSON.stringify(header)).toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;
const bearer = (token: string, gs2 = 'n,,') => Buffer.from(`${gs2}\u0001auth=Bearer ${token}\u0001\u0001`);
const oauth = (requiredScope: string[] = []) =>
  new OAuthBearerServer(unsecuredJwsValidator({ principalClaim: 'sub', scopeClaim: 'scope', requiredScope, allowableClockSkewMs: 0 }, () => NOW));

test('OAUTHBEARER: a valid unsecured token authenticates as its subject; a bad one gets RFC 7628\'s challenge, then Kafka\'s failure', (t) => {
  const exp = NOW / 1000 + 60;
  t.like(oauth().step(bearer(jws({ sub: 'alice', iat: NOW / 1000, exp }))), { done: true, principal: 'alice' });
  t.like(oauth(['produce']).step(bearer(jws({ sub: 'alice', exp, scope: 'read produce' }), 'n,a=alice,')), { done: true, principal: 'alice' });
  for (const [claims, header] of [
    [{ sub: 'alice', exp: NOW / 1000 - 1 }, undefined], // expired
    [{ sub: 'alice' }, undefined], // no exp
    [{ exp }, undefined], // no subject
    [{ sub: 'alice', exp, iat: NOW / 1000 + 5 }, undefined], // issued in the future
    [{ sub: 'alice', exp }, { alg: 'RS256' }], // signed: not for this validator
  ] as const) {
    const server = oauth();
    const challenge = server.step(bearer(jws(claims, header)));
    t.deepEqual(challenge, { token: Buffer.from('{"status":"invalid_token"}'), done: false }, JSON.stringify(claims));
    t.throws(() => server.step(Buffer.from([1])), { instanceOf: SaslFailure, message: '{"status":"invalid_token"}' });
  }
  const scoped = oauth(['produce', 'admin']);
  t.is(scoped.step(bearer(jws({ sub: 'alice', exp, scope: 'produce' }))).token.toString(), '{"status":"insufficient_scope", "scope":"[produce, admin]"}');
  t.throws(() => oauth().step(bearer(jws({ sub: 'alice', exp }), 'n,a=bob,')), { message: /authorization id \(bob\)/ });
  t.throws(() => oauth().step(Buffer.from('n,,auth=Bearer x')), { message: 'Authentication failed during authentication due to invalid credentials with SASL mechanism OAUTHBEARER' });
});

test('no token crashes a mechanism: it answers or fails with SaslFailure (property)', (t) => {
  const creds = new Map([['a', { 1: encodeCredential(credentialForPassword(1, 'p', 4096)) }]]);
  fc.assert(fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b)), fc.constantFrom(Buffer.from('n,,n=a,r=x'), Buffer.from('c=biws,r=x,p=AAAA'), bearer(jws({ sub: 'a', exp: 1 })), bearer('e30.e30.'), Buffer.from([1]))), { minLength: 1, maxLength: 3 }), (tokens) => {
    for (const make of [() => new PlainServer(new Map([['a', 'p']])), () => new ScramServer('SCRAM-SHA-256', creds), () => oauth(['x'])]) {
      const m = make();
      for (const token of tokens) {
        try {
          if (m.step(token).done) break;
        } catch (e) {
          t.true(e instanceof SaslFailure, String(e));
          break;
        }
      }
    }
  }), { numRuns: 300 });
});
