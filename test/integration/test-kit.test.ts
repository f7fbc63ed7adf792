// The test kit (issue 22): faults injected over HTTP and in-process, the protocol trace,
// reset; driven by real clients (kafkajs here, librdkafka through compat/_faults_confluent.py).
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { FaultError, startBroker } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeBatch } from '../../src/protocol/records/records.js';
import { startBrokerProcess } from '../support/broker-process.js';
import { kafka, ROOT, tempDir } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

const run = promisify(execFile);

async function call(base: string, method: string, route: string, body?: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(base + route, { method, body, headers: { 'content-type': 'application/json' } });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : null };
}

test('HTTP: faults are added, listed and removed; bad input is 400 with the valid names and changes nothing', async (t) => {
  const b = await startBroker({ http: true });
  t.teardown(() => b.close());
  const base = b.http!;
  const added = await call(base, 'POST', '/v1/faults', JSON.stringify({ api: 'Produce', topic: 't', error: 'NOT_LEADER_OR_FOLLOWER', count: 3 }));
  t.deepEqual(added, { status: 201, json: { id: 1 } });
  const byKey = await call(base, 'POST', '/v1/faults', JSON.stringify({ api: 1, delayMs: 10, count: -1 }));
  t.is(byKey.status, 201);
  for (const [body, pattern] of [
    ['{"api":"Produz","error":"NOT_LEADER_OR_FOLLOWER"}', /unknown api/],
    ['{"api":"Produce","error":"NOT_AN_ERROR"}', /unknown error/],
    ['{"api":"Produce","error":"NONE"}', /unknown error/],
    ['{"api":"Produce","error":"NOT_LEADER_OR_FOLLOWER","count":-2}', /count/],
    ['{"api":"Produce","error":"NOT_LEADER_OR_FOLLOWER","count":0}', /count/],
    ['{"api":"Produce","delayMs":-1}', /delayMs/],
    ['{"api":"Produce","error":"NOT_LEADER_OR_FOLLOWER","colour":"red"}', /unknown field/],
    ['{"api":"Produce"}', /needs error, delayMs or disconnect/],
    ['{"api":"Produce",', /not JSON/],
    ['[1]', /JSON object/],
  ] as const) {
    const r = await call(base, 'POST', '/v1/faults', body);
    t.is(r.status, 400, body);
    t.regex((r.json as { error: string }).error, pattern, body);
  }
  const unknownApi = await call(base, 'POST', '/v1/faults', '{"api":"Produz","error":"NOT_LEADER_OR_FOLLOWER"}');
  t.true((unknownApi.json as { valid: string[] }).valid.includes('Produce'), 'the valid API names are listed');
  const listed = (await call(base, 'GET', '/v1/faults')).json as Array<Record<string, unknown>>;
  t.like(listed, [{ id: 1, api: 'Produce', topic: 't', error: 'NOT_LEADER_OR_FOLLOWER', remaining: 3 }, { id: 2, api: 'Fetch', delayMs: 10, remaining: -1 }]);
  t.is((await call(base, 'DELETE', '/v1/faults/1')).status, 204);
  t.is((await call(base, 'DELETE', '/v1/faults/1')).status, 404);
  t.is((await call(base, 'DELETE', '/v1/faults')).status, 204);
  t.deepEqual((await call(base, 'GET', '/v1/faults')).json, []);
  t.is((await call(base, 'GET', '/v1/trace?limit=-1')).status, 400);
  t.is((await call(base, 'GET', '/v1/trace?colour=red')).status, 400);
  t.is((await call(base, 'PUT', '/v1/faults')).status, 405);
  t.is((await call(base, 'GET', '/v1/nothing')).status, 404);
  t.throws(() => b.addFault({ api: 'Produce', error: 'NOPE' }), { instanceOf: FaultError });
});

