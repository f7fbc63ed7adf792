// queued.max.requests, queued.max.request.bytes and a client that does not read its
// answers: past each bound the broker stops reading, so what a client pipelines waits in
// the socket, not in the broker's memory.
//
// Each test pipelines a long-poll Fetch and then a Produce that would satisfy it. While
// the broker reads on, the Produce lands at once and the Fetch answers with its record;
// while a bound holds, the Produce is read only after the Fetch has waited out maxWaitMs,
// so the Fetch answers empty.
import net from 'node:net';
import test, { type ExecutionContext } from 'ava';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { encodeBatch } from '../../src/protocol/records/records.js';
import { encodeRequest } from '../../src/broker/net/broker-client.js';
import { RawClient } from '../support/raw-client.js';
import { eventually, sleep } from '../support/helpers.js';

async function broker(t: ExecutionContext, config: Record<string, string>): Promise<{ b: RunningBroker; c: RawClient }> {
  const b = await startBroker({ config });
  t.teardown(() => b.close());
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  const r = await c.request(19, 5, { topics: [{ name: 't', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
  t.is(r.topics[0]!.errorCode, 0);
  return { b, c };
}

const longPoll = (c: RawClient) => c.request(1, 11, {
  replicaId: -1, maxWaitMs: 1500, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
  topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
  forgottenTopicsData: [], rackId: '',
}, 10_000);

async function produce(c: RawClient): Promise<number> {
  const records = await encodeBatch({ records: [{ value: 'v' }] });
  const r = await c.request(0, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] }, 10_000);
  return r.responses[0]!.partitionResponses[0]!.errorCode;
}

const recordsIn = (f: Awaited<ReturnType<typeof longPoll>>) => f.responses[0]!.partitions[0]!.records?.length ?? 0;

/** Sends a long-poll Fetch on `fetcher` and, once the broker holds it, a Produce on `producer`; returns how many bytes the Fetch answered with. */
async function fetchThenProduce(fetcher: RawClient, producer: RawClient): Promise<number> {
  const fetched = longPoll(fetcher);
  // The Fetch must be in the broker's hands before the Produce arrives, in a read of its own.
  await sleep(200);
  const produced = produce(producer);
  const f = await fetched;
  const code = await produced;
  if (code !== 0) throw new Error(`produce answered error ${code}`);
  return recordsIn(f);
}

test('pipelined requests on one connection are taken on together by default', async (t) => {
  const { c } = await broker(t, {});
  t.true(await fetchThenProduce(c, c) > 0, 'the Produce was read while the Fetch waited, and satisfied it');
});

test('queued.max.requests: a connection holding that many requests is not read from until one is answered', async (t) => {
  const { c } = await broker(t, { 'queued.max.requests': '1' });
  t.is(await fetchThenProduce(c, c), 0, 'the Produce waited in the socket until the Fetch had answered');
  t.true(recordsIn(await longPoll(c)) > 0, 'and was then written');
});

test('queued.max.request.bytes: while the broker holds that many request bytes, other connections are not read either', async (t) => {
  const { b, c } = await broker(t, { 'queued.max.request.bytes': '1' });
  const other = await RawClient.connect(b.port);
  t.teardown(() => other.close());
  // A connection reads its first batch of frames before it finds the budget spent: an
  // ApiVersions answered while the Fetch waits parks `other` with nothing in hand.
  const fetched = longPoll(c);
  await sleep(200);
  const v = await other.request(18, 3, { clientSoftwareName: 'test', clientSoftwareVersion: '1' });
  t.is(v.errorCode, 0);
  const produced = produce(other);
  t.is(recordsIn(await fetched), 0, 'the Produce was not read while the Fetch held the budget');
  t.is(await produced, 0);
  t.true(recordsIn(await longPoll(c)) > 0);
});

test('a client that sends requests but never reads the answers is no longer read from', async (t) => {
  const { b, c } = await broker(t, {});
  const records = await encodeBatch({ records: Array.from({ length: 8 }, () => ({ value: Buffer.alloc(100_000, 1) })) });
  await c.request(0, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 0, records }] }] });
  const s = net.connect(b.port, '127.0.0.1');
  t.teardown(() => s.destroy());
  await new Promise((r) => s.once('connect', r));
  s.pause();
  // Pairs of a Fetch answered with 800 KB and a CreateTopics whose topic shows how far
  // the broker read: reading on would queue 160 MB of answers nobody takes.
  const pairs = 200;
  for (let i = 0; i < pairs; i++) {
    s.write(encodeRequest(1, 4, 2 * i, 'flood', {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0,
      topics: [{ topic: 't', partitions: [{ partition: 0, fetchOffset: 0, partitionMaxBytes: 1 << 20 }] }],
    }));
    s.write(encodeRequest(19, 5, 2 * i + 1, 'flood', { topics: [{ name: `x${i}`, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false }));
  }
  await sleep(1500);
  const created = [...b.broker.metadata.topics.keys()].filter((n) => n.startsWith('x')).length;
  t.true(created < pairs / 4, `the broker read ${created} of ${pairs} pairs while the answers went unread`);
  // Reading the answers lets the broker read the rest.
  s.resume();
  await eventually(() => [...b.broker.metadata.topics.keys()].filter((n) => n.startsWith('x')).length === pairs, 30_000, 'every topic created');
  t.pass();
});
