// Bad input gets Kafka's answer; the connection or the broker stays healthy; the log is untouched.
import test, { type ExecutionContext } from 'ava';
import fc from 'fast-check';
import { ErrorCode } from '../../src/protocol/errors.js';
import type { ProduceResponse } from '../../src/protocol/messages/index.js';
import { Off } from '../../src/protocol/records/batch.js';
import { encodeBatch } from '../../src/protocol/records/records.js';
import { startBroker, type RunningBroker } from '../../src/index.js';
import { RawClient } from '../support/raw-client.js';
import { Writer } from '../../src/protocol/primitives.js';

const PRODUCE = 0;
const FETCH = 1;
const CREATE_TOPICS = 19;

async function start(t: ExecutionContext, config: Record<string, string> = {}): Promise<RunningBroker> {
  const b = await startBroker({ config });
  t.teardown(() => b.close());
  return b;
}

async function setup(t: ExecutionContext, config: Record<string, string> = {}): Promise<{ b: RunningBroker; c: RawClient }> {
  const b = await start(t, config);
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  await c.request(CREATE_TOPICS, 5, { topics: [{ name: 't', numPartitions: 2, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
  return { b, c };
}

const produce = (c: RawClient, records: Buffer, partition = 0, topic = 't', version = 9) =>
  c.request(PRODUCE, version, { transactionalId: null, acks: -1, timeoutMs: 1000, topicData: [{ name: topic, partitionData: [{ index: partition, records }] }] });

const firstPartition = (r: ProduceResponse) => r.responses![0]!.partitionResponses![0]!;

test('a batch with a wrong CRC is CORRUPT_MESSAGE and nothing is appended', async (t) => {
  const { b, c } = await setup(t);
  const batch = await encodeBatch({ records: [{ value: 'hello' }] });
  batch[batch.length - 1]! ^= 0xff;
  t.is(firstPartition(await produce(c, batch)).errorCode, ErrorCode.CORRUPT_MESSAGE);
  t.is(b.broker.replicas.partition('t', 0)!.log.logEndOffset, 0);
  const ok = await encodeBatch({ records: [{ value: 'hello' }] });
  t.is(firstPartition(await produce(c, ok)).errorCode, ErrorCode.NONE, 'the connection still works');
});

test('a batch larger than max.message.bytes is MESSAGE_TOO_LARGE', async (t) => {
  const { b, c } = await setup(t, { 'message.max.bytes': '1000' });
  const batch = await encodeBatch({ records: [{ value: Buffer.alloc(2000, 1) }] });
  t.is(firstPartition(await produce(c, batch)).errorCode, ErrorCode.MESSAGE_TOO_LARGE);
  t.is(b.broker.replicas.partition('t', 0)!.log.logEndOffset, 0);
});

test('produce follows topic and broker config changes: max.message.bytes, min.insync.replicas, message.timestamp.type', async (t) => {
  const { c } = await setup(t);
  const alter = (resourceType: number, resourceName: string, name: string, value: string) =>
    c.request(44, 1, { resources: [{ resourceType, resourceName, configs: [{ name, configOperation: 0, value }] }], validateOnly: false });
  const batch = async () => encodeBatch({ records: [{ value: Buffer.alloc(2000, 1) }] });
  t.is(firstPartition(await produce(c, await batch())).errorCode, ErrorCode.NONE);
  t.is((await alter(2, 't', 'max.message.bytes', '1000')).responses![0]!.errorCode, ErrorCode.NONE);
  t.is(firstPartition(await produce(c, await batch())).errorCode, ErrorCode.MESSAGE_TOO_LARGE);
  t.is((await alter(4, '', 'min.insync.replicas', '2')).responses![0]!.errorCode, ErrorCode.NONE);
  t.is(firstPartition(await produce(c, await encodeBatch({ records: [{ value: 'x' }] }), 1)).errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);
  t.is((await alter(2, 't', 'message.timestamp.type', 'LogAppendTime')).responses![0]!.errorCode, ErrorCode.NONE);
  const stamped = firstPartition(await c.request(PRODUCE, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 't', partitionData: [{ index: 1, records: await encodeBatch({ records: [{ value: 'y', timestamp: 1 }] }) }] }] }));
  t.is(stamped.errorCode, ErrorCode.NONE);
  t.true(Number(stamped.logAppendTimeMs) > 1_000_000, 'the broker stamped the append time');
});

test('produce to an unknown partition or topic is UNKNOWN_TOPIC_OR_PARTITION', async (t) => {
  const { c } = await setup(t);
  const batch = await encodeBatch({ records: [{ value: 'x' }] });
  t.is(firstPartition(await produce(c, batch, 7)).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
  t.is(firstPartition(await produce(c, batch, 0, 'nope')).errorCode, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
});

test('fetch beyond the log end is OFFSET_OUT_OF_RANGE', async (t) => {
  const { c } = await setup(t);
  const r = await c.request(FETCH, 11, {
    replicaId: -1, maxWaitMs: 0, minBytes: 1, maxBytes: 1 << 20, isolationLevel: 0, sessionId: 0, sessionEpoch: -1,
    topics: [{ topic: 't', partitions: [{ partition: 0, currentLeaderEpoch: -1, fetchOffset: 5, logStartOffset: -1, partitionMaxBytes: 1 << 20 }] }],
    forgottenTopicsData: [], rackId: '',
  });
  t.is(r.responses![0]!.partitions![0]!.errorCode, ErrorCode.OFFSET_OUT_OF_RANGE);
});

test('illegal and duplicate topic names get INVALID_TOPIC_EXCEPTION and TOPIC_ALREADY_EXISTS', async (t) => {
  const { c } = await setup(t);
  const create = (name: string) => c.request(CREATE_TOPICS, 5, { topics: [{ name, numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
  for (const bad of ['has space', '..', 'a/b', 'x'.repeat(250)]) t.is((await create(bad)).topics![0]!.errorCode, ErrorCode.INVALID_TOPIC_EXCEPTION, bad);
  const dup = (await create('t')).topics![0]!;
  t.is(dup.errorCode, ErrorCode.TOPIC_ALREADY_EXISTS);
  t.is(dup.errorMessage, "Topic 't' already exists.");
  const rf = (await c.request(CREATE_TOPICS, 5, { topics: [{ name: 'rf3', numPartitions: 1, replicationFactor: 3, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false })).topics![0]!;
  t.is(rf.errorCode, ErrorCode.INVALID_REPLICATION_FACTOR);
});

test('a frame over socket.request.max.bytes closes the connection, the broker carries on', async (t) => {
  const b = await start(t, { 'socket.request.max.bytes': '1024' });
  const c = await RawClient.connect(b.port);
  const big = Buffer.alloc(8);
  big.writeInt32BE(4096, 0);
  c.sendRaw(big);
  t.true(await c.closedWithin(2000));
  const c2 = await RawClient.connect(b.port);
  const r = await c2.request(18, 3, { clientSoftwareName: 'x', clientSoftwareVersion: '1' });
  t.is(r.errorCode, ErrorCode.NONE);
  c2.close();
});

test('an unsupported ApiVersions version gets a v0 answer with UNSUPPORTED_VERSION and the list', async (t) => {
  const b = await start(t);
  const c = await RawClient.connect(b.port);
  const frame = Buffer.alloc(4 + 10);
  frame.writeInt32BE(10, 0);
  frame.writeInt16BE(18, 4);
  frame.writeInt16BE(99, 6);
  frame.writeInt32BE(42, 8);
  frame.writeInt16BE(-1, 12);
  const pending = c.nextFrame();
  c.sendRaw(frame);
  const resp = await pending;
  t.is(resp.readInt32BE(0), 42);
  t.is(resp.readInt16BE(4), ErrorCode.UNSUPPORTED_VERSION);
  t.true(resp.readInt32BE(6) > 10, 'the supported list follows');
});

test('an unknown API key closes the connection', async (t) => {
  const b = await start(t);
  const c = await RawClient.connect(b.port);
  const frame = Buffer.alloc(14);
  frame.writeInt32BE(10, 0);
  frame.writeInt16BE(999, 4);
  frame.writeInt16BE(0, 6);
  frame.writeInt32BE(1, 8);
  frame.writeInt16BE(-1, 12);
  c.sendRaw(frame);
  t.true(await c.closedWithin(2000));
});

test('idempotent producer: a retried batch is answered with its first offset; gaps and old epochs are refused', async (t) => {
  const { b, c } = await setup(t);
  const batch = (seq: number, epoch = 0) => encodeBatch({ records: [{ value: 'a' }, { value: 'b' }], producerId: 7, producerEpoch: epoch, baseSequence: seq });
  t.is(firstPartition(await produce(c, await batch(0))).baseOffset, 0);
  t.is(firstPartition(await produce(c, await batch(2))).baseOffset, 2);
  const dup = firstPartition(await produce(c, await batch(0)));
  t.is(dup.errorCode, ErrorCode.NONE);
  t.is(dup.baseOffset, 0, 'the duplicate gets the offset it was first written at');
  t.is(firstPartition(await produce(c, await batch(9))).errorCode, ErrorCode.OUT_OF_ORDER_SEQUENCE_NUMBER);
  t.is(firstPartition(await produce(c, await batch(0, 1))).baseOffset, 4, 'a new epoch starts at sequence 0');
  t.is(firstPartition(await produce(c, await batch(4, 0))).errorCode, ErrorCode.INVALID_PRODUCER_EPOCH);
  t.is(b.broker.replicas.partition('t', 0)!.log.logEndOffset, 6);
});

test('random and mutated frames never crash the broker', async (t) => {
  const b = await start(t);
  const valid = await encodeBatch({ records: [{ key: 'k', value: 'v' }] });
  await fc.assert(fc.asyncProperty(
    fc.integer({ min: 0, max: 70 }), fc.integer({ min: -1, max: 20 }), fc.uint8Array({ minLength: 0, maxLength: 300 }),
    async (apiKey, version, body) => {
      const c = await RawClient.connect(b.port);
      const frame = Buffer.alloc(4 + 10 + body.length);
      frame.writeInt32BE(10 + body.length, 0);
      frame.writeInt16BE(apiKey, 4);
      frame.writeInt16BE(version, 6);
      frame.writeInt32BE(1, 8);
      frame.writeInt16BE(-1, 12);
      Buffer.from(body).copy(frame, 14);
      c.sendRaw(frame);
      await Promise.race([c.nextFrame(300).catch(() => null), c.closedWithin(300)]);
      c.close();
    },
  ), { numRuns: 150 });
  // Mutated produce requests: flip bytes of a valid one.
  const c0 = await RawClient.connect(b.port);
  await c0.request(CREATE_TOPICS, 5, { topics: [{ name: 'fz', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 1000, validateOnly: false });
  c0.close();
  await fc.assert(fc.asyncProperty(fc.integer({ min: 0, max: valid.length - 1 }), fc.integer({ min: 1, max: 255 }), async (at, x) => {
    const c = await RawClient.connect(b.port);
    const mutated = Buffer.from(valid);
    mutated[at]! ^= x;
    const r = await produce(c, mutated, 0, 'fz').catch(() => null);
    if (r) {
      const code = firstPartition(r).errorCode;
      // Offset and epoch fields are the broker's to set; any other flipped byte must be refused.
      if (at >= Off.magic) t.not(code, ErrorCode.NONE, `byte ${at} flipped was accepted`);
    }
    c.close();
  }), { numRuns: 150 });
  const c = await RawClient.connect(b.port);
  const r = await c.request(18, 0, {});
  t.is(r.errorCode, ErrorCode.NONE, 'the broker still answers');
});

test('acks=all with fewer in-sync replicas than min.insync.replicas is NOT_ENOUGH_REPLICAS; acks=1 still works', async (t) => {
  const { b, c } = await setup(t);
  await c.request(CREATE_TOPICS, 5, { topics: [{ name: 'strict', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'min.insync.replicas', value: '2' }] }], timeoutMs: 1000, validateOnly: false });
  const batch = await encodeBatch({ records: [{ value: 'x' }] });
  t.is(firstPartition(await produce(c, batch, 0, 'strict')).errorCode, ErrorCode.NOT_ENOUGH_REPLICAS);
  t.is(b.broker.replicas.partition('strict', 0)!.log.logEndOffset, 0);
  const one = await c.request(PRODUCE, 9, { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [{ name: 'strict', partitionData: [{ index: 0, records: await encodeBatch({ records: [{ value: 'y' }] }) }] }] });
  t.is(firstPartition(one).errorCode, ErrorCode.NONE);
});

test('acks=0: no response on success, and an error closes the connection as Kafka does', async (t) => {
  const { c } = await setup(t);
  const send = async (topic: string, correlation: number) => {
    const w = Buffer.from(await encodeBatch({ records: [{ value: 'x' }] }));
    const body = new Writer().int16(-1).int16(0).int32(1000).int32(1).int16(topic.length).utf8(topic, topic.length).int32(1).int32(0).int32(w.length).raw(w).toBuffer();
    const head = new Writer().int32(0).int16(PRODUCE).int16(3).int32(correlation).int16(-1).toBuffer();
    const frame = Buffer.concat([head, body]);
    frame.writeInt32BE(frame.length - 4, 0);
    c.sendRaw(frame);
  };
  await send('t', 1);
  const r = await c.request(CREATE_TOPICS, 5, { topics: [], timeoutMs: 1000, validateOnly: false });
  t.deepEqual(r.topics, [], 'the next response answers the next request: the acks=0 produce got none');
  await send('no-such-topic', 2);
  t.true(await c.closedWithin(2000));
});
