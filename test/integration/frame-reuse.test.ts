// Large frames are read into recycled memory (blocks), which an in-memory log keeps and a
// fetch sends: none of it may be reused while anything still refers to it, or one
// request's bytes would leak into another's.
import test from 'ava';
import { FrameReader } from '../../src/broker/net/frame-reader.js';
import type { ProduceResponse } from '../../src/protocol/messages/index.js';
import { decodeRecords, encodeBatch } from '../../src/protocol/records/records.js';
import { startBroker } from '../../src/index.js';
import { sleep } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

function framed(body: Buffer): Buffer {
  const f = Buffer.alloc(4 + body.length);
  f.writeInt32BE(body.length, 0);
  body.copy(f, 4);
  return f;
}

test('a released joined frame is reused for the next large frame, and only then', (t) => {
  const r = new FrameReader(1 << 20);
  const a = framed(Buffer.alloc(100_000, 1));
  const [first] = [...r.push(a.subarray(0, 50_000)), ...r.push(a.subarray(50_000))];
  t.true(first!.every((x) => x === 1));
  const b = framed(Buffer.alloc(90_000, 2));
  const [second] = [...r.push(b.subarray(0, 10)), ...r.push(b.subarray(10))];
  t.not(second!.buffer, first!.buffer, 'not reused before release');
  t.true(first!.every((x) => x === 1), 'an unreleased frame is left alone');
  r.release(second!);
  const c = framed(Buffer.alloc(80_000, 3));
  const [third] = [...r.push(c.subarray(0, 10)), ...r.push(c.subarray(10))];
  t.is(third!.buffer, second!.buffer, 'the released memory holds the next frame');
  t.true(third!.every((x) => x === 3));
});

test('many large produce requests on one connection come back byte-identical', async (t) => {
  const b = await startBroker();
  t.teardown(() => b.close());
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  await c.request(19, 5, { topics: [{ name: 'big', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
  const values: string[] = [];
  const pending: Array<Promise<ProduceResponse>> = [];
  for (let i = 0; i < 20; i++) {
    const recs = Array.from({ length: 50 }, (_, j) => `${i}-${j}-`.padEnd(4000, String.fromCharCode(97 + ((i + j) % 26))));
    values.push(...recs);
    const records = await encodeBatch({ records: recs.map((value) => ({ value })) });
    pending.push(c.request(0, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'big', partitionData: [{ index: 0, records }] }] }));
  }
  for (const r of await Promise.all(pending)) t.is(r.responses![0]!.partitionResponses![0]!.errorCode, 0);
  const got: string[] = [];
  while (got.length < values.length) {
    const f = await c.request(1, 11, {
      replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
      topics: [{ topic: 'big', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: got.length, logStartOffset: -1, partitionMaxBytes: 300_000 }] }],
      forgottenTopicsData: [], rackId: '',
    });
    for (const batch of await decodeRecords(f.responses![0]!.partitions![0]!.records as Buffer)) for (const r of batch.records) got.push(r.value!.toString());
  }
  t.deepEqual(got, values);
});

test('a fetch answer queued behind a waiting request still carries its records after their topic is deleted and its memory wanted', async (t) => {
  const b = await startBroker();
  t.teardown(() => b.close());
  const admin = await RawClient.connect(b.port);
  const consumer = await RawClient.connect(b.port);
  t.teardown(() => admin.close());
  t.teardown(() => consumer.close());
  const create = (name: string) => admin.request(19, 5, { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
  const produce = async (topic: string, fill: string) => {
    const records = await encodeBatch({ records: Array.from({ length: 200 }, () => ({ value: fill.repeat(1000) })) });
    const r = await admin.request(0, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
    t.is(r.responses![0]!.partitionResponses![0]!.errorCode, 0);
  };
  const fetch = (topic: string, maxWaitMs: number) => consumer.request(1, 11, {
    replicaId: -1, maxWaitMs, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 0, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  for (const name of ['idle', 'gone', 'next']) await create(name);
  await produce('gone', 'g');
  // The first fetch waits for data that never comes; the second is answered at once but
  // its response waits behind the first, holding its read of the log.
  const waiting = fetch('idle', 400);
  const queued = fetch('gone', 0);
  await sleep(50);
  const del = await admin.request(20, 4, { topicNames: ['gone'], timeoutMs: 1000 });
  t.is(del.responses![0]!.errorCode, 0);
  // Requests as large as the deleted batch, which would take its memory were it free.
  for (let i = 0; i < 4; i++) await produce('next', 'n');
  await waiting;
  const got = (await decodeRecords((await queued).responses![0]!.partitions![0]!.records as Buffer)).flatMap((x) => x.records.map((r) => r.value!.toString()));
  t.is(got.length, 200);
  t.true(got.every((v) => v === 'g'.repeat(1000)));
});
