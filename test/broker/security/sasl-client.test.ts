// The broker's own SASL clients (its connections to the others) against the broker's
// servers: PLAIN, SCRAM-SHA-256/512 with the server's signature checked, OAUTHBEARER with
// an unsecured token made from Kafka's JAAS options; a wrong server answer is refused.
import test from 'ava';
import fc from 'fast-check';
import { authenticateWith, PlainClient, ScramClient, UnsecuredOAuthClient } from '../../../src/broker/security/sasl-client.js';
import { OAuthBearerServer, PlainServer, ScramServer, unsecuredJwsValidator } from '../../../src/broker/security/sasl-mechanisms.js';
import { credentialForPassword, encodeCredential } from '../../../src/broker/security/scram-credentials.js';

const exchange = authenticateWith;

test('PLAIN and SCRAM clients authenticate to the broker\'s servers', (t) => {
  t.is(exchange(new PlainClient('alice', 'alice-secret'), new PlainServer(new Map([['alice', 'alice-secret']]))), 'alice');
  for (const [mechanism, type] of [['SCRAM-SHA-256', 1], ['SCRAM-SHA-512', 2]] as const) {
    const creds = new Map([['bro,ker=1', { [type]: encodeCredential(credentialForPassword(type, 'secret', 4096)) }]]);
    t.is(exchange(new ScramClient(mechanism, 'bro,ker=1', 'secret'), new ScramServer(mechanism, creds)), 'bro,ker=1', `${mechanism}, a name that needs escaping`);
    t.throws(() => exchange(new ScramClient(mechanism, 'bro,ker=1', 'wrong'), new ScramServer(mechanism, creds)), { message: /invalid credentials/ });
  }
});

test('SCRAM: a server that does not know the keys (a wrong signature), or changes the client nonce, is refused', (t) => {
  const client = new ScramClient('SCRAM-SHA-256', 'alice', 'secret', 'clientnonce');
  const final = client.next(Buffer.from('r=clientnonceSERVER,s=c2FsdA==,i=4096'));
  t.regex(final!.toString(), /^c=biws,r=clientnonceSERVER,p=/);
  t.throws(() => client.next(Buffer.from('v=AAAA')), { message: /signature is wrong/ });
  t.throws(() => new ScramClient('SCRAM-SHA-256', 'alice', 'secret', 'mine').next(Buffer.from('r=other,s=c2FsdA==,i=4096')), { message: /server-first/ });
  t.throws(() => new ScramClient('PLAIN', 'a', 'b'), { message: /not a SCRAM mechanism/ });
});

test('OAUTHBEARER: an unsecured token from the JAAS claims passes Kafka\'s default validator; no principal, no token', (t) => {
  const validator = unsecuredJwsValidator({ principalClaim: 'sub', scopeClaim: 'scope', requiredScope: ['kafka'], allowableClockSkewMs: 0 });
  const client = new UnsecuredOAuthClient({ unsecuredLoginStringClaim_sub: 'broker', unsecuredLoginListClaim_scope: ',kafka,admin', unsecuredLoginNumberClaim_n: '7' });
  t.like(client.claims(), { sub: 'broker', scope: ['kafka', 'admin'], n: 7 });
  t.is(exchange(client, new OAuthBearerServer(validator)), 'broker');
  const short = new UnsecuredOAuthClient({ unsecuredLoginStringClaim_sub: 'broker' });
  t.throws(() => exchange(short, new OAuthBearerServer(validator)), { message: /OAUTHBEARER refused: .*insufficient_scope/ }, 'the server\'s challenge ends the exchange');
  t.throws(() => new UnsecuredOAuthClient({}).first(), { message: /names no principal/ });
});

test('property: a SCRAM client never crashes on a server-first message, it refuses or answers', (t) => {
  fc.assert(fc.property(fc.string({ maxLength: 80 }), (s) => {
    try {
      const answer = new ScramClient('SCRAM-SHA-256', 'u', 'p', 'n').next(Buffer.from(s));
      return answer !== null && answer.toString().startsWith('c=biws,r=n');
    } catch (e) {
      return e instanceof Error;
    }
  }), { numRuns: 300 });
  t.pass();
});
