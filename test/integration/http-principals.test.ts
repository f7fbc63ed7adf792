// The HTTP listener (metrics, console, test kit) takes the Kafka listeners' principals
// once an authorizer is on: Basic credentials checked as SASL PLAIN or SCRAM would check
// them, Bearer tokens as OAUTHBEARER would, no header as User:ANONYMOUS; reading takes
// DESCRIBE on the cluster, changing ALTER. A cluster's control plane asks its brokers.
import test from 'ava';
import fc from 'fast-check';
import { startBroker, startCluster } from '../../src/index.js';
import { httpPrincipal } from '../../src/broker/security/http-authentication.js';
import { listenerSecurity } from '../../src/broker/security/listener-security.js';

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_admin="admin-secret" user_alice="alice-secret";';
const SECURED = {
  listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,OAUTHBEARER', 'sasl.jaas.config': JAAS,
  'listener.name.sasl_plaintext.oauthbearer.sasl.jaas.config': 'org.apache.kafka.common.security.oauthbearer.OAuthBearerLoginModule required;',
  'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'super.users': 'User:admin',
};
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
const unsecuredToken = (sub: string) => `${part({ alg: 'none' })}.${part({ sub, iat: Math.floor(Date.now() / 1000), exp: Math.floor(Date.now() / 1000) + 600 })}.`;

async function call(base: string, method: string, path: string, authorization?: string, body?: string) {
  const res = await fetch(base + path, { method, ...(authorization ? { headers: { authorization } } : {}), ...(body ? { body } : {}) });
  await res.arrayBuffer();
  return { status: res.status, challenge: res.headers.get('www-authenticate') };
}

test('the HTTP listener: Basic (PLAIN users, SCRAM credentials) and Bearer principals; GET needs DESCRIBE on the cluster, changes ALTER', async (t) => {
  const b = await startBroker({ config: SECURED, http: true, scram: [{ mechanism: 'SCRAM-SHA-256', name: 'bob', password: 'bob-secret' }] });
  t.teardown(() => b.close());
  const base = b.http!;
  t.is((await call(base, 'GET', '/metrics')).status, 403, 'ANONYMOUS may not DESCRIBE the cluster');
  const wrong = await call(base, 'GET', '/metrics', basic('admin', 'nope'));
  t.is(wrong.status, 401);
  t.regex(wrong.challenge ?? '', /^Basic realm="krill"/, 'a browser asks for a user and password');
  t.is((await call(base, 'GET', '/metrics', 'Negotiate abc')).status, 401, 'an unknown scheme');
  t.is((await call(base, 'GET', '/metrics', basic('admin', 'admin-secret'))).status, 200, 'a super user (PLAIN)');
  t.is((await call(base, 'GET', '/api/overview', basic('admin', 'admin-secret'))).status, 200);
  t.is((await call(base, 'POST', '/v1/reset', basic('admin', 'admin-secret'))).status, 200);

  // bob (SCRAM) may DESCRIBE the cluster, not ALTER it.
  await b.broker.metadata.updateAcls(() => [{ resourceType: 4, resourceName: 'kafka-cluster', patternType: 3, principal: 'User:bob', host: '*', operation: 8, permissionType: 3 }]);
  t.is((await call(base, 'GET', '/v1/trace', basic('bob', 'bob-secret'))).status, 200);
  t.is((await call(base, 'POST', '/v1/faults', basic('bob', 'bob-secret'), '{"api":"Produce","error":"NOT_LEADER_OR_FOLLOWER"}')).status, 403);
  t.is((await call(base, 'GET', '/v1/trace', basic('bob', 'wrong'))).status, 401);
  t.is(b.faults().length, 0, 'the refused fault was never added');

  // carol's unsecured OAUTHBEARER token: refused until granted ALTER.
  t.is((await call(base, 'POST', '/v1/reset', `Bearer ${unsecuredToken('carol')}`)).status, 403);
  await b.broker.metadata.updateAcls((acls) => [...acls, { resourceType: 4, resourceName: 'kafka-cluster', patternType: 3, principal: 'User:carol', host: '*', operation: 7, permissionType: 3 }]);
  t.is((await call(base, 'POST', '/v1/reset', `Bearer ${unsecuredToken('carol')}`)).status, 200);
  t.is((await call(base, 'POST', '/v1/reset', 'Bearer not.a.token')).status, 401);
});

test('a cluster\'s control plane takes the same principals; without an authorizer the HTTP listener stays open', async (t) => {
  const c = await startCluster({ brokers: 2, config: SECURED, http: true });
  t.teardown(() => c.close());
  t.is((await call(c.http!, 'GET', '/v1/trace')).status, 403);
  t.is((await call(c.http!, 'GET', '/v1/trace', basic('admin', 'admin-secret'))).status, 200);
  t.is((await call(c.http!, 'POST', '/v1/brokers/1/stop', basic('alice', 'alice-secret'))).status, 403);
  t.truthy(c.brokers[1]!.broker, 'alice could not stop a broker');

  const open = await startBroker({ http: true });
  t.teardown(() => open.close());
  t.is((await call(open.http!, 'GET', '/metrics')).status, 200);
});

test('property: any Authorization header proves a principal or nothing, and never throws', (t) => {
  const security = listenerSecurity({ get: (k: string) => ({ 'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-512,OAUTHBEARER', 'sasl.jaas.config': JAAS } as Record<string, string>)[k] ?? null }, 'SASL_PLAINTEXT', () => new Map());
  const header = fc.oneof(
    fc.string({ maxLength: 60 }),
    fc.tuple(fc.constantFrom('Basic ', 'Bearer ', 'basic '), fc.oneof(fc.base64String({ maxLength: 40 }), fc.string({ maxLength: 40 }).map((s) => Buffer.from(s).toString('base64')))).map(([a, b]) => a + b),
  );
  fc.assert(fc.property(header, (h) => {
    const p = httpPrincipal(h, [security]);
    return p === null || p === 'alice' || p === 'admin';
  }), { numRuns: 400 });
  t.is(httpPrincipal(basic('alice', 'alice-secret'), [security]), 'alice');
  t.is(httpPrincipal(undefined, [security]), 'ANONYMOUS');
});
