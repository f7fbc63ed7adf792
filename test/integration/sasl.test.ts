// SASL on a SASL_PLAINTEXT listener with unmodified clients: kafkajs and librdkafka 2.15.1
// authenticate with PLAIN (JAAS users) and SCRAM-SHA-256/512 (the cluster's credentials)
// and then produce and consume; wrong passwords, unknown mechanisms and requests before
// authentication are refused as Kafka refuses them; raw tokens after a v0 handshake work.
import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import test from 'ava';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { librdkafka } from '../support/librdkafka.js';
import { RawClient } from '../support/raw-client.js';
import { ROOT, tempDir } from '../support/helpers.js';
import { signJwt } from '../support/jwt.js';

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";';

async function saslBroker(t: import('ava').ExecutionContext) {
  const b = await startBroker({
    config: { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-256,SCRAM-SHA-512', 'sasl.jaas.config': JAAS },
    scram: [{ mechanism: 'SCRAM-SHA-256', name: 'bob', password: 'bob-secret' }, { mechanism: 'SCRAM-SHA-512', name: 'carol', password: 'carol-secret' }],
  });
  t.teardown(() => b.close());
  return b;
}

const client = (bootstrap: string, mechanism: 'plain' | 'scram-sha-256' | 'scram-sha-512', username: string, password: string) =>
  new Kafka({ clientId: `sasl-${mechanism}`, brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism, username, password } as SASLOptions });

test('kafkajs authenticates with PLAIN, SCRAM-SHA-256 and SCRAM-SHA-512, then produces and consumes', async (t) => {
  const b = await saslBroker(t);
  for (const [mechanism, user, password] of [['plain', 'alice', 'alice-secret'], ['scram-sha-256', 'bob', 'bob-secret'], ['scram-sha-512', 'carol', 'carol-secret']] as const) {
    const k = client(b.bootstrap, mechanism, user, password);
    const producer = k.producer();
    await producer.connect();
    await producer.send({ topic: `sasl-${mechanism}`, messages: [{ value: `by ${user}` }] });
    await producer.disconnect();
    const consumer = k.consumer({ groupId: `g-${mechanism}`, maxWaitTimeInMs: 100 });
    await consumer.connect();
    await consumer.subscribe({ topic: `sasl-${mechanism}`, fromBeginning: true });
    const got = await new Promise<string>((resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }));
    await consumer.disconnect();
    t.is(got, `by ${user}`, mechanism);
  }
});

test('wrong passwords and unknown users are refused with SASL_AUTHENTICATION_FAILED; no SASL, no service', async (t) => {
  const b = await saslBroker(t);
  for (const [mechanism, user, password] of [['plain', 'alice', 'nope'], ['scram-sha-256', 'bob', 'nope'], ['scram-sha-512', 'mallory', 'x']] as const) {
    const admin = client(b.bootstrap, mechanism, user, password).admin();
    const e = await admin.connect().then(() => null, (err: Error) => err);
    t.truthy(e, `${mechanism} ${user}`);
    t.regex(String(e), /SASL|[Aa]uthentication/, String(e));
  }
  const failed = /kafka_server_socketservermetrics_failed_authentication_total (\d+)/.exec(await b.broker.metrics.text());
  t.true(Number(failed?.[1]) >= 3, `failed authentications counted: ${failed?.[1]}`);
  const anonymous = new Kafka({ clientId: 'anon', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 1000, requestTimeout: 2000 }).admin();
  t.truthy(await anonymous.connect().then(() => anonymous.listTopics()).then(() => null, (err: Error) => err), 'a client without SASL gets nothing');
  await anonymous.disconnect().catch(() => undefined);
});

