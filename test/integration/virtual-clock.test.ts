// The virtual clock (issue 22): a broker whose logic follows a clock that moves only when
// the test says. A member that vanished without LeaveGroup stays until the clock passes
// its session, then kafkajs's consumer gets the group at once; retention by time deletes
// only after an advance; a consumer's long poll waits on the clock.
import test from 'ava';
import { VirtualClock } from '../../src/broker/clock.js';
import { Scheduler } from '../../src/broker/scheduler.js';
import { createLogger } from '../../src/broker/logger.js';
import { startBroker } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { encodeBatch } from '../../src/protocol/records/records.js';
import { eventually, kafka, topicWithProducer } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

test('a virtual clock runs what falls due in order, at its due time; the scheduler\'s clock tasks run only when it moves', async (t) => {
  const clock = new VirtualClock(1000);
  const seen: Array<[string, number]> = [];
  clock.after(50, () => seen.push(['b', clock.now()]));
  clock.after(10, () => {
    seen.push(['a', clock.now()]);
    clock.after(10, () => seen.push(['a2', clock.now()]));
  });
  const cancel = clock.after(20, () => seen.push(['cancelled', clock.now()]));
  cancel();
  t.is(await clock.advance(30), 1030);
  t.deepEqual(seen, [['a', 1010], ['a2', 1020]]);
  await clock.advance(100);
  t.deepEqual(seen.at(-1), ['b', 1050]);
  await t.throwsAsync(clock.advance(-1), { instanceOf: RangeError });
  const s = new Scheduler(createLogger('silent', 0), clock);
  let runs = 0;
  s.every(100, 'on the clock', () => { runs++; }, { onClock: true });
  t.is(runs, 0);
  await clock.advance(350);
  t.is(runs, 3);
  let ticks = 0;
  const stop = clock.every(250, () => { ticks++; });
  await clock.advance(7 * 86_400_000);
  t.true(ticks >= 90 && ticks <= 101, `a week's advance runs a 250 ms timer about a hundred times, not 2.4 million (${ticks})`);
  stop();
  s.close();
  const before = runs;
  await clock.advance(1000);
  t.is(runs, before, 'stopped');
});

test('a member gone without LeaveGroup stays until the clock passes its session; then a kafkajs consumer gets the group and its records', async (t) => {
  const b = await startBroker({ clock: 'virtual', http: true, config: { 'group.initial.rebalance.delay.ms': '0' } });
  t.teardown(() => b.close());
  const k = kafka(b.bootstrap);
  const { admin, producer } = await topicWithProducer(t, k, 'vc', 1);
  await producer.send({ topic: 'vc', messages: [{ value: 'one' }] });

  // A member that joins, syncs and then vanishes: its socket closes, no LeaveGroup.
  const gone = await RawClient.connect(b.port);
  await gone.request(10, 1, { key: 'vg', keyType: 0 });
  const subscription = Buffer.concat([Buffer.from([0, 0, 0, 0, 0, 1, 0, 2]), Buffer.from('vc'), Buffer.from([0xff, 0xff, 0xff, 0xff])]);
  const join = (memberId: string) => gone.request(11, 5, { groupId: 'vg', sessionTimeoutMs: 45_000, rebalanceTimeoutMs: 300_000, memberId, groupInstanceId: null, protocolType: 'consumer', protocols: [{ name: 'RoundRobinAssigner', metadata: subscription }] });
  let j = await join('');
  if (j.errorCode === ErrorCode.MEMBER_ID_REQUIRED) j = await join(j.memberId!);
  t.is(j.errorCode, ErrorCode.NONE);
  const s = await gone.request(14, 3, { groupId: 'vg', generationId: j.generationId, memberId: j.memberId, groupInstanceId: null, assignments: [] });
  t.is(s.errorCode, ErrorCode.NONE);
  gone.close();

  const members = async () => (await admin.describeGroups(['vg'])).groups[0]!.members.length;
  await b.advanceClock(30_000);
  t.is(await members(), 1, '30 s of the clock: still a member');
  const consumer = k.consumer({ groupId: 'vg', sessionTimeout: 45_000, rebalanceTimeout: 60_000, maxWaitTimeInMs: 100 });
  await consumer.connect();
  t.teardown(async () => {
    // Its long poll waits on the clock: moved past it, the fetch returns and kafkajs can stop.
    const stopped = consumer.disconnect();
    await b.advanceClock(1000);
    await stopped;
  });
  await consumer.subscribe({ topic: 'vc', fromBeginning: true });
  const seen: string[] = [];
  void consumer.run({ eachMessage: async ({ message }) => { seen.push(message.value!.toString()); } });
  await new Promise((r) => setTimeout(r, 1000));
  t.deepEqual(seen, [], 'a second of real time changes nothing: the rebalance waits for the silent member');
  const at = await fetch(`${b.http}/v1/clock/advance`, { method: 'POST', body: JSON.stringify({ ms: 30_000 }) });
  t.is(at.status, 200);
  t.is(((await at.json()) as { now: number }).now, b.now());
  await eventually(() => seen.length === 1, 10_000, 'the records, once the silent member expired').catch((e: unknown) => {
    t.log(JSON.stringify(b.trace({ limit: 12 }).map((x) => [x.api, x.durationMs, x.response])).slice(0, 6000));
    throw e;
  });
  t.deepEqual(seen, ['one']);
  t.is(await members(), 1, 'the kafkajs consumer alone');
});

