// Transactions in a 3-broker cluster with replication factor 3: the transaction
// coordinator's broker is killed between transactions and in the middle of one; its
// partitions of __transaction_state move to another broker, which reads them back and
// carries on. Every transaction kafkajs saw committed is read whole by a read_committed
// consumer, nothing of an aborted one is, and none is read in part.
import test from 'ava';
import { ErrorCode } from '../../src/index.js';
import type { Kafka } from 'kafkajs';
import { Attr } from '../../src/protocol/records/batch.js';
import { encodeBatch } from '../../src/protocol/records/records.js';
import { clusterWithAdmin, eventually, kafka, partitionsOf } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

async function coordinatorOf(bootstrap: string, transactionalId: string): Promise<number> {
  const c = await RawClient.connect(Number(bootstrap.split(',')[0]!.split(':')[1]));
  try {
    const r = await c.request(10, 3, { key: transactionalId, keyType: 1 });
    if (r.errorCode !== ErrorCode.NONE) throw new Error(`FindCoordinator: ${r.errorCode}`);
    return r.nodeId ?? -1;
  } finally {
    c.close();
  }
}

/**
 * Every value a read_committed consumer reads of `topic`, by where it was read: at least
 * `atLeast`, then until nothing more comes for a second. A consumer may be handed a record
 * again (kafkajs after a rebalance); what the log holds is one value at one offset.
 */
