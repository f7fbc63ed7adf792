// SCRAM credentials (KIP-554) through @platformatic/kafka's codecs: set and described,
// refused as Kafka refuses them, bootstrapped at start as `kafka-storage format
// --add-scram` does, kept in the cluster metadata across restarts and on every broker.
import { alterUserScramCredentialsV0, Connection, describeUserScramCredentialsV0 } from '@platformatic/kafka';
import test from 'ava';
import { startBroker, startCluster } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { credentialForPassword, saltedPassword } from '../../src/broker/security/scram-credentials.js';
import { tempDir } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

/** The client's codecs throw on an error in any entry, with the answer attached. */
const answered = <T>(p: Promise<T>): Promise<T> => p.catch((e: { response?: T }) => {
  if (!e.response) throw e;
  return e.response;
});

test('credentials set, described and deleted through a third-party codec; the salted password is not kept', async (t) => {
  const dir = tempDir(t, 'scram');
  let b = await startBroker({ storage: dir, scram: [{ mechanism: 'SCRAM-SHA-512', name: 'admin', password: 'admin-secret', iterations: 8192 }] });
  let c = new Connection('scram-codec');
  await c.connect(b.host, b.port);
  const salt = Buffer.from('salt-of-alice');
  const salted = saltedPassword(1, 'alice-secret', salt, 4096);
  const altered = await answered(alterUserScramCredentialsV0.api.async(c, [{ name: 'carol', mechanism: 1 }], [
    { name: 'alice', mechanism: 1, iterations: 4096, salt, saltedPassword: salted },
    { name: 'dan', mechanism: 1, iterations: 100, salt, saltedPassword: salted },
  ]));
  t.deepEqual(altered.results.map((r) => [r.user, r.errorCode, r.errorMessage]), [
    ['alice', 0, null],
    ['carol', ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist'],
    ['dan', ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations'],
  ]);
  const all = await answered(describeUserScramCredentialsV0.api.async(c, []));
  t.deepEqual(all.results.map((r) => [r.user, r.errorCode, r.credentialInfos.map((i) => [i.mechanism, i.iterations])]), [
    ['admin', 0, [[2, 8192]]], ['alice', 0, [[1, 4096]]],
  ]);
  const kept = b.broker.metadata.scramCredentials.get('alice')!['1']!;
  t.true(kept.includes(credentialForPassword(1, 'alice-secret', 4096, salt).storedKey.toString('base64')), 'the stored key is kept');
  t.false(kept.includes(salted.toString('base64')), 'the salted password is not');

  c.close();
  await b.close();
  // Restarted with the same bootstrap users: what is there stays as it is.
  b = await startBroker({ storage: dir, scram: [{ mechanism: 'SCRAM-SHA-512', name: 'admin', password: 'changed', iterations: 4096 }] });
  t.teardown(() => b.close());
  c = new Connection('scram-codec');
  await c.connect(b.host, b.port);
  t.teardown(() => c.close());
  const again = await answered(describeUserScramCredentialsV0.api.async(c, [{ name: 'admin' }, { name: 'nobody' }]));
  t.deepEqual(again.results.map((r) => [r.user, r.errorCode, r.credentialInfos.map((i) => i.iterations)]), [['admin', 0, [8192]], ['nobody', ErrorCode.RESOURCE_NOT_FOUND, []]]);
  const deleted = await answered(alterUserScramCredentialsV0.api.async(c, [{ name: 'alice', mechanism: 1 }], []));
  t.is(deleted.results[0]!.errorCode, 0);
  t.false(b.broker.metadata.scramCredentials.has('alice'), 'a user with no credential left is gone');
});

test('credentials bootstrapped by every broker, or altered on one, are on every broker of the cluster', async (t) => {
  const c = await startCluster({ brokers: 3, scram: [{ mechanism: 'SCRAM-SHA-256', name: 'svc', password: 'svc-secret' }] });
  t.teardown(() => c.close());
  const first = await RawClient.connect(c.brokers[0]!.port);
  t.teardown(() => first.close());
  const salt = Buffer.from('s');
  await first.request(51, 0, { deletions: [], upsertions: [{ name: 'late', mechanism: 2, iterations: 4096, salt, saltedPassword: saltedPassword(2, 'p', salt, 4096) }] });
  for (const b of c.brokers) {
    const raw = await RawClient.connect(b.port);
    t.teardown(() => raw.close());
    const r = await raw.request(50, 0, { users: null });
    t.deepEqual(r.results.map((x) => [x.user, x.errorCode, x.credentialInfos.map((i) => [i.mechanism, i.iterations])]), [['late', 0, [[2, 4096]]], ['svc', 0, [[1, 4096]]]], `broker ${b.id}`);
  }
});