test('a broker not started for testing answers none of the test kit\'s endpoints', async (t) => {
  const b = await startBroker({ http: true, testKit: false });
  t.teardown(() => b.close());
  for (const [method, route] of [['GET', '/v1/faults'], ['POST', '/v1/faults'], ['GET', '/v1/trace'], ['POST', '/v1/reset']] as const) {
    t.is((await call(b.http!, method, route, method === 'POST' ? '{}' : undefined)).status, 404, `${method} ${route}`);
  }
  t.throws(() => b.faults(), { message: /not started for testing/ });
});

test('kafkajs: retried through NOT_LEADER_OR_FOLLOWER and delivered once; a non-retriable error reaches the application once; a dropped fetch is survived', async (t) => {
  const b = await startBroker();
  t.teardown(() => b.close());
  const k = kafka(b.bootstrap, 'kit-client');
  const admin = k.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'kt', numPartitions: 1 }] });
  await admin.disconnect();
  const producer = k.producer({ retry: { retries: 5, initialRetryTime: 20 } });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  b.addFault({ api: 'Produce', topic: 'kt', error: 'NOT_LEADER_OR_FOLLOWER', count: 2 });
  await producer.send({ topic: 'kt', messages: [{ value: 'once' }] });
  b.addFault({ api: 'Produce', error: 'TOPIC_AUTHORIZATION_FAILED' });
  await t.throwsAsync(producer.send({ topic: 'kt', messages: [{ value: 'refused' }] }), { message: /authoriz/i });
  const attempts = b.trace({ api: 'Produce', clientId: 'kit-client' });
  t.deepEqual(attempts.map((e) => e.fault?.error ?? null), ['NOT_LEADER_OR_FOLLOWER', 'NOT_LEADER_OR_FOLLOWER', null, 'TOPIC_AUTHORIZATION_FAILED']);
  t.like(attempts[2]!.request, { topicData: [{ name: 'kt', partitionData: [{ index: 0, records: [{ baseOffset: 0, count: 1, compression: 'none' }] }] }] });

  b.addFault({ api: 'Fetch', disconnect: true });
  b.addFault({ api: 'ListOffsets', delayMs: 200 });
  const consumer = k.consumer({ groupId: 'kit-reader', maxWaitTimeInMs: 50 });
  await consumer.connect();
  t.teardown(() => consumer.disconnect());
  await consumer.subscribe({ topic: 'kt', fromBeginning: true });
  const seen: string[] = [];
  void consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); } });
  for (let i = 0; i < 200 && seen.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 300));
  t.deepEqual(seen, ['once'], 'the record produced through two errors is there once; the refused one is not');
  t.deepEqual(b.faults(), [], 'each fault spent');
  const delayed = b.trace({ api: 'ListOffsets' }).find((e) => e.fault?.delayMs === 200);
  t.truthy(delayed, 'the consumer\'s ListOffsets met the delay');
  // A timer may fire a fraction of a millisecond early by the high-resolution clock.
  t.true(delayed!.durationMs >= 199, `the answer was held back (${delayed!.durationMs} ms)`);
});

test('a fault on one topic of a request: that slot gets the error, the others are handled', async (t) => {
  const b = await startBroker();
  t.teardown(() => b.close());
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  await c.request(19, 4, { topics: ['a', 'b'].map((name) => ({ name, numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] })), timeoutMs: 5000, validateOnly: false });
  b.addFault({ api: 'Produce', topic: 'a', partition: 1, error: 'NOT_ENOUGH_REPLICAS' });
  const records = await encodeBatch({ records: [{ value: 'v' }] });
  const r = await c.request(0, 9, { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: ['a', 'b'].map((name) => ({ name, partitionData: [0, 1].map((index) => ({ index, records })) })) });
  const codes = Object.fromEntries(r.responses.flatMap((x) => x.partitionResponses.map((p) => [`${x.name}-${p.index}`, p.errorCode])));
  t.deepEqual(codes, { 'a-0': ErrorCode.NONE, 'a-1': ErrorCode.NOT_ENOUGH_REPLICAS, 'b-0': ErrorCode.NONE, 'b-1': ErrorCode.NONE });
  const end = async (topic: string, partition: number) => (await c.request(2, 1, { replicaId: -1, topics: [{ name: topic, partitions: [{ partitionIndex: partition, timestamp: -1 }] }] })).topics[0]!.partitions[0]!.offset;
  t.deepEqual([await end('a', 0), await end('a', 1), await end('b', 1)], [1, 0, 1], 'the faulted partition was not written');
  b.addFault({ api: 'FindCoordinator', error: 'COORDINATOR_NOT_AVAILABLE' });
  t.is((await c.request(10, 1, { key: 'g', keyType: 0 })).errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE, 'an API with no slots gets the top-level error');
});

