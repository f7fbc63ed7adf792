// Several listeners at once, as Kafka configures them: each with its own security
// protocol, each client told the brokers' addresses on the listener it came in on
// (advertised.listeners by name), and a cluster whose brokers replicate and send
// transaction markers to each other over their own inter-broker listener (SASL_SSL with
// SCRAM and mutual TLS) while clients use another.
import test from 'ava';
import { Kafka, logLevel, type SASLOptions } from 'kafkajs';
import { startBroker, startCluster } from '../../src/index.js';
import { ConfigError } from '../../src/broker/config.js';
import { Peers } from '../../src/broker/net/peers.js';
import { SecurityError } from '../../src/broker/net/broker-client.js';
import { peerTransport } from '../../src/broker/security/peer-security.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { makeCerts } from '../support/certs.js';
import { librdkafka } from '../support/librdkafka.js';
import { RawClient } from '../support/raw-client.js';
import { tempDir } from '../support/helpers.js';

const PLAIN_JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required user_alice="alice-secret";';

const kafkaOn = (bootstrap: string, sasl?: SASLOptions, ssl?: object) =>
  new Kafka({ clientId: 'listeners', brokers: bootstrap.split(','), logLevel: logLevel.NOTHING, retry: { retries: 2 }, ...(sasl ? { sasl } : {}), ...(ssl ? { ssl } : {}) });

/** Runs a subscribed consumer (kafkajs's or librdkafka's) until it has seen `n` distinct values. */
function distinctValues(consumer: { run(r: { eachMessage: (p: { message: { value: Buffer | null } }) => Promise<void> }): Promise<void> }, n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  return new Promise((resolve) => void consumer.run({ eachMessage: async ({ message }) => {
    seen.add(message.value!.toString());
    if (seen.size === n) resolve(seen);
  } }));
}

test('two listeners on one broker: each client is told its own listener\'s advertised address and authenticates as that listener asks', async (t) => {
  const b = await startBroker({
    config: {
      listeners: 'PLAINTEXT://127.0.0.1:0,SECURE://127.0.0.1:0',
      'listener.security.protocol.map': 'PLAINTEXT:PLAINTEXT,SECURE:SASL_PLAINTEXT',
      // Port 0 in an advertised entry means the port bound; the host is the listener's own.
      'advertised.listeners': 'PLAINTEXT://127.0.0.1:0,SECURE://localhost:0',
      'sasl.enabled.mechanisms': 'PLAIN', 'listener.name.secure.plain.sasl.jaas.config': PLAIN_JAAS,
    },
  });
  t.teardown(() => b.close());
  const secure = b.listeners.SECURE!;
  const securePort = Number(secure.split(':')[1]);
  t.is(b.listeners.PLAINTEXT, b.bootstrap);
  t.not(securePort, b.port);

  const plainAdmin = kafkaOn(b.bootstrap).admin();
  await plainAdmin.connect();
  t.deepEqual((await plainAdmin.describeCluster()).brokers.map((x) => [x.host, x.port]), [['127.0.0.1', b.port]]);
  await plainAdmin.createTopics({ topics: [{ topic: 'both-ways', numPartitions: 1 }] });
  await plainAdmin.disconnect();

  // kafkajs goes on to the address Metadata gives: were it the PLAINTEXT one, its SASL handshake would fail there.
  const k = kafkaOn(secure, { mechanism: 'plain', username: 'alice', password: 'alice-secret' });
  const admin = k.admin();
  await admin.connect();
  t.deepEqual((await admin.describeCluster()).brokers.map((x) => [x.host, x.port]), [['localhost', securePort]]);
  await admin.disconnect();
  const producer = k.producer();
  await producer.connect();
  await producer.send({ topic: 'both-ways', messages: [{ value: 'over SASL' }] });
  await producer.disconnect();
  const consumer = kafkaOn(b.bootstrap).consumer({ groupId: 'g-both', maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'both-ways', fromBeginning: true });
  t.deepEqual([...await distinctValues(consumer, 1)], ['over SASL'], 'written on one listener, read on the other');
  await consumer.disconnect();
  t.true(b.trace({ api: 'Produce' }).some((e) => e.principal === 'alice'));
  t.true(b.trace({ api: 'Fetch' }).some((e) => e.principal === 'ANONYMOUS'));

  const unauthenticated = kafkaOn(secure).admin();
  t.truthy(await unauthenticated.connect().then(() => unauthenticated.listTopics()).then(() => null, (e: Error) => e), 'the SASL listener still wants SASL');
  await unauthenticated.disconnect();
});

