// A leader's log directory fails in a 3-broker cluster. With another directory serving,
// the broker reports its offline replicas and the controller moves their leadership to an
// in-sync replica elsewhere, dropping the failed one from the ISR. With none left, the
// broker leaves the cluster, as Kafka's halts. Either way a kafkajs producer and consumer
// carry on, with nothing acknowledged lost.
import fs from 'node:fs';
import test from 'ava';
import { clusterWithAdmin, eventually, partitionsOf, readEverything } from '../support/helpers.js';

for (const logDirs of [2, 1]) {
  test(`a failed log directory moves its leaderships to in-sync replicas on other brokers (${logDirs} log dir(s) per broker)`, async (t) => {
    const { c, k, admin } = await clusterWithAdmin(t, { storage: 'disk', brokers: 3, logDirs });
    // Segments of one batch each: every append after the first rolls, creating files.
    await admin.createTopics({ topics: [{ topic: 'dirfail', numPartitions: 1, replicationFactor: 3, configEntries: [{ name: 'segment.bytes', value: '1024' }] }], waitForLeaders: true });
    const producer = k.producer({ idempotent: true, retry: { retries: 20, initialRetryTime: 50 } });
    await producer.connect();
    t.teardown(() => producer.disconnect());
    const send = (i: number) => producer.send({ topic: 'dirfail', acks: -1, messages: [{ value: `v${i}`.padEnd(1500, '.') }] });
    for (let i = 0; i < 5; i++) await send(i);

    const [before] = await partitionsOf(admin, 'dirfail');
    const failed = before!.leader;
    const leader = c.brokers[failed]!.broker!;
    const dir = leader.logs.dirOf('dirfail', 0)!;
    fs.renameSync(dir, `${dir}.away`);
    fs.writeFileSync(dir, 'not a directory');

    // The next send meets the failure (KAFKA_STORAGE_ERROR, retried) and lands on the new leader.
    for (let i = 5; i < 10; i++) await send(i);
    await eventually(async () => {
      const [p] = await partitionsOf(admin, 'dirfail');
      return p!.leader !== failed && p!.leader >= 0 && !p!.isr.includes(failed) && (p!.offlineReplicas ?? []).includes(failed);
    }, 15_000, 'leadership moved off the failed replica, which left the ISR');
    t.is(leader.replicas.partition('dirfail', 0), undefined, 'the failed replica is no longer served');
    const registered = leader.metadata.brokers.has(failed);
    t.is(registered, logDirs > 1, logDirs > 1 ? 'the broker stays, its other directory serving' : 'the broker with no directory left has left the cluster');

    const read = await readEverything(c.bootstrap, 'dirfail', 10);
    t.deepEqual(read.get(0)!.map(([, v]) => v.replace(/\.+$/, '')), Array.from({ length: 10 }, (_, i) => `v${i}`));
  });
}
