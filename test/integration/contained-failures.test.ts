// No failure in background work ends the process: each periodic task, the metadata-change
// callback and the log cleaner contain what they throw, log it with what failed, and the
// broker goes on serving.
import test from 'ava';
import { startBroker } from '../../src/index.js';
import { eventually, kafka } from '../support/helpers.js';

test('a throw in each background path is logged and the broker serves on', async (t) => {
  const b = await startBroker({ config: { 'log.retention.check.interval.ms': '20', 'offsets.retention.check.interval.ms': '20', 'log.cleaner.backoff.ms': '20' } });
  t.teardown(() => b.close());
  const broker = b.broker;
  const errors: string[] = [];
  const record = (message: unknown) => {
    errors.push(String(message));
    return broker.logger;
  };
  broker.logger.error = record as typeof broker.logger.error;
  const fail = (what: string) => () => {
    throw new Error(`injected into ${what}`);
  };
  broker.logs.applyRetention = fail('retention');
  broker.logs.flushDue = fail('timed flush');
  broker.logs.writeCheckpoints = fail('checkpoints');
  broker.groups.tick = fail('group timers');
  broker.groups.manager.expireOffsets = fail('offset expiry');
  broker.replicas.all = fail('the cleaner\'s pass');
  const reconcile = broker.replicas.reconcileTopic.bind(broker.replicas);
  broker.replicas.reconcileTopic = fail('a metadata change');

  const admin = kafka(b.bootstrap).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'after', numPartitions: 1 }] });
  const expected = ['retention', 'timed flush', 'checkpoints', 'group timers', 'offset expiry', 'the cleaner\'s pass', 'a metadata change'];
  const logged = (w: string) => errors.some((e) => e.includes(`injected into ${w}`));
  await eventually(() => expected.every(logged), 10_000, 'every injected failure logged');
  t.deepEqual(expected.filter((w) => !logged(w)), []);

  // Serving on: the metadata change that failed is applied by the next one.
  broker.replicas.reconcileTopic = reconcile;
  await admin.createTopics({ topics: [{ topic: 'served', numPartitions: 1 }] });
  const producer = kafka(b.bootstrap).producer();
  await producer.connect();
  t.teardown(() => producer.disconnect());
  const [r] = await producer.send({ topic: 'served', messages: [{ value: 'still here' }] });
  t.is(r!.errorCode, 0);
  t.true((await admin.listTopics()).includes('after'));
});
