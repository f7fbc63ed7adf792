// Offsets committed in a transaction (TxnOffsetCommit) on an in-memory writer: invisible
// until the transaction's marker reaches the group's partition, the group's on COMMIT,
// gone on ABORT; RequireStable sees them pending; and a coordinator loading the partition
// holds them pending until it reads the marker further on.
import test from 'ava';
import { BrokerConfig } from '../../../src/broker/config.js';
import { GroupCoordinator } from '../../../src/broker/group/coordinator.js';
import { createLogger } from '../../../src/broker/logger.js';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { MemoryPartitionWriter } from '../../support/memory-partition-writer.js';

async function setup(writer = new MemoryPartitionWriter(1)) {
  const coordinator = new GroupCoordinator({
    writer, config: new BrokerConfig({ 'offsets.topic.num.partitions': '1' }), topicExists: (topic) => topic === 'orders', logger: createLogger('silent', 0), now: () => 1_000,
  });
  coordinator.partitionElected(0);
  await coordinator.manager.loaded();
  return { m: coordinator.manager, writer };
}

const entry = (partition: number, offset: number) => ({ topic: 'orders', partition, offset, leaderEpoch: -1, metadata: null });
const committed = (m: Awaited<ReturnType<typeof setup>>['m'], group: string, partition: number) =>
  m.fetchOffsets(group, [{ name: 'orders', partitions: [partition] }])[0]!.partitions[0]!.committed?.offset ?? -1;

test('pending until the marker: COMMIT makes them the group\'s, ABORT drops them', async (t) => {
  const { m, writer } = await setup();
  t.deepEqual(await m.commitTxnOffsets('g', { producerId: 7, producerEpoch: 0 }, -1, '', null, [entry(0, 10), { ...entry(1, 1), topic: 'unknown' }]), [ErrorCode.NONE, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION]);
  await m.commitTxnOffsets('g', { producerId: 8, producerEpoch: 0 }, -1, '', null, [entry(1, 20)]);
  t.is(committed(m, 'g', 0), -1, 'not visible before the marker');
  t.true(m.hasPendingOffset('g', 'orders', 0), 'RequireStable sees it pending');
  t.is(writer.all()[0]!.producerId, 7, 'written in the producer\'s transaction');
  m.completeTxn(0, 7, true);
  m.completeTxn(0, 8, false);
  t.is(committed(m, 'g', 0), 10);
  t.is(committed(m, 'g', 1), -1, 'the aborted one never lands');
  t.false(m.hasPendingOffset('g', 'orders', 0));
});

test('a member and generation given (KIP-447) are checked as for a plain commit', async (t) => {
  const { m } = await setup();
  t.deepEqual(await m.commitTxnOffsets('g', { producerId: 7, producerEpoch: 0 }, 3, 'nobody', null, [entry(0, 1)]), [ErrorCode.ILLEGAL_GENERATION]);
});

test('loading a partition holds transactional offsets pending until their marker in the log', async (t) => {
  const first = await setup();
  await first.m.commitTxnOffsets('g', { producerId: 7, producerEpoch: 0 }, -1, '', null, [entry(0, 10)]);
  await first.m.commitTxnOffsets('g', { producerId: 9, producerEpoch: 0 }, -1, '', null, [entry(1, 30)]);
  first.writer.appendMarker(0, 7, true);
  const again = await setup(first.writer);
  t.is(committed(again.m, 'g', 0), 10, 'its COMMIT marker was read');
  t.is(committed(again.m, 'g', 1), -1);
  t.true(again.m.hasPendingOffset('g', 'orders', 1), 'producer 9 is still undecided');
  again.m.completeTxn(0, 9, true);
  t.is(committed(again.m, 'g', 1), 30);
});
