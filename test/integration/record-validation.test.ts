// Records checked as Kafka's LogValidator checks them (KIP-467), through third-party
// encoders and decoders (@platformatic/kafka's Produce v9 codec, kafkajs): a compacted
// topic refuses records without a key, and a topic with timestamp bounds refuses records
// outside them, the batch whole, with each bad record named. And the 3.x topic configs
// that Kafka 4 dropped are accepted, described and checked as a 3.x broker does.
import { Connection, createTopicsV7, produceV9 } from '@platformatic/kafka';
import test, { type ExecutionContext } from 'ava';
import { startBroker } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { kafka } from '../support/helpers.js';

type Partition = produceV9.ProduceResponse['responses'][number]['partitionResponses'][number];

async function setup(t: ExecutionContext, topics: Array<{ topic: string; configEntries: Array<{ name: string; value: string }> }>) {
  const b = await startBroker({ clock: 'virtual' });
  t.teardown(() => b.close());
  const admin = kafka(b.bootstrap).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: topics.map((x) => ({ ...x, numPartitions: 1 })) });
  const c = new Connection('record-checks');
  await c.connect(b.host, b.port);
  t.teardown(() => c.close());
  /** One batch to partition 0 of the topic; the answer for that partition, error or not. */
  const produce = async (topic: string, records: Array<{ key?: string; value: string; timestamp?: number }>, compression: 'none' | 'gzip' = 'none'): Promise<Partition> => {
    const messages = records.map((r) => ({ topic, partition: 0, value: Buffer.from(r.value), ...(r.key === undefined ? {} : { key: Buffer.from(r.key) }), ...(r.timestamp === undefined ? {} : { timestamp: BigInt(r.timestamp) }) }));
    const res = await produceV9.api.async(c, 1, 5000, messages, { compression }).catch((e: { response?: produceV9.ProduceResponse }) => {
      if (!e.response) throw e;
      return e.response;
    });
    return (res as produceV9.ProduceResponse).responses[0]!.partitionResponses[0]!;
  };
  const endOffset = async (topic: string) => Number((await admin.fetchTopicOffsets(topic))[0]!.high);
  /** CreateTopics v7 with one config: Kafka's error code and message for it. */
  const createWith = async (name: string, value: string) => {
    const res = await createTopicsV7.api.async(c, [{ name: 'refused', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name, value }] }], 5000, false).catch((e: { response?: createTopicsV7.CreateTopicsResponse }) => {
      if (!e.response) throw e;
      return e.response;
    });
    return res.topics[0]!;
  };
  return { b, admin, produce, endOffset, createWith };
}

test('a compacted topic refuses a batch with records without a key, naming each of them; keyed batches go in', async (t) => {
  const { produce, endOffset, b } = await setup(t, [{ topic: 'table', configEntries: [{ name: 'cleanup.policy', value: 'compact' }] }]);
  const noKey = 'Compacted topic cannot accept message without key in topic partition table-0.';
  for (const compression of ['none', 'gzip'] as const) {
    const p = await produce('table', [{ key: 'a', value: '1' }, { value: '2' }, { key: 'c', value: '3' }, { value: '4' }], compression);
    t.is(p.errorCode, ErrorCode.INVALID_RECORD, compression);
    t.deepEqual(p.recordErrors, [{ batchIndex: 1, batchIndexErrorMessage: noKey }, { batchIndex: 3, batchIndexErrorMessage: noKey }]);
    t.is(p.errorMessage, `One or more records have been rejected due to 2 record errors in total, and only showing the first three errors at most: [RecordError(batchIndex=1, message='${noKey}'), RecordError(batchIndex=3, message='${noKey}')]`);
    t.is(p.baseOffset, -1n);
    t.is(p.logStartOffset, 0n, 'the log start offset, as Kafka answers a refused batch');
  }
  t.is(await endOffset('table'), 0, 'nothing of a refused batch is in the log');
  t.like(await produce('table', [{ key: 'a', value: '1' }, { key: 'b', value: '2' }], 'gzip'), { errorCode: ErrorCode.NONE, baseOffset: 0n });

  // kafkajs sees Kafka's error and does not retry it.
  const producer = kafka(b.bootstrap).producer({ retry: { retries: 2 } });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const err = await t.throwsAsync(producer.send({ topic: 'table', messages: [{ value: 'no key' }] }));
  t.is(err?.message, 'This record has failed the validation on broker and hence be rejected', "kafkajs' words for INVALID_RECORD");
  await producer.send({ topic: 'table', messages: [{ key: 'k', value: 'keyed' }] });
  t.is(await endOffset('table'), 3);
});