test('reset: topics, groups and transactional ids gone, faults and trace cleared; the same names can be made again', async (t) => {
  const b = await startBroker({ http: true });
  t.teardown(() => b.close());
  const k = kafka(b.bootstrap);
  const admin = k.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'r1', numPartitions: 2 }, { topic: 'r2' }] });
  await admin.disconnect();
  const p = k.producer({ transactionalId: 'rt', idempotent: true, maxInFlightRequests: 1 });
  await p.connect();
  const txn = await p.transaction();
  await txn.send({ topic: 'r1', messages: [{ value: 'x' }] });
  await txn.sendOffsets({ consumerGroupId: 'rg', topics: [{ topic: 'r1', partitions: [{ partition: 0, offset: '5' }] }] });
  await txn.commit();
  await p.disconnect();
  b.addFault({ api: 'Produce', delayMs: 1, count: -1 });
  const reset = await call(b.http!, 'POST', '/v1/reset');
  t.is(reset.status, 200);
  t.like(reset.json, { topics: ['r1', 'r2'], groups: ['rg'], transactionalIds: ['rt'] });
  // As after a test file: new clients, which know nothing of the topics that went.
  const fresh = kafka(b.bootstrap).admin();
  await fresh.connect();
  t.teardown(() => fresh.disconnect());
  t.deepEqual((await fresh.listTopics()).filter((n) => !n.startsWith('__')), []);
  t.deepEqual((await fresh.listGroups()).groups, []);
  t.deepEqual(b.faults(), []);
  t.true(b.trace().every((e) => e.api !== 'Produce'), 'the trace starts again');
  await fresh.createTopics({ topics: [{ topic: 'r1', numPartitions: 1 }] });
  t.deepEqual((await fresh.fetchTopicOffsets('r1')).map((o) => o.high), ['0'], 'a new, empty r1');
  t.is((await call(b.http!, 'POST', '/v1/reset', '{"all":true}')).status, 400);
});

test('librdkafka (confluent-kafka) through faults set over HTTP: compat/_faults_confluent.py', async (t) => {
  const b = await startBroker({ http: true });
  t.teardown(() => b.close());
  const { stdout } = await run('/usr/bin/python3', [path.join(ROOT, 'compat/_faults_confluent.py'), b.bootstrap, b.http!], { timeout: 90_000 });
  t.log(stdout.trim());
  t.regex(stdout, /^ok/m);
});

test('bin/krill start --http-port: the test kit\'s endpoints answer with --test-kit, and only then', async (t) => {
  for (const testKit of [true, false]) {
    let log = '';
    const b = await startBrokerProcess(['--port', '0', '--data-dir', tempDir(t, `kit-${testKit}`), '--http-port', '0', ...(testKit ? ['--test-kit'] : [])], (c) => { log += c; });
    t.teardown(() => b.proc.kill('SIGKILL'));
    const base = /control plane on (http:\/\/127\.0\.0\.1:\d+)/.exec(log)?.[1];
    t.truthy(base, log);
    const added = await call(base!, 'POST', '/v1/faults', '{"api":"Produce","error":"NOT_LEADER_OR_FOLLOWER"}');
    t.is(added.status, testKit ? 201 : 404);
    b.proc.kill('SIGTERM');
  }
});
