// DescribeTopicPartitions (KIP-966, the Java admin's describeTopics) through a third-party
// codec, @platformatic/kafka's: topics in name order, partitions paged with a cursor,
// unknown topics named, a cursor outside the topics refused as Kafka refuses it.
import { Connection, describeTopicPartitionsV0 } from '@platformatic/kafka';
import test from 'ava';
import { startBroker } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { kafka } from '../support/helpers.js';

type DescribeTopicPartitionsResponse = describeTopicPartitionsV0.DescribeTopicPartitionsResponse;

test('topics in name order, partitions paged by the limit with a cursor; unknown and refused as Kafka answers', async (t) => {
  const b = await startBroker();
  t.teardown(() => b.close());
  const admin = kafka(b.bootstrap).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'b-topic', numPartitions: 3 }, { topic: 'a-topic', numPartitions: 2 }] });
  const c = new Connection('dtp-test');
  await c.connect(b.host, b.port);
  t.teardown(() => c.close());
  // The client throws on an error code in the answer, with the answer attached.
  const ask = (topics: string[], limit: number, cursor?: { topicName: string; partitionIndex: number }): Promise<DescribeTopicPartitionsResponse> =>
    describeTopicPartitionsV0.api.async(c, topics.map((name) => ({ name })), limit, cursor).catch((e: { response?: DescribeTopicPartitionsResponse }) => {
      if (!e.response) throw e;
      return e.response;
    });

  const whole = await ask(['b-topic', 'a-topic', 'nope'], 2000);
  t.deepEqual(whole.topics.map((x) => [x.name, x.errorCode, x.partitions.length]), [['a-topic', 0, 2], ['b-topic', 0, 3], ['nope', ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, 0]]);
  t.is(whole.nextCursor, undefined, 'no cursor: everything was answered');
  t.like(whole.topics[1]!.partitions[2], { partitionIndex: 2, leaderId: 0, replicaNodes: [0], isrNodes: [0] });

  const page1 = await ask([], 3);
  t.deepEqual(page1.topics.map((x) => [x.name, x.partitions.map((p) => p.partitionIndex)]), [['a-topic', [0, 1]], ['b-topic', [0]]]);
  t.deepEqual(page1.nextCursor, { topicName: 'b-topic', partitionIndex: 1 });
  const page2 = await ask([], 3, page1.nextCursor!);
  t.deepEqual(page2.topics.filter((x) => !(x.name ?? "").startsWith('__')).map((x) => [x.name, x.partitions.map((p) => p.partitionIndex)]), [['b-topic', [1, 2]]]);

  const refused = await ask(['a-topic'], 10, { topicName: 'b-topic', partitionIndex: 0 });
  t.is(refused.topics[0]?.errorCode, ErrorCode.INVALID_REQUEST, 'the cursor topic must be one of the topics asked for');
});
