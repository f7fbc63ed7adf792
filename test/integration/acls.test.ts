// ACLs with Kafka's authorizer, through real clients: kafkajs's admin creates, describes
// and deletes them; users on a SASL listener are refused until granted, a prefixed DENY
// beats a literal ALLOW; kafka-python's admin does the same; ACLs survive a restart and
// apply on every broker of a cluster; without an authorizer the ACL APIs are disabled.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import kafkajs, { Kafka, logLevel, type AclEntry, type AclFilter } from 'kafkajs';
import { startBroker, startCluster } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { ROOT, tempDir } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

// kafkajs's ACL enums are not among the names Node finds in its CommonJS exports.
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

const JAAS = 'org.apache.kafka.common.security.plain.PlainLoginModule required username="admin" password="admin-secret" user_admin="admin-secret" user_alice="alice-secret";';
const AUTHORIZER = { 'authorizer.class.name': 'org.apache.kafka.metadata.authorizer.StandardAuthorizer' };

async function securedBroker(t: import('ava').ExecutionContext) {
  const b = await startBroker({
    config: { listeners: 'SASL_PLAINTEXT://127.0.0.1:0', 'sasl.enabled.mechanisms': 'PLAIN', 'sasl.jaas.config': JAAS, ...AUTHORIZER, 'super.users': 'User:admin' },
  });
  t.teardown(() => b.close());
  return b;
}

const as = (bootstrap: string, username: string, password: string) =>
  new Kafka({ clientId: `acl-${username}`, brokers: [bootstrap], logLevel: logLevel.NOTHING, retry: { retries: 0 }, sasl: { mechanism: 'plain', username, password } });

const acl = (a: Partial<AclEntry>): AclEntry => ({
  resourceType: AclResourceTypes.TOPIC, resourceName: 'orders', resourcePatternType: ResourcePatternTypes.LITERAL,
  principal: 'User:alice', host: '*', operation: AclOperationTypes.WRITE, permissionType: AclPermissionTypes.ALLOW, ...a,
});
const everything: AclFilter = { resourceType: AclResourceTypes.ANY, resourcePatternType: ResourcePatternTypes.ANY, operation: AclOperationTypes.ANY, permissionType: AclPermissionTypes.ANY };

interface Failure { type?: string; name?: string; cause?: Failure; originalError?: Failure; errors?: Failure[] }
/** The Kafka error under a refused kafkajs call (it wraps them in retry errors), or 'ok'. */
const outcome = (p: Promise<unknown>) => p.then(() => 'ok', (e: Failure) => {
  for (let at: Failure | undefined = e; at; at = at.cause ?? at.originalError ?? at.errors?.[0]) if (at.type) return at.type;
  return e.name ?? String(e);
});

