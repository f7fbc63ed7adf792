// TLS listeners with unmodified clients: SSL with a PEM keystore read by kafkajs and
// librdkafka 2.15.1; mutual TLS whose client certificate becomes the principal
// (`CN=alice,O=krill,C=US`, as Kafka forms it); a client of an untrusted CA, or without a
// certificate where one is required, refused; SASL_SSL with SCRAM over it. Certificates
// are made at test time with openssl.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { startBroker } from '../../src/index.js';
import { makeCerts, type TestCerts } from '../support/certs.js';
import { ROOT, tempDir } from '../support/helpers.js';
import { librdkafka } from '../support/librdkafka.js';

function tlsConfig(certs: TestCerts, listener: string, clientAuth = 'none'): Record<string, string> {
  return {
    listeners: `${listener}://127.0.0.1:0`, 'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.brokerPem,
    'ssl.truststore.type': 'PEM', 'ssl.truststore.location': certs.ca, 'ssl.client.auth': clientAuth,
  };
}

const kafkaOver = (bootstrap: string, ssl: object, sasl?: SASLOptions) =>
  new Kafka({ clientId: 'tls', brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, connectionTimeout: 3000, ssl, ...(sasl ? { sasl } : {}) });

async function roundTrip(k: Kafka, topic: string): Promise<string> {
  const producer = k.producer();
  await producer.connect();
  await producer.send({ topic, messages: [{ value: `over ${topic}` }] });
  await producer.disconnect();
  const consumer = k.consumer({ groupId: `g-${topic}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const got = await new Promise<string>((resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }));
  await consumer.disconnect();
  return got;
}

test('SSL with a PEM keystore: kafkajs and librdkafka 2.15.1 produce and consume; a client of another CA cannot connect', async (t) => {
  const certs = makeCerts(tempDir(t, 'certs'));
  const b = await startBroker({ config: tlsConfig(certs, 'SSL') });
  t.teardown(() => b.close());
  const ca = fs.readFileSync(certs.ca);
  t.is(await roundTrip(kafkaOver(b.bootstrap, { ca, servername: 'localhost' }), 'tls-kafkajs'), 'over tls-kafkajs');

  const rd = librdkafka(b.bootstrap);
  const ssl = { 'security.protocol': 'ssl', 'ssl.ca.location': certs.ca, 'ssl.endpoint.identification.algorithm': 'none' };
  const producer = rd.producer(ssl);
  await producer.connect();
  await producer.send({ topic: 'tls-rd', messages: [{ value: 'librdkafka over TLS' }] });
  await producer.disconnect();

  const untrusting = kafkaOver(b.bootstrap, { ca: fs.readFileSync(certs.stranger.cert), servername: 'localhost' }).admin();
  t.truthy(await untrusting.connect().then(() => null, (e: Error) => e), 'a client that does not trust the broker\'s CA fails its handshake');
});

test('mutual TLS: the client certificate is the principal; no certificate, or one of an untrusted CA, is refused', async (t) => {
  const certs = makeCerts(tempDir(t, 'mtls'));
  const b = await startBroker({ config: tlsConfig(certs, 'SSL', 'required') });
  t.teardown(() => b.close());
  const ca = fs.readFileSync(certs.ca);
  const withCert = { ca, servername: 'localhost', key: fs.readFileSync(certs.client.key), cert: fs.readFileSync(certs.client.cert) };
  t.is(await roundTrip(kafkaOver(b.bootstrap, withCert), 'mtls'), 'over mtls');
  t.true(b.trace({ api: 'Produce' }).some((e) => e.principal === 'CN=alice,O=krill,C=US'), 'the certificate\'s subject, most specific first');

  const without = kafkaOver(b.bootstrap, { ca, servername: 'localhost' }).admin();
  t.truthy(await without.connect().then(() => without.listTopics()).then(() => null, (e: Error) => e), 'no client certificate');
  const stranger = kafkaOver(b.bootstrap, { ca, servername: 'localhost', key: fs.readFileSync(certs.stranger.key), cert: fs.readFileSync(certs.stranger.cert) }).admin();
  t.truthy(await stranger.connect().then(() => stranger.listTopics()).then(() => null, (e: Error) => e), 'a certificate of an untrusted CA');
});

test('SASL_SSL: SCRAM-SHA-256 over TLS, the SASL user the principal', async (t) => {
  const certs = makeCerts(tempDir(t, 'sasl-ssl'));
  const b = await startBroker({
    config: { ...tlsConfig(certs, 'SASL_SSL'), 'sasl.enabled.mechanisms': 'SCRAM-SHA-256' },
    scram: [{ mechanism: 'SCRAM-SHA-256', name: 'bob', password: 'bob-secret' }],
  });
  t.teardown(() => b.close());
  const k = kafkaOver(b.bootstrap, { ca: fs.readFileSync(certs.ca), servername: 'localhost' }, { mechanism: 'scram-sha-256', username: 'bob', password: 'bob-secret' });
  t.is(await roundTrip(k, 'sasl-ssl'), 'over sasl-ssl');
  t.true(b.trace({ api: 'Produce' }).some((e) => e.principal === 'bob'));
});

test('ssl.principal.mapping.rules: a RULE names the principal from the certificate; a certificate no rule applies to is refused', async (t) => {
  const certs = makeCerts(tempDir(t, 'mapping'));
  const ca = fs.readFileSync(certs.ca);
  const withCert = { ca, servername: 'localhost', key: fs.readFileSync(certs.client.key), cert: fs.readFileSync(certs.client.cert) };
  const mapped = await startBroker({ config: { ...tlsConfig(certs, 'SSL', 'required'), 'ssl.principal.mapping.rules': 'RULE:^CN=(.*?),O=(.*?),C=.*$/$1@$2/U, DEFAULT' } });
  t.teardown(() => mapped.close());
  t.is(await roundTrip(kafkaOver(mapped.bootstrap, withCert), 'mapped'), 'over mapped');
  t.true(mapped.trace({ api: 'Produce' }).some((e) => e.principal === 'ALICE@KRILL'), JSON.stringify(mapped.trace({ api: 'Produce' }).map((e) => e.principal)));

  const strict = await startBroker({ config: { ...tlsConfig(certs, 'SSL', 'required'), 'listener.name.ssl.ssl.principal.mapping.rules': 'RULE:^CN=bob,.*$/bob/' } });
  t.teardown(() => strict.close());
  const refused = kafkaOver(strict.bootstrap, withCert).admin();
  t.truthy(await refused.connect().then(() => refused.listTopics()).then(() => null, (e: Error) => e), 'alice\'s certificate matches no rule');
  await refused.disconnect();
  await t.throwsAsync(startBroker({ config: { ...tlsConfig(certs, 'SSL'), 'ssl.principal.mapping.rules': 'RULE:oops' } }), { message: /Invalid rule/ });
});

test('Debian\'s clients (confluent-kafka on librdkafka 2.0, kcat, kafka-python) over SASL_SSL and mutual TLS, two listeners of one broker', async (t) => {
  const certs = makeCerts(tempDir(t, 'debian-tls'));
  const b = await startBroker({
    config: {
      ...tlsConfig(certs, 'SASL_SSL'),
      listeners: 'SASL_SSL://127.0.0.1:0,MTLS://127.0.0.1:0',
      'listener.security.protocol.map': 'SASL_SSL:SASL_SSL,MTLS:SSL',
      'listener.name.mtls.ssl.client.auth': 'required',
      'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
    },
    scram: [{ mechanism: 'SCRAM-SHA-512', name: 'carol', password: 'carol-secret' }],
  });
  t.teardown(() => b.close());
  const args = [path.join(ROOT, 'compat/_tls_clients.py'), b.listeners.SASL_SSL!, b.listeners.MTLS!, certs.ca, certs.client.cert, certs.client.key, 'carol:carol-secret'];
  const { stdout } = await promisify(execFile)('/usr/bin/python3', args, { timeout: 180_000 }).catch((e: { stdout?: string; stderr?: string; message: string }) => {
    throw new Error(`${e.message}\n${e.stdout ?? ''}\n${e.stderr ?? ''}`);
  });
  t.log(stdout.trim());
  t.regex(stdout, /^ok/m);
  const principals = new Set(b.trace({ api: 'Produce' }).map((e) => e.principal));
  t.true(principals.has('carol') && principals.has('CN=alice,O=krill,C=US'), [...principals].join());
});
