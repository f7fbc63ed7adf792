// The SASL mechanisms' server sides: PLAIN against JAAS users, SCRAM against stored keys
// (a full RFC 5802 exchange), and Kafka's failures; no input crashes them (property).
import test from 'ava';
import fc from 'fast-check';
import { parseJaas, plainUsers } from '../../../src/broker/security/jaas.js';
import { PlainServer, SaslFailure, ScramServer } from '../../../src/broker/security/sasl-mechanisms.js';
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

test('no token crashes a mechanism: it answers or fails with SaslFailure (property)', (t) => {
  const creds = new Map([['a', { 1: encodeCredential(credentialForPassword(1, 'p', 4096)) }]]);
  fc.assert(fc.property(fc.array(fc.oneof(fc.uint8Array({ maxLength: 80 }).map((b) => Buffer.from(b)), fc.constantFrom(Buffer.from('n,,n=a,r=x'), Buffer.from('c=biws,r=x,p=AAAA'))), { minLength: 1, maxLength: 3 }), (tokens) => {
    for (const make of [() => new PlainServer(new Map([['a', 'p']])), () => new ScramServer('SCRAM-SHA-256', creds)]) {
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