test('message.timestamp.before/after.max.ms refuse CreateTime records outside the bounds; difference.max.ms stands in for both', async (t) => {
  const { produce, endOffset, b } = await setup(t, [
    { topic: 'bounded', configEntries: [{ name: 'message.timestamp.before.max.ms', value: '3600000' }, { name: 'message.timestamp.after.max.ms', value: '60000' }] },
    { topic: 'legacy', configEntries: [{ name: 'message.timestamp.difference.max.ms', value: '1000' }] },
    { topic: 'stamped', configEntries: [{ name: 'message.timestamp.type', value: 'LogAppendTime' }, { name: 'message.timestamp.before.max.ms', value: '0' }] },
  ]);
  const now = b.now();
  const late = now - 2 * 3600_000;
  const p = await produce('bounded', [{ value: 'now', timestamp: now }, { value: 'old', timestamp: late }, { value: 'soon', timestamp: now + 30_000 }, { value: 'future', timestamp: now + 120_000 }]);
  t.is(p.errorCode, ErrorCode.INVALID_TIMESTAMP);
  t.is(p.errorMessage, 'One or more records have been rejected due to invalid timestamp');
  const range = `The timestamp should be within [${now - 3600_000}, ${now + 60_000}]`;
  t.deepEqual(p.recordErrors, [
    { batchIndex: 1, batchIndexErrorMessage: `Timestamp ${late} of message with offset 1 is out of range. ${range}` },
    { batchIndex: 3, batchIndexErrorMessage: `Timestamp ${now + 120_000} of message with offset 3 is out of range. ${range}` },
  ]);
  t.is(await endOffset('bounded'), 0);
  t.like(await produce('bounded', [{ value: 'now', timestamp: now }, { value: 'soon', timestamp: now + 30_000 }]), { errorCode: ErrorCode.NONE });

  const legacy = await produce('legacy', [{ value: 'x', timestamp: now + 5000 }]);
  t.is(legacy.errorCode, ErrorCode.INVALID_TIMESTAMP);
  t.is(legacy.recordErrors[0]?.batchIndexErrorMessage, `Timestamp ${now + 5000} of message with offset 0 is out of range. The timestamp should be within [${now - 1000}, ${now + 1000}]`);

  // The broker's clock decides: after it moves an hour, the old record is in range of nothing, the one an hour on is now.
  await b.advanceClock(3600_000);
  t.like(await produce('legacy', [{ value: 'x', timestamp: now + 3600_000 }]), { errorCode: ErrorCode.NONE });
  t.like(await produce('stamped', [{ value: 'x', timestamp: 0 }]), { errorCode: ErrorCode.NONE }, 'LogAppendTime topics take the broker time, unchecked');
});

test('topic configs of Kafka 3.x are accepted, described and checked: message.format.version, throttled replicas, timestamp bounds', async (t) => {
  const { admin, createWith } = await setup(t, [{ topic: 'old-suite', configEntries: [
    { name: 'message.format.version', value: '2.8' },
    { name: 'message.timestamp.difference.max.ms', value: '5000' },
    { name: 'leader.replication.throttled.replicas', value: '0:0,1:0' },
    { name: 'follower.replication.throttled.replicas', value: '*' },
  ] }]);
  const describe = async () => {
    const res = await admin.describeConfigs({ includeSynonyms: false, resources: [{ type: 2, name: 'old-suite' }] });
    return Object.fromEntries(res.resources[0]!.configEntries.map((e) => [e.configName, e.configValue]));
  };
  t.like(await describe(), {
    'message.format.version': '2.8',
    'message.timestamp.difference.max.ms': '5000',
    'message.timestamp.before.max.ms': '9223372036854775807',
    'leader.replication.throttled.replicas': '0:0,1:0',
    'follower.replication.throttled.replicas': '*',
    'remote.storage.enable': 'false',
    'local.retention.ms': '-2',
    'compression.zstd.level': '3',
  });
  await admin.alterConfigs({ validateOnly: false, resources: [{ type: 2, name: 'old-suite', configEntries: [{ name: 'message.format.version', value: '0.10.2-IV0' }] }] });
  t.is((await describe())['message.format.version'], '0.10.2-IV0');

  for (const [name, value, reason] of [
    ['message.format.version', '9.9', 'Version 9.9 is not a valid version'],
    ['leader.replication.throttled.replicas', 'all', "leader.replication.throttled.replicas must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],..."],
    ['message.timestamp.after.max.ms', '-1', 'Value must be at least 0'],
    ['remote.storage.enable', 'true', 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.'],
  ] as const) {
    t.like(await createWith(name, value), { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Invalid value ${value} for configuration ${name}: ${reason}` }, name);
  }
});