test('the protocol by hand: Kafka\'s messages and codes, the mechanisms listed, a v0 handshake with raw tokens', async (t) => {
  const b = await saslBroker(t);
  const unsupported = await RawClient.connect(b.port);
  const hs = await unsupported.request(17, 1, { mechanism: 'GSSAPI' });
  t.deepEqual([hs.errorCode, hs.mechanisms], [ErrorCode.UNSUPPORTED_SASL_MECHANISM, ['PLAIN', 'SCRAM-SHA-256', 'SCRAM-SHA-512']]);
  t.true(await unsupported.closedWithin(2000), 'closed after an unsupported mechanism');

  const wrong = await RawClient.connect(b.port);
  t.is((await wrong.request(17, 1, { mechanism: 'PLAIN' })).errorCode, ErrorCode.NONE);
  const failed = await wrong.request(36, 2, { authBytes: Buffer.from('\u0000alice\u0000bad') });
  t.deepEqual([failed.errorCode, failed.errorMessage], [ErrorCode.SASL_AUTHENTICATION_FAILED, 'Authentication failed: Invalid username or password']);
  t.true(await wrong.closedWithin(2000), 'closed after connection.failed.authentication.delay.ms');

  const early = await RawClient.connect(b.port);
  const unanswered = early.request(3, 1, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false }, 1000).then(() => 'answered', () => 'not answered');
  t.true(await early.closedWithin(2000), 'a Metadata request before authenticating closes the connection');
  t.is(await unanswered, 'not answered');

  const v0 = await RawClient.connect(b.port);
  t.teardown(() => v0.close());
  t.is((await v0.request(17, 0, { mechanism: 'PLAIN' })).errorCode, ErrorCode.NONE);
  const token = Buffer.from('\u0000admin\u0000admin-secret');
  const framed = Buffer.alloc(4 + token.length);
  framed.writeInt32BE(token.length);
  token.copy(framed, 4);
  const reply = v0.nextFrame();
  v0.sendRaw(framed);
  t.is((await reply).length, 0, 'PLAIN answers an empty raw token');
  const md = await v0.request(3, 1, { topics: [], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  t.is(md.brokers.length, 1, 'authenticated: Kafka requests are served');
  t.is((await v0.request(17, 1, { mechanism: 'PLAIN' })).errorCode, ErrorCode.ILLEGAL_SASL_STATE, 'no second handshake');
});

test('librdkafka 2.15.1 over SASL_PLAINTEXT with SCRAM-SHA-512 and PLAIN', async (t) => {
  const b = await saslBroker(t);
  for (const [mechanism, user, password] of [['SCRAM-SHA-512', 'carol', 'carol-secret'], ['PLAIN', 'alice', 'alice-secret']] as const) {
    const sasl = { 'security.protocol': 'sasl_plaintext', 'sasl.mechanisms': mechanism, 'sasl.username': user, 'sasl.password': password };
    const rd = librdkafka(b.bootstrap);
    const producer = rd.producer(sasl);
    await producer.connect();
    await producer.send({ topic: `rd-${mechanism}`, messages: [{ value: `rd ${user}` }] });
    await producer.disconnect();
    const consumer = rd.consumer({ ...sasl, 'group.id': `rd-${mechanism}`, 'auto.offset.reset': 'earliest' });
    await consumer.connect();
    t.teardown(() => consumer.disconnect());
    await consumer.subscribe({ topics: [`rd-${mechanism}`] });
    const got = await new Promise<string>((resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }));
    t.is(got, `rd ${user}`, mechanism);
  }
});

test('Debian\'s clients: kafka-python with PLAIN and SCRAM-SHA-256, confluent-kafka (librdkafka 2.0) with SCRAM-SHA-512', async (t) => {
  const b = await saslBroker(t);
  const { stdout } = await promisify(execFile)('/usr/bin/python3', [path.join(ROOT, 'compat/_sasl_clients.py'), b.bootstrap, 'alice:alice-secret', 'bob:bob-secret', 'carol:carol-secret'], { timeout: 120_000 });
  t.log(stdout.trim());
  t.regex(stdout, /^ok/m);
});

test('OAUTHBEARER with unsecured tokens: kafkajs with its token provider and librdkafka 2.15.1 with its own unsecured JWT; an expired token is refused', async (t) => {
  const b = await startBroker({ config: { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'OAUTHBEARER' } });
  t.teardown(() => b.close());
  const token = (sub: string, exp: number) => `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub, exp, iat: Math.floor(Date.now() / 1000) })).toString('base64url')}.`;
  const oauth = (value: string) => new Kafka({
    clientId: 'oauth', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 },
    sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value }) },
  });
  const producer = oauth(token('alice', Math.floor(Date.now() / 1000) + 600)).producer();
  await producer.connect();
  await producer.send({ topic: 'oauth', messages: [{ value: 'by alice' }] });
  await producer.disconnect();
  // kafkajs takes the error challenge for success; its next request finds the exchange unfinished and the connection closed, as with Kafka.
  const expired = oauth(token('alice', Math.floor(Date.now() / 1000) - 10)).admin();
  const e = await expired.connect().then(() => expired.listTopics()).then(() => null, (err: Error) => err);
  await expired.disconnect();
  t.truthy(e, 'an expired token is refused');
  t.log(String(e));

  const sasl = { 'security.protocol': 'sasl_plaintext', 'sasl.mechanisms': 'OAUTHBEARER', 'enable.sasl.oauthbearer.unsecure.jwt': true, 'sasl.oauthbearer.config': 'principal=carol' };
  const consumer = librdkafka(b.bootstrap).consumer({ ...sasl, 'group.id': 'rd-oauth', 'auto.offset.reset': 'earliest' });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topics: ['oauth'] });
  const got = await new Promise<string>((resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }));
  t.is(got, 'by alice', 'librdkafka read what kafkajs wrote');
});

