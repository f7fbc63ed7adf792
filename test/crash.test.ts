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

test('SIGKILL with one transaction committed and one open: after the restart the committed one reads back, the open one is aborted by the next producer of the id', async (t) => {
  const dataDir = tempDir(t, 'crash-txn');
  const first = await startProcess(dataDir);
  t.teardown(() => first.proc.kill('SIGKILL'));
  const k1 = kafka(first.bootstrap);
  const admin = k1.admin();
  await admin.connect();
  await admin.createTopics({ topics: [{ topic: 'txn', numPartitions: 2 }] });
  await admin.disconnect();
  const p1 = k1.producer({ transactionalId: 'crash-tx', idempotent: true, maxInFlightRequests: 1 });
  await p1.connect();
  const committed = await p1.transaction();
  await committed.send({ topic: 'txn', messages: [{ key: 'a', value: 'c1' }, { key: 'b', value: 'c2' }] });
  await committed.sendOffsets({ consumerGroupId: 'g-committed', topics: [{ topic: 'txn', partitions: [{ partition: 0, offset: '5' }] }] });
  await committed.commit();
  const open = await p1.transaction();
  await open.send({ topic: 'txn', messages: [{ key: 'a', value: 'o1' }, { key: 'b', value: 'o2' }] });
  await open.sendOffsets({ consumerGroupId: 'g-open', topics: [{ topic: 'txn', partitions: [{ partition: 0, offset: '9' }] }] });
  first.proc.kill('SIGKILL');
  await p1.disconnect().catch(() => undefined);

  const second = await startProcess(dataDir);
  t.teardown(() => second.proc.kill('SIGKILL'));
  const k2 = kafka(second.bootstrap);
  const p2 = k2.producer({ transactionalId: 'crash-tx', idempotent: true, maxInFlightRequests: 1 });
  await p2.connect(); // InitProducerId: fences the dead producer and aborts its open transaction
  const next = await p2.transaction();
  await next.send({ topic: 'txn', messages: [{ key: 'a', value: 'c3' }] });
  await next.commit();
  await p2.disconnect();

  const consumer = k2.consumer({ groupId: 'crash-txn-reader', readUncommitted: false, maxWaitTimeInMs: 50 });
  await consumer.connect();
  await consumer.subscribe({ topic: 'txn', fromBeginning: true });
  const seen: string[] = [];
  void consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); } });
  const started = Date.now();
  while (seen.length < 3 && Date.now() - started < 20_000) await new Promise((r) => setTimeout(r, 50));
  await new Promise((r) => setTimeout(r, 500));
  await consumer.disconnect();
  t.deepEqual(seen.sort(), ['c1', 'c2', 'c3'], 'read_committed: the committed transactions whole, nothing of the open one');
  const admin2 = k2.admin();
  await admin2.connect();
  t.deepEqual((await admin2.fetchOffsets({ groupId: 'g-committed', topics: ['txn'] }))[0]!.partitions.find((p) => p.partition === 0)?.offset, '5');
  t.deepEqual((await admin2.fetchOffsets({ groupId: 'g-open', topics: ['txn'] }))[0]!.partitions.find((p) => p.partition === 0)?.offset, '-1', 'the open transaction\'s offsets were aborted with it');
  await admin2.disconnect();
  second.proc.kill('SIGTERM');
});
