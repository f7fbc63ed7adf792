// A response the socket cannot take at once is written in part at once and the rest
// through the socket's stream; the log memory it sends stays held until it has all gone,
// even when its topic is deleted meanwhile. Requests behind it are read once it has gone.
import net from 'node:net';
import test from 'ava';
import { fetchRequest, fetchResponse, type FetchResponse } from '../../src/protocol/messages/index.js';
import { Reader, Writer } from '../../src/protocol/primitives.js';
import { decodeRecords, encodeBatch } from '../../src/protocol/records/records.js';
import { decodeMessage, encodeMessage } from '../../src/protocol/schema.js';
import { startBroker } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { sleep } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

const create = (name: string) => ({ topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });

async function produce(c: RawClient, topic: string, batches: number, fill: (i: number, j: number) => string): Promise<string[]> {
  const values: string[] = [];
  for (let i = 0; i < batches; i++) {
    const recs = Array.from({ length: 250 }, (_, j) => `${i}-${j}-`.padEnd(4000, fill(i, j)));
    values.push(...recs);
    const records = await encodeBatch({ records: recs.map((value) => ({ value })) });
    const r = await c.request(0, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: 0, records }] }] });
    if (r.responses![0]!.partitionResponses![0]!.errorCode !== 0) throw new Error('produce failed');
  }
  return values;
}

function fetchFrame(correlationId: number, topic: string, offset: number): Buffer {
  const w = new Writer();
  w.int32(0).int16(1).int16(11).int32(correlationId).int16(4).utf8('slow', 4);
  encodeMessage(fetchRequest, 11, w, {
    replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 64 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic, partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: offset, logStartOffset: -1, partitionMaxBytes: 4 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  const out = w.toBuffer();
  out.writeInt32BE(out.length - 4, 0);
  return out;
}

test('responses larger than the socket takes arrive whole and in order, and their memory is held until sent', async (t) => {
  const b = await startBroker();
  t.teardown(() => b.close());
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  await c.request(19, 5, create('slow'));
  // 16 MB: four 4 MB answers are more than loopback's socket buffers hold.
  const values = await produce(c, 'slow', 16, (i, j) => String.fromCharCode(97 + ((i + j) % 26)));

  const reader = net.connect(b.port, '127.0.0.1');
  await new Promise((resolve) => reader.once('connect', resolve));
  reader.pause();
  const offsets = [0, 1000, 2000, 3000];
  reader.write(Buffer.concat(offsets.map((o, i) => fetchFrame(i + 1, 'slow', o))));
  await sleep(300);
  // The answers taken on are now partly in the kernel and partly queued in the broker; the
  // later fetches wait unread. Deleting the topic lets go of the log's hold on the queued
  // answers' memory; new large produce requests want it.
  await c.request(20, 4, { topicNames: ['slow'], timeoutMs: 1000 });
  await c.request(19, 5, create('other'));
  await produce(c, 'other', 16, () => 'Z');

  const chunks: Buffer[] = [];
  reader.on('data', (d: Buffer) => chunks.push(d));
  reader.resume();
  const frames: Buffer[] = [];
  for (let waited = 0; frames.length < offsets.length && waited < 10_000; waited += 20) {
    await sleep(20);
    let buf = Buffer.concat(chunks);
    frames.length = 0;
    while (buf.length >= 4 && buf.length >= 4 + buf.readInt32BE(0)) {
      frames.push(buf.subarray(4, 4 + buf.readInt32BE(0)));
      buf = buf.subarray(4 + buf.readInt32BE(0));
    }
  }
  reader.destroy();
  t.is(frames.length, offsets.length);
  frames.forEach((f, i) => t.is(f.readInt32BE(0), i + 1, 'answers come in request order'));
  const answers = frames.map((f) => decodeMessage<FetchResponse>(fetchResponse, 11, new Reader(f, 4)).responses[0]!.partitions[0]!);
  // The broker stops reading once an answer waits unsent, so the fetches it had not yet
  // read find the topic deleted; those it had taken on answer every byte as produced.
  t.is(answers[0]!.errorCode, 0);
  t.is(answers.at(-1)!.errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 'the last fetch was read only after the topic was gone');
  const got: string[] = [];
  let taken = 0;
  for (const a of answers) {
    if (a.errorCode !== 0) continue;
    t.is(taken++, answers.indexOf(a), 'the fetches taken on are the first ones');
    for (const batch of await decodeRecords(a.records as Buffer)) for (const r of batch.records) got.push(r.value!.toString());
  }
  t.deepEqual(got, values.slice(0, got.length), 'every byte as produced, none from the later topic');
  t.is(got.length, taken * 1000);
});