test('retention by time deletes after an advance, not before', async (t) => {
  const b = await startBroker({ clock: 'virtual', config: { 'log.retention.check.interval.ms': '1000' } });
  t.teardown(() => b.close());
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  await c.request(19, 4, { topics: [{ name: 'old', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [{ name: 'retention.ms', value: '60000' }, { name: 'segment.bytes', value: '100' }] }], timeoutMs: 5000, validateOnly: false });
  for (const value of ['first', 'second']) {
    const records = await encodeBatch({ records: [{ value, timestamp: b.now() }] });
    const r = await c.request(0, 9, { transactionalId: null, acks: 1, timeoutMs: 5000, topicData: [{ name: 'old', partitionData: [{ index: 0, records }] }] });
    t.is(r.responses[0]!.partitionResponses[0]!.errorCode, ErrorCode.NONE);
  }
  const start = async () => (await c.request(2, 1, { replicaId: -1, topics: [{ name: 'old', partitions: [{ partitionIndex: 0, timestamp: -2 }] }] })).topics[0]!.partitions[0]!.offset;
  await new Promise((r) => setTimeout(r, 1500));
  t.is(await start(), 0, 'real time passing deletes nothing');
  await b.advanceClock(50_000);
  t.is(await start(), 0, '50 s of the clock: within retention');
  await b.advanceClock(20_000);
  t.is(await start(), 1, 'past retention: the first segment is gone');
});

test('the clock endpoints: GET answers the time; advance takes {"ms": n}; a system clock refuses to move', async (t) => {
  const b = await startBroker({ http: true });
  t.teardown(() => b.close());
  const got = (await (await fetch(`${b.http}/v1/clock`)).json()) as { now: number; virtual: boolean };
  t.false(got.virtual);
  t.is((await fetch(`${b.http}/v1/clock/advance`, { method: 'POST', body: '{"ms": 5}' })).status, 409);
  for (const body of ['{"ms": -5}', '{"ms": 1.5}', '{"seconds": 5}', '[]']) t.is((await fetch(`${b.http}/v1/clock/advance`, { method: 'POST', body })).status, 400, body);
  await t.throwsAsync(b.advanceClock(5), { message: /system clock/ });
});

test('a transaction past its timeout is aborted when the clock passes it, not before', async (t) => {
  const b = await startBroker({ clock: 'virtual' });
  t.teardown(() => b.close());
  const c = await RawClient.connect(b.port);
  t.teardown(() => c.close());
  await c.request(19, 4, { topics: [{ name: 'tx', numPartitions: 1, replicationFactor: 1, assignments: [], configs: [] }], timeoutMs: 5000, validateOnly: false });
  let init = await c.request(22, 4, { transactionalId: 'slow', transactionTimeoutMs: 10_000, producerId: -1, producerEpoch: -1 });
  for (let i = 0; i < 100 && init.errorCode !== ErrorCode.NONE; i++) {
    await c.request(10, 3, { key: 'slow', keyType: 1 });
    init = await c.request(22, 4, { transactionalId: 'slow', transactionTimeoutMs: 10_000, producerId: -1, producerEpoch: -1 });
  }
  const added = await c.request(24, 3, { v3AndBelowTransactionalId: 'slow', v3AndBelowProducerId: init.producerId, v3AndBelowProducerEpoch: init.producerEpoch, v3AndBelowTopics: [{ name: 'tx', partitions: [0] }] });
  t.is(added.resultsByTopicV3AndBelow![0]!.resultsByPartition[0]!.partitionErrorCode, ErrorCode.NONE);
  const state = async () => (await c.request(65, 0, { transactionalIds: ['slow'] })).transactionStates[0]!.transactionState;
  await new Promise((r) => setTimeout(r, 1200));
  t.is(await state(), 'Ongoing', 'real time passing aborts nothing');
  await b.advanceClock(25_000);
  await eventually(async () => (await state()) === 'CompleteAbort', 5000, 'the abort');
});