test('kafkajs: alice is refused until granted; a prefixed DENY beats a literal ALLOW; ACLs described and deleted by the admin', async (t) => {
  const b = await securedBroker(t);
  const admin = as(b.bootstrap, 'admin', 'admin-secret').admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'orders' }, { topic: 'payments' }] });
  const alice = as(b.bootstrap, 'alice', 'alice-secret');
  const producer = alice.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const send = (topic: string) => outcome(producer.send({ topic, messages: [{ value: `to ${topic}` }] }));

  t.is(await send('orders'), 'TOPIC_AUTHORIZATION_FAILED', 'no ACL, no write');
  await admin.createAcls({ acl: [acl({})] });
  t.is(await send('orders'), 'ok', 'granted WRITE on orders');
  t.is(await send('payments'), 'TOPIC_AUTHORIZATION_FAILED', 'only on orders');

  // A group needs READ on it; the topic READ on it or a prefix.
  const aliceAdmin = alice.admin();
  await aliceAdmin.connect();
  t.teardown(() => aliceAdmin.disconnect());
  await admin.createAcls({ acl: [
    acl({ resourceName: 'ord', resourcePatternType: ResourcePatternTypes.PREFIXED, operation: AclOperationTypes.READ }),
    acl({ resourceType: AclResourceTypes.GROUP, resourceName: 'g1', operation: AclOperationTypes.READ }),
  ] });
  const consumer = alice.consumer({ groupId: 'g1', maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'orders', fromBeginning: true });
  const got = await new Promise<string>((resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(message.value!.toString()) }));
  t.is(got, 'to orders', 'alice reads with READ on the group and the prefix');
  await consumer.disconnect();
  t.deepEqual((await aliceAdmin.listTopics()).sort(), ['orders'], 'alice sees only the topics she may describe');

  await admin.createAcls({ acl: [acl({ resourceName: 'ord', resourcePatternType: ResourcePatternTypes.PREFIXED, permissionType: AclPermissionTypes.DENY })] });
  t.is(await send('orders'), 'TOPIC_AUTHORIZATION_FAILED', 'the prefixed DENY wins over the literal ALLOW');

  const described = await admin.describeAcls({ ...everything, principal: 'User:alice' });
  t.deepEqual(described.resources.map((r) => [r.resourceType, r.resourceName, r.resourcePatternType, r.acls.map((a) => [a.operation, a.permissionType])]), [
    [AclResourceTypes.TOPIC, 'orders', ResourcePatternTypes.LITERAL, [[AclOperationTypes.WRITE, AclPermissionTypes.ALLOW]]],
    [AclResourceTypes.TOPIC, 'ord', ResourcePatternTypes.PREFIXED, [[AclOperationTypes.READ, AclPermissionTypes.ALLOW], [AclOperationTypes.WRITE, AclPermissionTypes.DENY]]],
    [AclResourceTypes.GROUP, 'g1', ResourcePatternTypes.LITERAL, [[AclOperationTypes.READ, AclPermissionTypes.ALLOW]]],
  ]);
  const deleted = await admin.deleteAcls({ filters: [{ ...everything, permissionType: AclPermissionTypes.DENY }] });
  t.is(deleted.filterResponses[0]!.matchingAcls.length, 1);
  t.is(await send('orders'), 'ok', 'the DENY deleted');
  t.is(await outcome(aliceAdmin.createAcls({ acl: [acl({ principal: 'User:alice', operation: AclOperationTypes.ALL })] })), 'CLUSTER_AUTHORIZATION_FAILED', 'alice may not grant herself anything');
  t.is(await outcome(aliceAdmin.createTopics({ topics: [{ topic: 'mine' }] })), 'TOPIC_AUTHORIZATION_FAILED', 'creating a topic takes CREATE');
  t.false((await admin.listTopics()).includes('mine'));
});

