// SCRAM credentials as Kafka's ScramControlManager keeps them: RFC 5802's keys from a
// salted password (RFC 7677's test vector), Kafka's refusals, and the describe answers.
import test from 'ava';
import fc from 'fast-check';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { parseAddScram } from '../../../src/broker/security/scram-bootstrap.js';
import { ConfigError } from '../../../src/broker/config.js';
import { alterCredentials, credentialForPassword, decodeCredential, describeCredentials, encodeCredential, saltedPassword } from '../../../src/broker/security/scram-credentials.js';

test('the keys kept are RFC 7677\'s for its test vector (user, pencil), never the password or salted password', (t) => {
  // RFC 7677 section 3: SCRAM-SHA-256 with password "pencil", salt W22ZaJ0SNY7soEsUEjb6gQ==, 4096 iterations.
  const salt = Buffer.from('W22ZaJ0SNY7soEsUEjb6gQ==', 'base64');
  const c = credentialForPassword(1, 'pencil', 4096, salt);
  t.is(c.storedKey.toString('base64'), 'WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=');
  t.is(c.serverKey.toString('base64'), 'wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=');
  const kept = encodeCredential(c);
  t.false(kept.includes(saltedPassword(1, 'pencil', salt, 4096).toString('base64')), 'the salted password is not kept');
  t.deepEqual(decodeCredential(kept), c);
});

test('alterations are refused as Kafka refuses them, a user\'s change taken or refused whole', (t) => {
  const cred = encodeCredential(credentialForPassword(1, 'b'));
  const current = new Map<string, Record<string, string>>([['bob', { 1: cred }], ['dave', { 1: cred, 2: cred }]]);
  const up = (name: string, mechanism = 1, iterations = 4096) => ({ name, mechanism, iterations, salt: Buffer.from('salt'), saltedPassword: Buffer.alloc(32, 1) });
  const { results, changes } = alterCredentials(current, [
    { name: 'bob', mechanism: 1 }, { name: 'carol', mechanism: 2 }, { name: '', mechanism: 1 }, { name: 'dave', mechanism: 1 }, { name: 'dave', mechanism: 2 },
  ], [up('alice'), up('erin', 3), up('frank', 1, 100), up('gina', 1, 20_000), up('alice', 2)]);
  t.deepEqual(results.map((r) => [r.user, r.errorCode, r.errorMessage]), [
    ['bob', 0, null],
    ['carol', ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to delete a user credential that does not exist'],
    ['', ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Username must not be empty'],
    ['dave', ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request'],
    ['erin', ErrorCode.UNSUPPORTED_SASL_MECHANISM, 'Unknown SCRAM mechanism'],
    ['frank', ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too few iterations'],
    ['gina', ErrorCode.UNACCEPTABLE_CREDENTIAL, 'Too many iterations'],
    ['alice', ErrorCode.DUPLICATE_RESOURCE, 'A user credential cannot be altered twice in the same request'],
  ]);
  t.deepEqual([...changes.keys()], ['bob'], 'only the one change taken');
  t.deepEqual(changes.get('bob'), {}, 'bob has no credential left');
});

test('describe: every user, or those named; unknown and repeated names answered per user', (t) => {
  const current = new Map([['bob', { 1: encodeCredential(credentialForPassword(1, 'b', 8192)), 2: encodeCredential(credentialForPassword(2, 'b')) }]]);
  t.deepEqual(describeCredentials(current, null), [{ user: 'bob', errorCode: 0, errorMessage: null, credentialInfos: [{ mechanism: 1, iterations: 8192 }, { mechanism: 2, iterations: 4096 }] }]);
  t.deepEqual(describeCredentials(current, [{ name: 'nobody' }, { name: 'bob' }, { name: 'bob' }]).map((r) => [r.user, r.errorCode, r.errorMessage]), [
    ['nobody', ErrorCode.RESOURCE_NOT_FOUND, 'Attempt to describe a user credential that does not exist: nobody'],
    ['bob', ErrorCode.DUPLICATE_RESOURCE, 'Cannot describe SCRAM credentials for the same user twice in a single request: bob'],
  ]);
});

test('--add-scram takes kafka-storage\'s syntax and refuses anything else', (t) => {
  t.deepEqual(parseAddScram('SCRAM-SHA-256=[name=alice,password=alice-secret]'), { mechanism: 'SCRAM-SHA-256', name: 'alice', password: 'alice-secret' });
  t.deepEqual(parseAddScram('SCRAM-SHA-512=[name="bob",password="x=y",iterations=8192]'), { mechanism: 'SCRAM-SHA-512', name: 'bob', password: 'x=y', iterations: 8192 });
  for (const bad of ['SCRAM-SHA-1=[name=a,password=b]', 'SCRAM-SHA-256=[name=a]', 'SCRAM-SHA-256=name=a,password=b', 'SCRAM-SHA-256=[name=a,password=b,iterations=10]']) {
    t.throws(() => parseAddScram(bad), undefined, bad);
  }
  fc.assert(fc.property(fc.string({ maxLength: 60 }), (s) => {
    try {
      parseAddScram(s);
    } catch (e) {
      t.true(e instanceof ConfigError);
    }
  }), { numRuns: 300 });
});
