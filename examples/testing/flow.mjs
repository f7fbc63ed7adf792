// The flow every example runs: a topic, a record produced, and a consumer in a new group
// that reads it back. Names come from the file's namespace, so files that share a broker
// never meet.
import { Kafka, logLevel } from 'kafkajs';

export async function roundTrip(bootstrap, name) {
  const kafka = new Kafka({ brokers: bootstrap.split(','), clientId: name('client'), logLevel: logLevel.NOTHING });
  const admin = kafka.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: name('orders'), numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka.producer();
  await producer.connect();
  await producer.send({ topic: name('orders'), messages: [{ key: 'k', value: 'hello' }] });
  await producer.disconnect();
  const consumer = kafka.consumer({ groupId: name('group'), maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic: name('orders'), fromBeginning: true });
  const value = await new Promise((resolve) => void consumer.run({ eachMessage: async ({ message }) => resolve(message.value.toString()) }));
  await consumer.disconnect();
  return value;
}
