// One connection's SASL session on an in-memory clock: KIP-368's session lifetime
// (connections.max.reauth.ms, or an OAUTHBEARER token's expiry if sooner), re-authentication
// with the same mechanism and principal, and what a v0 (raw token) client cannot do.
import test from 'ava';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { listenerSecurity } from '../../../src/broker/security/listener-security.js';
import { SaslSession } from '../../../src/broker/security/sasl-session.js';

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="a-secret" user_bob="b-secret";';
const security = () => listenerSecurity({ get: (k: string) => ({ listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN,OAUTHBEARER', 'sasl.jaas.config': JAAS } as Record<string, string>)[k] ?? null }, 'SASL_PLAINTEXT', () => new Map());
const plain = (user: string, password: string) => Buffer.from(`\u0000${user}\u0000${password}`);
const jws = (claims: object) => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.`;

test('a session lasts connections.max.reauth.ms; re-authenticating renews it; after it ends only SASL is served', (t) => {
  let now = 1_000_000;
  const s = new SaslSession(security(), 5000, () => now);
  t.false(s.authenticated);
  t.is(s.handshake('PLAIN', 1).errorCode, ErrorCode.NONE);
  t.like(s.authenticate(plain('alice', 'a-secret'), 2), { errorCode: ErrorCode.NONE });
  t.true(s.authenticated);
  t.is(s.sessionLifetimeMs, 5000);
  now += 4000;
  t.true(s.expectsHandshake, 'a v1+ client may re-authenticate');
  t.is(s.handshake('PLAIN', 1).errorCode, ErrorCode.NONE);
  t.true(s.authenticated, 'still served while it re-authenticates');
  t.like(s.authenticate(plain('alice', 'a-secret'), 2), { errorCode: ErrorCode.NONE });
  now += 4000;
  t.true(s.authenticated, 'the session began again at the re-authentication');
  now += 1001;
  t.false(s.authenticated, 'expired');
  t.is(s.principal, 'alice');
});

test('a re-authentication must keep the mechanism and the principal; a raw-token client cannot re-authenticate', (t) => {
  const s = new SaslSession(security(), 5000);
  s.handshake('PLAIN', 1);
  s.authenticate(plain('alice', 'a-secret'), 1);
  t.like(s.handshake('OAUTHBEARER', 1), { errorCode: ErrorCode.UNSUPPORTED_SASL_MECHANISM, close: true });

  const other = new SaslSession(security(), 5000);
  other.handshake('PLAIN', 1);
  other.authenticate(plain('alice', 'a-secret'), 1);
  other.handshake('PLAIN', 1);
  t.like(other.authenticate(plain('bob', 'b-secret'), 1), { errorCode: ErrorCode.SASL_AUTHENTICATION_FAILED, errorMessage: 'Cannot change principals during re-authentication from User:alice: User:bob', close: true });
  t.false(other.authenticated);

  const raw = new SaslSession(security(), 0);
  raw.handshake('PLAIN', 0);
  raw.authenticate(plain('alice', 'a-secret'), -1);
  t.true(raw.authenticated);
  t.false(raw.expectsHandshake, 'Kafka re-authenticates only clients of SaslAuthenticate v1+');
  t.is(raw.sessionLifetimeMs, 0, 'connections.max.reauth.ms=0: no limit');
});

test('an OAUTHBEARER session ends with its token when that comes first', (t) => {
  // The token is checked against the real clock: its expiry is a minute from now.
  const now = Math.floor(Date.now() / 1000) * 1000;
  const s = new SaslSession(security(), 3_600_000, () => now);
  s.handshake('OAUTHBEARER', 1);
  const token = Buffer.from(`n,,\u0001auth=Bearer ${jws({ sub: 'alice', exp: now / 1000 + 60 })}\u0001\u0001`);
  t.like(s.authenticate(token, 2), { errorCode: ErrorCode.NONE });
  t.is(s.sessionLifetimeMs, 60_000);
});