async function readCommitted(k: Kafka, topic: string, atLeast: number): Promise<Map<string, string>> {
  const consumer = k.consumer({ groupId: `reader-${Date.now()}`, readUncommitted: false, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const values = new Map<string, string>();
  let last = Date.now();
  await consumer.run({ eachMessage: async ({ partition, message }) => {
    values.set(`${partition}:${message.offset}`, message.value!.toString());
    last = Date.now();
  } });
  const started = Date.now();
  while (Date.now() - started < 60_000 && (values.size < atLeast || Date.now() - last < 1000)) await new Promise((r) => setTimeout(r, 100));
  await consumer.disconnect();
  return values;
}

test('the coordinator\'s broker killed between and inside transactions: committed ones are read whole, others not at all', async (t) => {
  const { c, admin } = await clusterWithAdmin(t, { brokers: 3, config: { 'min.insync.replicas': '2' } });
  await admin.createTopics({ topics: [{ topic: 'out', numPartitions: 3, replicationFactor: 3 }], waitForLeaders: true });
  const k = kafka(c.bootstrap);
  // kafkajs gives up on a broker it cannot reach while the cluster still names it: ask again.
  const producer = async () => {
    for (let attempt = 0; ; attempt++) {
      const made = k.producer({ transactionalId: 'copier', idempotent: true, maxInFlightRequests: 1, retry: { retries: 30, initialRetryTime: 50 } });
      try {
        await made.connect();
        return made;
      } catch (e) {
        if (attempt >= 20) throw e;
        await new Promise((r) => setTimeout(r, 250));
      }
    }
  };
  let p = await producer();
  t.teardown(() => p.disconnect());

  const committed: string[][] = [];
  const notCommitted: string[][] = [];
  const failures: string[] = [];
  const run = async (n: number) => {
    const values = Array.from({ length: 10 }, (_, i) => `t${n}-${i}`);
    try {
      const txn = await p.transaction();
      await txn.send({ topic: 'out', acks: -1, messages: values.map((value, i) => ({ value, partition: i % 3 })) });
      if (n === 12) {
        // Killed with this transaction open: the commit goes to the coordinator's successor.
        const victim = await coordinatorOf(c.bootstrap, 'copier');
        await c.kill(victim);
        void (async () => c.restart(victim))();
      }
      await txn.commit();
      committed.push(values);
    } catch (e) {
      // As an application does: a new producer of the id fences this one and aborts what it left open.
      failures.push(`t${n}: ${(e as Error).message}`);
      notCommitted.push(values);
      await p.disconnect().catch(() => undefined);
      p = await producer();
    }
  };
  for (let n = 0; n < 6; n++) await run(n);
  const first = await coordinatorOf(c.bootstrap, 'copier');
  await c.kill(first);
  for (let n = 6; n < 12; n++) await run(n);
  await c.restart(first);
  for (let n = 12; n < 20; n++) await run(n);
  await eventually(() => c.brokers.every((b) => b.broker !== null), 20_000, 'every broker back');

  t.true(committed.length >= 15, `${committed.length} of 20 transactions committed`);
  const read = [...(await readCommitted(k, 'out', committed.length * 10)).values()];
  const values = new Set(read);
  for (const txn of committed) t.true(txn.every((v) => values.has(v)), `committed ${txn[0]} read whole`);
  for (const txn of notCommitted) t.true(txn.every((v) => !values.has(v)) || txn.every((v) => values.has(v)), `${txn[0]} all or nothing`);
  t.is(values.size, read.length, 'no value in the log twice');
  t.log(`${committed.length} transactions committed, ${notCommitted.length} not (${failures.join('; ')}), across two coordinator failures`);
});

test('transaction version 2 across brokers: partition leaders add their partitions through the coordinator on another broker; EndTxn v5 commits them all', async (t) => {
  const { c, admin } = await clusterWithAdmin(t, { brokers: 3 });
  await admin.createTopics({ topics: [{ topic: 'v2', numPartitions: 3, replicationFactor: 1 }], waitForLeaders: true });
  const coordinator = await coordinatorOf(c.bootstrap, 'v2-producer');
  const portOf = (id: number) => c.brokers.find((b) => b.id === id)!.port;
  const coord = await RawClient.connect(portOf(coordinator));
  t.teardown(() => coord.close());
  let init = await coord.request(22, 5, { transactionalId: 'v2-producer', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  for (let i = 0; i < 100 && init.errorCode !== ErrorCode.NONE; i++) {
    await new Promise((r) => setTimeout(r, 50));
    init = await coord.request(22, 5, { transactionalId: 'v2-producer', transactionTimeoutMs: 60_000, producerId: -1, producerEpoch: -1 });
  }
  t.is(init.errorCode, ErrorCode.NONE);
  const producer = { producerId: init.producerId ?? -1, producerEpoch: init.producerEpoch ?? -1 };
  const leaders = (await partitionsOf(admin, 'v2')).map((p) => p.leader);
  t.true(leaders.some((l) => l !== coordinator), 'some partition is led away from the coordinator');
  for (const [partition, leader] of leaders.entries()) {
    const client = await RawClient.connect(portOf(leader));
    const records = await encodeBatch({ records: [{ value: `p${partition}` }], ...producer, baseSequence: 0, attributes: Attr.transactional });
    const r = await client.request(0, 12, { transactionalId: 'v2-producer', acks: -1, timeoutMs: 5000, topicData: [{ name: 'v2', partitionData: [{ index: partition, records }] }] });
    client.close();
    t.is(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE, `partition ${partition} on broker ${leader}`);
  }
  const ended = await coord.request(26, 5, { transactionalId: 'v2-producer', ...producer, committed: true });
  t.deepEqual([ended.errorCode, ended.producerEpoch], [ErrorCode.NONE, producer.producerEpoch + 1]);
  const values = await readCommitted(kafka(c.bootstrap), 'v2', 3);
  t.deepEqual([...values.values()].sort(), ['p0', 'p1', 'p2']);
});

test('a broker that is killed gives up its transaction coordinator, as on any lost leadership: it lists no id any more, and no marker is retried from it', async (t) => {
  const { c, k } = await clusterWithAdmin(t, { brokers: 2 });
  const producer = k.producer({ transactionalId: 'tx-stop', idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  const txn = await producer.transaction();
  await txn.send({ topic: 'stops', messages: [{ value: 'v' }] });
  await txn.commit();
  await producer.disconnect();
  const id = await coordinatorOf(c.bootstrap, 'tx-stop');
  const b = c.brokers.find((m) => m.id === id)!.broker!;
  const listed = () => b.txns.coordinator.list(new Set(), new Set(), -1, String).map((x) => x.transactionalId);
  t.deepEqual(listed(), ['tx-stop'], 'it coordinates tx-stop while it runs');
  await c.kill(id);
  t.is(b.txns.coordinator.coordinatorError('tx-stop'), ErrorCode.NOT_COORDINATOR);
  t.deepEqual(listed(), [], 'killed, its coordinator was told it leads no __transaction_state partition');
});