test('re-authentication (KIP-368): kafkajs and librdkafka 2.15.1 re-authenticate on their connections within connections.max.reauth.ms', async (t) => {
  const b = await startBroker({ config: { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN,SCRAM-SHA-512', 'sasl.jaas.config': JAAS, 'connections.max.reauth.ms': '3000' }, scram: [{ mechanism: 'SCRAM-SHA-512', name: 'carol', password: 'carol-secret' }] });
  t.teardown(() => b.close());
  const k = new Kafka({ clientId: 'reauth-kafkajs', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, reauthenticationThreshold: 1500, sasl: { mechanism: 'plain', username: 'alice', password: 'alice-secret' } });
  const producer = k.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const rd = librdkafka(b.bootstrap).producer({ 'security.protocol': 'sasl_plaintext', 'sasl.mechanisms': 'SCRAM-SHA-512', 'sasl.username': 'carol', 'sasl.password': 'carol-secret', 'client.id': 'reauth-rd' });
  await rd.connect();
  t.teardown(() => rd.disconnect());
  // Seven seconds of sends: more than two sessions of 3 s each.
  for (let i = 0; i < 14; i++) {
    await producer.send({ topic: 'reauth', messages: [{ value: `kafkajs ${i}` }] });
    await rd.send({ topic: 'reauth', messages: [{ value: `librdkafka ${i}` }] });
    await new Promise((r) => setTimeout(r, 500));
  }
  for (const client of ['reauth-kafkajs', 'reauth-rd']) {
    const auths = b.trace({ api: 'SaslAuthenticate', clientId: client });
    const perConnection = new Map<number, number>();
    for (const e of auths) perConnection.set(e.connectionId, (perConnection.get(e.connectionId) ?? 0) + 1);
    t.true([...perConnection.values()].some((n) => n >= 3), `${client} re-authenticated on one connection: ${JSON.stringify([...perConnection])}`);
    t.true(auths.every((e) => JSON.stringify(e.response).includes('"errorCode":0')), `${client}: every exchange succeeded`);
  }
  const lifetimes = b.trace({ api: 'SaslAuthenticate' }).map((e) => (e.response as { sessionLifetimeMs?: number | string } | null)?.sessionLifetimeMs).filter((x) => x !== undefined && Number(x) > 0);
  t.true(lifetimes.every((x) => Number(x) === 3000), JSON.stringify(lifetimes));
});

test('OAUTHBEARER with signed JWTs against a JWKS (file: and http: URLs): kafkajs authenticates with a provider\'s token; another key\'s token or another audience is refused', async (t) => {
  const provider = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const stranger = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwks = JSON.stringify({ keys: [{ ...provider.publicKey.export({ format: 'jwk' }), kid: 'k1' }] });
  const file = path.join(tempDir(t, 'jwks'), 'jwks.json');
  fs.writeFileSync(file, jwks);
  const server = http.createServer((_req, res) => res.end(jwks));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  t.teardown(() => new Promise<void>((resolve) => server.close(() => resolve())));
  const now = Math.floor(Date.now() / 1000);
  const claims = { sub: 'svc-orders', iss: 'https://idp.example', aud: 'kafka', iat: now, exp: now + 600 };
  for (const url of [pathToFileURL(file).href, `http://127.0.0.1:${(server.address() as AddressInfo).port}/jwks`]) {
    const b = await startBroker({ config: {
      listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'OAUTHBEARER',
      'listener.name.sasl_plaintext.oauthbearer.sasl.oauthbearer.jwks.endpoint.url': url,
      'sasl.oauthbearer.expected.audience': 'kafka', 'sasl.oauthbearer.expected.issuer': 'https://idp.example',
    } });
    t.teardown(() => b.close());
    const over = (value: string) => new Kafka({ clientId: 'jwt', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 3 }, sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value }) } });
    const producer = over(signJwt(claims, provider.privateKey, 'RS256', 'k1')).producer();
    await producer.connect();
    await producer.send({ topic: 'jwt', messages: [{ value: 'signed' }] });
    await producer.disconnect();
    t.true(b.trace({ api: 'Produce' }).some((e) => e.principal === 'svc-orders'), `${url}: the subject is the principal`);
    for (const bad of [signJwt(claims, stranger.privateKey, 'RS256', 'k1'), signJwt({ ...claims, aud: 'elsewhere' }, provider.privateKey, 'RS256', 'k1')]) {
      const admin = new Kafka({ clientId: 'jwt-bad', brokers: [b.bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: 'oauthbearer', oauthBearerProvider: async () => ({ value: bad }) } }).admin();
      t.truthy(await admin.connect().then(() => admin.listTopics()).then(() => null, (e: Error) => e), `${url}: refused`);
      await admin.disconnect();
    }
  }
});