test('a cluster replicates over its own SASL_SSL listener (SCRAM-SHA-512 and mutual TLS, the brokers super users) while clients use PLAIN on another', async (t) => {
  const certs = makeCerts(tempDir(t, 'inter-broker'));
  const c = await startCluster({
    brokers: 3,
    config: {
      listeners: 'CLIENT://127.0.0.1:0,INTERNAL://127.0.0.1:0',
      'listener.security.protocol.map': 'CLIENT:SASL_PLAINTEXT,INTERNAL:SASL_SSL',
      'inter.broker.listener.name': 'INTERNAL',
      'listener.name.client.sasl.enabled.mechanisms': 'PLAIN',
      'listener.name.internal.sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-512',
      'listener.name.client.plain.sasl.jaas.config': PLAIN_JAAS,
      'listener.name.internal.scram-sha-512.sasl.jaas.config': 'org.apache.kafka.common.security.scram.ScramLoginModule required username="broker" password="broker-secret";',
      'listener.name.internal.ssl.keystore.type': 'PEM', 'listener.name.internal.ssl.keystore.location': certs.brokerPem,
      'listener.name.internal.ssl.truststore.location': certs.ca, 'listener.name.internal.ssl.client.auth': 'required',
      'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer',
      'super.users': 'User:broker;User:alice',
    },
    scram: [{ mechanism: 'SCRAM-SHA-512', name: 'broker', password: 'broker-secret' }],
  });
  t.teardown(() => c.close());
  const k = kafkaOn(c.bootstrap, { mechanism: 'plain', username: 'alice', password: 'alice-secret' });
  const admin = k.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  const ports = c.brokers.map((m) => m.port).sort();
  t.deepEqual((await admin.describeCluster()).brokers.map((x) => x.port).sort(), ports, 'clients are told the CLIENT addresses');
  await admin.createTopics({ topics: [{ topic: 'replicated', numPartitions: 3, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '3' }] }] });

  // acks=all with min.insync.replicas=3: acknowledged only once both followers fetched over INTERNAL.
  const producer = k.producer({ idempotent: true, transactionalId: 'tx-listeners', maxInFlightRequests: 1 });
  await producer.connect();
  const txn = await producer.transaction();
  await txn.send({ topic: 'replicated', acks: -1, messages: Array.from({ length: 30 }, (_, i) => ({ key: `k${i}`, value: `v${i}` })) });
  await txn.commit();
  await producer.disconnect();

  const consumer = k.consumer({ groupId: 'g-replicated', maxWaitTimeInMs: 100, readUncommitted: false });
  await consumer.connect();
  await consumer.subscribe({ topic: 'replicated', fromBeginning: true });
  t.is((await distinctValues(consumer, 30)).size, 30, 'every committed record read, its markers sent between brokers');
  await consumer.disconnect();

  // librdkafka 2.15.1 bootstraps on CLIENT too and is told the CLIENT addresses of the leaders.
  const rd = librdkafka(c.bootstrap).consumer({ 'security.protocol': 'sasl_plaintext', 'sasl.mechanisms': 'PLAIN', 'sasl.username': 'alice', 'sasl.password': 'alice-secret', 'group.id': 'rd-replicated', 'auto.offset.reset': 'earliest' });
  await rd.connect();
  await rd.subscribe({ topics: ['replicated'] });
  t.is((await distinctValues(rd, 30)).size, 30, 'librdkafka read them all over CLIENT');
  await rd.disconnect();

  const followerFetches = c.brokers.flatMap((m) => m.broker!.plane.trace({ api: 'Fetch' })).filter((e) => e.clientId?.startsWith('krill-replica-fetcher'));
  t.true(followerFetches.length > 0);
  t.true(followerFetches.every((e) => e.principal === 'broker'), 'followers authenticate as the SCRAM user of the inter-broker listener');
  t.true(c.brokers.every((m) => m.broker!.metadata.brokers.get(m.id)?.endpoints?.map((e) => e.name).join() === 'CLIENT,INTERNAL'));
});

