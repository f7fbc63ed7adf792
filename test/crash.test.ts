// Durability across a real process kill: `bin/krill start` with log.flush.interval.messages=1,
// an acks=all stream from kafkajs, SIGKILL mid-stream, restart on the same log directory.
import test from 'ava';
import { startBrokerProcess } from './support/broker-process.js';
import { kafka, tempDir } from './support/helpers.js';

const startProcess = (dataDir: string) => startBrokerProcess(['--port', '0', '--data-dir', dataDir, '--set', 'log.flush.interval.messages=1'], undefined, 10_000);

test('SIGKILL during an acks=all stream loses no acknowledged record and leaves dense offsets', async (t) => {
  const dataDir = tempDir(t, 'crash');
  const first = await startProcess(dataDir);
  t.teardown(() => first.proc.kill('SIGKILL'));
  const k1 = kafka(first.bootstrap);
  const admin = k1.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'durable', numPartitions: 1 }] });
  await admin.disconnect();
  const producer = kafka(first.bootstrap).producer({ retry: { retries: 0 } });
  await producer.connect();
  const acked: string[] = [];
  let i = 0;
  let killed = false;
  const stream = (async () => {
    while (!killed) {
      const batch = Array.from({ length: 5 }, () => ({ value: `m${i++}` }));
      try {
        await producer.send({ topic: 'durable', acks: -1, messages: batch });
        acked.push(...batch.map((m) => m.value));
      } catch {
        return;
      }
    }
  })();
  while (acked.length < 500) await new Promise((r) => setTimeout(r, 5));
  first.proc.kill('SIGKILL');
  killed = true;
  await stream;
  await producer.disconnect().catch(() => undefined);

  const second = await startProcess(dataDir);
  t.teardown(() => second.proc.kill('SIGKILL'));
  const consumer = kafka(second.bootstrap).consumer({ groupId: 'crash-check' });
  await consumer.connect();
  await consumer.subscribe({ topic: 'durable', fromBeginning: true });
  const got: Array<{ offset: number; value: string }> = [];
  const admin2 = kafka(second.bootstrap).admin();
  await admin2.connect();
  const [end] = await admin2.fetchTopicOffsets('durable');
  await admin2.disconnect();
  const high = Number(end!.high);
  t.true(high >= acked.length, `log end ${high} holds at least the ${acked.length} acknowledged records`);
  await new Promise<void>((resolve) => {
    void consumer.run({
      eachMessage: async ({ message }) => {
        got.push({ offset: Number(message.offset), value: message.value!.toString() });
        if (got.length === high) resolve();
      },
    });
  });
  await consumer.disconnect();
  t.deepEqual(got.map((g) => g.offset), Array.from({ length: high }, (_, n) => n), 'offsets are dense from 0');
  const values = new Set(got.map((g) => g.value));
  t.is(acked.filter((v) => !values.has(v)).length, 0, 'every acknowledged record is there');
  second.proc.kill('SIGTERM');
});