test('the protocol by hand: SECURITY_DISABLED without an authorizer; unknown codes close the connection; v0 sees literal ACLs only', async (t) => {
  const plain = await startBroker({});
  t.teardown(() => plain.close());
  const c = await RawClient.connect(plain.port);
  t.teardown(() => c.close());
  const filter = { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 };
  t.like(await c.request(29, 3, filter), { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured on the broker' });
  const creation = { resourceType: 2, resourceName: 't', resourcePatternType: 3, principal: 'User:a', host: '*', operation: 3, permissionType: 3 };
  t.deepEqual((await c.request(30, 3, { creations: [creation] })).results, [{ errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.' }]);
  // Without an authorizer, every operation the cluster resource supports (AclEntry.supportedOperations: CREATE, ALTER, DESCRIBE, CLUSTER_ACTION, DESCRIBE_CONFIGS, ALTER_CONFIGS, IDEMPOTENT_WRITE).
  const clusterOps = [5, 7, 8, 9, 10, 11, 12].reduce((bits, op) => bits | (1 << op), 0);
  t.is((await c.request(60, 1, { includeClusterAuthorizedOperations: true, endpointType: 1 })).clusterAuthorizedOperations, clusterOps);
  t.is((await c.request(3, 9, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: false })).clusterAuthorizedOperations, clusterOps);

  const b = await startBroker({ config: { ...AUTHORIZER, 'super.users': 'User:ANONYMOUS' } });
  t.teardown(() => b.close());
  const s = await RawClient.connect(b.port);
  t.teardown(() => s.close());
  const created = await s.request(30, 1, { creations: [creation, { ...creation, resourcePatternType: 4 }, { ...creation, resourceType: 4 }] });
  t.deepEqual(created.results.map((r) => r.errorCode), [0, 0, ErrorCode.INVALID_REQUEST]);
  t.deepEqual((await s.request(29, 0, filter)).resources.map((r) => r.resourceName), ['t'], 'v0 filters are LITERAL');
  t.is((await s.request(29, 1, filter)).resources.length, 2);

  // No super user: the client may read topic 't' and nothing else.
  const locked = await startBroker({ config: AUTHORIZER });
  t.teardown(() => locked.close());
  await locked.broker.metadata.updateAcls(() => [{ resourceType: 2, resourceName: 't', patternType: 3, principal: 'User:ANONYMOUS', host: '*', operation: 3, permissionType: 3 }]);
  const r = await RawClient.connect(locked.port);
  t.teardown(() => r.close());
  await r.request(19, 7, { topics: [{ name: 't', numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false }).then((res) => {
    t.deepEqual(res.topics.map((x) => [x.errorCode, x.errorMessage]), [[ErrorCode.TOPIC_AUTHORIZATION_FAILED, 'Authorization failed.']], 'CREATE needed');
  });
  t.like(await r.request(10, 4, { keyType: 0, coordinatorKeys: ['g'] }), { coordinators: [{ key: 'g', errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: 'Group authorization failed.' }] });
  t.like(await r.request(11, 5, { groupId: 'g', sessionTimeoutMs: 10000, rebalanceTimeoutMs: 10000, memberId: '', groupInstanceId: null, protocolType: 'consumer', protocols: [] }), { errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED });
  // Kafka's authorizeClusterOperation names the request in its message.
  const request = /^Request Request\(processor=0, connectionId=127\.0\.0\.1:\d+-127\.0\.0\.1:\d+-\d+, session=Session\(User:ANONYMOUS,\/127\.0\.0\.1\), listenerName=ListenerName\(PLAINTEXT\), securityProtocol=PLAINTEXT, buffer=null, envelope=None\) is not authorized\.$/;
  const describeRefused = await r.request(29, 1, filter);
  t.like(describeRefused, { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, resources: [] });
  t.regex(describeRefused.errorMessage ?? '', request);
  t.regex((await r.request(30, 1, { creations: [creation] })).results[0]!.errorMessage ?? '', request);
  t.like(await r.request(46, 0, { timeoutMs: 1000, topics: null }), { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED });
  t.regex((await r.request(46, 0, { timeoutMs: 1000, topics: null })).errorMessage ?? '', request);
  t.like(await r.request(48, 1, { components: [], strict: false }), { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: 'Cluster authorization failed.' }, 'DescribeClientQuotas answers the error\'s own message');
  t.like(await r.request(43, 2, { electionType: 0, topicPartitions: [{ topic: 't', partitions: [0] }], timeoutMs: 1000 }), {
    errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, replicaElectionResults: [{ topic: 't', partitionResult: [{ partitionId: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED }] }],
  });
  t.deepEqual((await r.request(3, 9, { topics: [{ name: 'secret' }], allowAutoTopicCreation: true, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: true })).topics.map((x) => [x.name, x.errorCode]), [['secret', ErrorCode.TOPIC_AUTHORIZATION_FAILED]]);
  t.like(await r.request(3, 9, { topics: null, allowAutoTopicCreation: false, includeClusterAuthorizedOperations: true, includeTopicAuthorizedOperations: false }), { clusterAuthorizedOperations: 0 });
  // KIP-848: READ on the group, and DESCRIBE on every subscribed topic.
  await locked.broker.metadata.updateAcls((current) => [...current, { resourceType: 3, resourceName: 'g848', patternType: 3, principal: 'User:ANONYMOUS', host: '*', operation: 3, permissionType: 3 }]);
  const heartbeat = (subscribedTopicNames: string[]) => r.request(68, 0, { groupId: 'g848', memberId: 'm-1', memberEpoch: 0, instanceId: null, rackId: null, rebalanceTimeoutMs: 30000, subscribedTopicNames, serverAssignor: null, topicPartitions: [] });
  t.like(await heartbeat(['t', 'secret']), { errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, memberEpoch: 0, assignment: null });
  t.like(await r.request(10, 4, { keyType: 0, coordinatorKeys: ['g848'] }), { coordinators: [{ errorCode: ErrorCode.NONE }] });
  t.like(await heartbeat(['t']), { errorCode: ErrorCode.NONE, memberEpoch: 1 });
  // CREATE on topic 'c' without DESCRIBE_CONFIGS: created, its configs withheld.
  await locked.broker.metadata.updateAcls((current) => [...current, { resourceType: 2, resourceName: 'c', patternType: 3, principal: 'User:ANONYMOUS', host: '*', operation: 5, permissionType: 3 }]);
  const made = await r.request(19, 7, { topics: [{ name: 'c', numPartitions: 1, replicationFactor: -1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  t.like(made.topics[0], { name: 'c', errorCode: 0, configs: null, topicConfigErrorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED });
  const unknown = await RawClient.connect(b.port);
  await t.throwsAsync(unknown.request(29, 1, { ...filter, operation: 0 }), undefined, 'an UNKNOWN operation does not parse: the connection closes');
  unknown.close();
});

test('kafka-python\'s admin creates, describes and deletes ACLs; its producer is refused, granted, refused', async (t) => {
  const b = await securedBroker(t);
  const { stdout } = await promisify(execFile)('/usr/bin/python3', [path.join(ROOT, 'compat/_acl_admin.py'), b.bootstrap, 'admin:admin-secret', 'alice:alice-secret'], { timeout: 120_000 });
  t.log(stdout.trim());
  t.regex(stdout, /^ok/m);
});

test('ACLs are kept across a restart and apply on every broker of a cluster', async (t) => {
  const dir = tempDir(t, 'acls');
  // An ACL on a topic closes it to all but what its ACLs allow: ALL for everyone, less WRITE.
  const creation = { resourceType: 2, resourceName: 'locked', resourcePatternType: 3, principal: 'User:ANONYMOUS', host: '*', operation: 4, permissionType: 2 };
  const creations = [creation, { ...creation, principal: 'User:*', operation: 2, permissionType: 3 }];
  const filter = { resourceTypeFilter: 1, resourceNameFilter: null, patternTypeFilter: 1, principalFilter: null, hostFilter: null, operation: 1, permissionType: 1 };
  const config = { ...AUTHORIZER, 'allow.everyone.if.no.acl.found': 'true' };
  let b = await startBroker({ storage: dir, config });
  let c = await RawClient.connect(b.port);
  t.is((await c.request(30, 2, { creations: [creation] })).results[0]!.errorCode, 0);
  c.close();
  await b.close();
  b = await startBroker({ storage: dir, config });
  t.teardown(() => b.close());
  c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  t.is((await c.request(29, 2, filter)).resources[0]?.resourceName, 'locked', 'the ACL is still there after the restart');

  // No ACL on the cluster or other topics: open (allow.everyone.if.no.acl.found), so brokers replicate; 'locked' is denied WRITE.
  const cluster = await startCluster({ brokers: 3, config });
  t.teardown(() => cluster.close());
  const first = await RawClient.connect(cluster.brokers[0]!.port);
  t.teardown(() => first.close());
  t.deepEqual((await first.request(30, 3, { creations })).results.map((r) => r.errorCode), [0, 0]);
  const k = new Kafka({ clientId: 'acl-cluster', brokers: [`${cluster.brokers[2]!.host}:${cluster.brokers[2]!.port}`], logLevel: logLevel.NOTHING, retry: { retries: 2 } });
  const admin = k.admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'locked', replicationFactor: 3, numPartitions: 3 }, { topic: 'open', replicationFactor: 3, numPartitions: 3 }] });
  const producer = k.producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  t.is(await outcome(producer.send({ topic: 'open', acks: -1, messages: [{ value: 'x' }, { value: 'y' }, { value: 'z' }] })), 'ok', 'replicated to every broker');
  t.is(await outcome(producer.send({ topic: 'locked', messages: [{ value: 'x' }] })), 'TOPIC_AUTHORIZATION_FAILED', 'the DENY made on broker 0 holds on the leaders');
  for (const member of cluster.brokers) t.is(member.broker!.metadata.acls.length, 2, `broker ${member.id} has the ACLs`);
});