test('a broker\'s own connection with a wrong inter-broker password is refused as a security error; bad listener configs stop the start', async (t) => {
  const b = await startBroker({
    config: { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN', 'sasl.jaas.config': PLAIN_JAAS },
  });
  t.teardown(() => b.close());
  const info = { nodeId: 7, host: b.host, port: b.port, rack: null };
  const configs = (jaas: string) => {
    const m: Record<string, string> = { 'listener.security.protocol.map': 'SASL_PLAINTEXT:SASL_PLAINTEXT', 'sasl.enabled.mechanisms': 'PLAIN', 'sasl.jaas.config': jaas };
    return { get: (k: string) => m[k] ?? null, lookup: (k: string) => ({ value: m[k] ?? null, source: k in m ? 4 : 5 }) };
  };
  const peer = (jaas: string) => new Peers(() => new Map([[7, info]]), 'SASL_PLAINTEXT', peerTransport(configs(jaas), 'SASL_PLAINTEXT', 5, true));
  const good = await peer('org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="alice-secret";').connect(7, 'peer-test');
  good.close();
  const refused = await peer('org.apache.kafka.common.security.plain.PlainLoginModule required username="alice" password="wrong";').connect(7, 'peer-test').then(() => null, (e: Error) => e);
  t.true(refused instanceof SecurityError, String(refused));
  t.throws(() => peer(PLAIN_JAAS), { instanceOf: ConfigError, message: /needs username and password/ }, 'a named inter-broker listener without client credentials');

  const start = (config: Record<string, string>) => startBroker({ config }).then((x) => x.close().then(() => null), (e: Error) => e);
  t.regex(String(await start({ listeners: 'PLAINTEXT://127.0.0.1:0,PLAINTEXT://127.0.0.1:0' })), /different name/);
  t.regex(String(await start({ 'advertised.listeners': 'OTHER://h:1' })), /not one of the listeners/);
  t.regex(String(await start({ 'inter.broker.listener.name': 'INTERNAL' })), /must be a listener name/);
  t.regex(String(await start({ 'inter.broker.listener.name': 'PLAINTEXT', 'security.inter.broker.protocol': 'PLAINTEXT' })), /Only one of/);
  t.regex(String(await start({ listeners: 'PLAINTEXT://127.0.0.1:0,SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN', 'sasl.jaas.config': PLAIN_JAAS, 'security.inter.broker.protocol': 'SASL_PLAINTEXT', 'sasl.mechanism.inter.broker.protocol': 'SCRAM-SHA-256' })), /must be included in sasl.enabled.mechanisms/);
});

test('brokers with different listeners: a client on one only some brokers have is told only those, and the others\' partitions are LISTENER_NOT_FOUND (LEADER_NOT_AVAILABLE before Metadata v6)', async (t) => {
  const c = await startCluster({
    brokers: 2,
    config: { 'listener.security.protocol.map': 'CLIENT:PLAINTEXT,EXTRA:PLAINTEXT', 'inter.broker.listener.name': 'CLIENT' },
    brokerConfig: (id) => ({ listeners: id === 0 ? 'CLIENT://127.0.0.1:0,EXTRA://127.0.0.1:0' : 'CLIENT://127.0.0.1:0' }),
  });
  t.teardown(() => c.close());
  const admin = kafkaOn(c.bootstrap).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'split', replicaAssignment: [{ partition: 0, replicas: [0] }, { partition: 1, replicas: [1] }] }] });
  const extra = c.bootstrapOn('extra');
  t.is(extra.split(',').length, 1, 'only broker 0 listens on EXTRA');
  const r = await RawClient.connect(Number(extra.split(':')[1]));
  t.teardown(() => r.close());
  const v9 = await r.request(3, 9, { topics: [{ name: 'split' }], allowAutoTopicCreation: false, includeClusterAuthorizedOperations: false, includeTopicAuthorizedOperations: false });
  t.deepEqual(v9.brokers.map((b) => b.nodeId), [0], 'broker 1 has no EXTRA listener');
  t.deepEqual(v9.topics[0]!.partitions.map((p) => [p.partitionIndex, p.errorCode, p.leaderId]), [[0, ErrorCode.NONE, 0], [1, ErrorCode.LISTENER_NOT_FOUND, -1]]);
  const v5 = await r.request(3, 5, { topics: [{ name: 'split' }], allowAutoTopicCreation: false });
  t.deepEqual(v5.topics[0]!.partitions.map((p) => p.errorCode), [ErrorCode.NONE, ErrorCode.LEADER_NOT_AVAILABLE]);
});
