// KIP-848 consumer groups with a real client: @platformatic/kafka's consumer with
// groupProtocol 'consumer' (ConsumerGroupHeartbeat, OffsetCommit/OffsetFetch v9 with the
// member epoch). Members split a topic between them, read every record, and a member
// leaving hands its partitions to the other.
import { Consumer, type MessagesStream, stringDeserializers } from '@platformatic/kafka';
import test from 'ava';
import { startBroker } from '../../src/index.js';
import { eventually, kafka, topicWithProducer } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

type Stream = MessagesStream<string, string, string, string>;

test('two KIP-848 members split a topic, read every record, and one leaving hands over its partitions', async (t) => {
  const b = await startBroker({ config: { 'group.consumer.heartbeat.interval.ms': '200' } });
  t.teardown(() => b.close());
  const k = kafka(b.bootstrap);
  const { producer } = await topicWithProducer(t, k, 'kip848', 6);
  const send = (prefix: string) => producer.send({ topic: 'kip848', acks: -1, messages: Array.from({ length: 60 }, (_, i) => ({ partition: i % 6, value: `${prefix}${i}` })) });
  await send('a');

  const reads = new Map<string, string[]>();
  const member = async (name: string): Promise<{ consumer: Consumer<string, string, string, string>; stream: Stream }> => {
    const consumer = new Consumer({ groupId: 'g848', clientId: name, bootstrapBrokers: [b.bootstrap], deserializers: stringDeserializers, groupProtocol: 'consumer' });
    const stream = await consumer.consume({ topics: ['kip848'], mode: 'committed', fallbackMode: 'earliest', autocommit: 100, sessionTimeout: 45_000, heartbeatInterval: 200 });
    void (async () => {
      for await (const m of stream) reads.set(m.value, [...(reads.get(m.value) ?? []), name]);
    })();
    return { consumer, stream };
  };
  const one = await member('one');
  await eventually(() => reads.size === 60, 10_000);
  const two = await member('two');
  const owned = () => [one, two].map((m) => (m.consumer.assignments ?? []).flatMap((a) => a.partitions).sort());
  await eventually(() => owned().every((ps) => ps.length === 3), 10_000);
  t.deepEqual(owned().flat().sort(), [0, 1, 2, 3, 4, 5], 'the two members split the partitions');

  // Every record is read. Not necessarily once: @platformatic/kafka 1.35 keeps the fetch it
  // had in flight for partitions it revokes, so a record sent then may reach both members;
  // librdkafka's KIP-848 consumer reads each once (test/librdkafka/).
  await send('b');
  await eventually(() => reads.size === 120, 10_000);
  // The group as KIP-848 describes it, and as ListGroups v5 lists it.
  const raw = await RawClient.connect(b.port);
  t.teardown(() => raw.close());
  const described = (await raw.request(69, 1, { groupIds: ['g848'], includeAuthorizedOperations: false })).groups[0]!;
  t.like(described, { errorCode: 0, groupState: 'Stable', assignorName: 'uniform' });
  t.deepEqual(described.members.map((m) => m.clientId).sort(), ['one', 'two']);
  const listed = await raw.request(16, 5, { statesFilter: [], typesFilter: ['consumer'] });
  t.deepEqual(listed.groups.map((g) => [g.groupId, g.groupType, g.protocolType]), [['g848', 'consumer', 'consumer']]);

  await two.stream.close();
  await two.consumer.close();
  await eventually(() => owned()[0]!.length === 6, 10_000);
  await send('c');
  await eventually(() => reads.size === 180, 10_000);
  t.true([...reads].filter(([v]) => v.startsWith('c')).every(([, who]) => who.join() === 'one'), 'the member left takes everything');
  await one.stream.close();
  await one.consumer.close();
});
