// Exactly once through failures, shaped like Kafka's own transactions_test: 3 brokers,
// replication factor 3, min.insync.replicas 2; a consume-transform-produce copier
// (librdkafka, compat/_txn_copier.py) moves the input topic to the output topic in
// transactions that commit its consumed offsets, while brokers are killed and restarted
// and the copier itself is killed (SIGKILL) and started again. The output, read with
// read_committed, must be the input exactly: nothing lost, nothing twice, the order of
// each partition kept; and a read_committed consumer reading all along sees the same.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import test from 'ava';
import type { Kafka } from 'kafkajs';
import { startCluster } from '../../src/index.js';
import { kafka, ROOT } from '../support/helpers.js';

const RECORDS = 3000;
const PARTITIONS = 3;
/** Small transactions, so the copier is still at work through several rounds of failures. */
const PER_TRANSACTION = 50;

/** Reads `topic` with read_committed into `into` (partition -> values) until stopped. */
async function watch(k: Kafka, topic: string, groupId: string, into: Map<number, string[]>): Promise<() => Promise<void>> {
  const consumer = k.consumer({ groupId, readUncommitted: false, maxWaitTimeInMs: 100, retry: { retries: 30 } });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ partition, message }) => {
      let list = into.get(partition);
      if (!list) into.set(partition, (list = []));
      list.push(message.value!.toString());
    },
  });
  return () => consumer.disconnect();
}

/** Distinct records read: a consumer may be given some again after a rebalance. */
const count = (m: Map<number, string[]>) => [...m.values()].reduce((n, l) => n + new Set(l).size, 0);

test('a transactional copier through broker kills and its own: the output is the input, exactly once, in order', async (t) => {
  t.timeout(240_000);
  const started = Date.now();
  const c = await startCluster({ brokers: 3, config: { 'min.insync.replicas': '2' } });
  t.teardown(() => c.close());
  const k = kafka(c.bootstrap);
  const admin = k.admin();
  await admin.connect();
  await admin.createTopics({ topics: ['input', 'output'].map((topic) => ({ topic, numPartitions: PARTITIONS, replicationFactor: 3 })), waitForLeaders: true });
  await admin.disconnect();
  const producer = k.producer({ idempotent: true });
  await producer.connect();
  const input = new Map<number, string[]>();
  for (let i = 0; i < RECORDS; i += 500) {
    const messages = Array.from({ length: 500 }, (_, j) => ({ key: `k${i + j}`, value: `v${i + j}`, partition: (i + j) % PARTITIONS }));
    await producer.send({ topic: 'input', acks: -1, messages });
    for (const m of messages) (input.get(m.partition) ?? input.set(m.partition, []).get(m.partition)!).push(`copy:${m.value}`);
  }
  await producer.disconnect();

  // The copier, started again whenever it exits or is killed.
  const run: { copier: ChildProcess | null; stopped: boolean } = { copier: null, stopped: false };
  const stats = { committed: 0, aborted: 0, copierKills: 0, copierExits: 0, brokerKills: 0 };
  const startCopier = () => {
    const p = spawn('/usr/bin/python3', [path.join(ROOT, 'compat/_txn_copier.py'), c.bootstrap, 'input', 'output', 'copier', 'copier-tx', String(PER_TRANSACTION)], { stdio: ['ignore', 'pipe', 'ignore'] });
    run.copier = p;
    p.stdout!.on('data', (d: Buffer) => {
      for (const line of d.toString().split('\n')) {
        if (line.startsWith('committed')) stats.committed++;
        if (line.startsWith('aborted')) stats.aborted++;
      }
    });
    p.once('exit', () => {
      if (run.copier !== p || run.stopped) return;
      stats.copierExits++;
      startCopier();
    });
  };
  startCopier();
  const stopCopier = () => {
    run.stopped = true;
    run.copier?.kill('SIGKILL');
  };
  t.teardown(stopCopier);

  const watched = new Map<number, string[]>();
  const stopWatching = await watch(k, 'output', 'watcher', watched);

  // Chaos: a broker killed and restarted, or the copier killed, in turn, while it copies.
  for (let round = 0; count(watched) < RECORDS && round < 8; round++) {
    await new Promise((r) => setTimeout(r, 2500));
    if (round % 2 === 0) {
      const id = round % 3;
      await c.kill(id);
      stats.brokerKills++;
      await new Promise((r) => setTimeout(r, 1000));
      await c.restart(id);
    } else {
      stats.copierKills++;
      const old = run.copier;
      run.copier = null;
      old?.kill('SIGKILL');
      startCopier();
    }
  }
  for (let waited = 0; count(watched) < RECORDS && waited < 60_000; waited += 200) await new Promise((r) => setTimeout(r, 200));
  // A moment for anything past the input to show, if the copier ever copied twice.
  await new Promise((r) => setTimeout(r, 2000));
  stopCopier();
  await stopWatching();

  const final = new Map<number, string[]>();
  const stopFinal = await watch(k, 'output', 'final-reader', final);
  for (let waited = 0; count(final) < RECORDS && waited < 30_000; waited += 200) await new Promise((r) => setTimeout(r, 200));
  await new Promise((r) => setTimeout(r, 1000));
  await stopFinal();

  for (let p = 0; p < PARTITIONS; p++) {
    t.deepEqual(final.get(p), input.get(p), `partition ${p}: the output is the input, in order, once`);
    // It commits its own offsets now and then, so a rebalance after a broker's death may deliver
    // some records again; what it saw, each record at its first sight, is the input in order.
    t.deepEqual([...new Set(watched.get(p))], input.get(p), `partition ${p}: the consumer reading all along saw the same`);
  }
  t.log(`${RECORDS} records copied in ${stats.committed} committed transactions (${stats.aborted} aborted by the copier) in ${((Date.now() - started) / 1000).toFixed(1)} s, `
    + `through ${stats.brokerKills} broker kills and ${stats.copierKills} copier kills (${stats.copierExits} copier exits)`);
});
