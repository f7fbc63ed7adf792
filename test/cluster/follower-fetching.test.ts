// KIP-392: with broker.rack set and the rack-aware replica selector, a consumer that
// names its rack (client.rack) is sent to the in-sync follower in that rack and reads
// from it. Checked with librdkafka's own statistics of which broker it fetches from.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import test from 'ava';
import { clusterWithAdmin, partitionsOf, ROOT } from '../support/helpers.js';

const run = promisify(execFile);

test('a consumer with client.rack reads from the follower in its rack', async (t) => {
  const { c, k, admin } = await clusterWithAdmin(t, {
    brokers: 3,
    config: { 'replica.selector.class': 'org.apache.kafka.common.replica.RackAwareReplicaSelector' },
    brokerConfig: (id) => ({ 'broker.rack': `rack-${id}` }),
  });
  await admin.createTopics({ topics: [{ topic: 'racked', numPartitions: 1, replicationFactor: 3 }], waitForLeaders: true });
  const leader = (await partitionsOf(admin, 'racked'))[0]!.leader;
  const follower = [0, 1, 2].find((id) => id !== leader)!;
  const producer = k.producer();
  await producer.connect();
  await producer.send({ topic: 'racked', acks: -1, messages: Array.from({ length: 100 }, (_, i) => ({ value: `r${i}` })) });
  await producer.disconnect();

  const { stdout } = await run('/usr/bin/python3', [path.join(ROOT, 'compat/cluster/rack_consumer.py'), c.bootstrap, 'racked', '100', `rack-${follower}`], { timeout: 60_000 });
  t.log(stdout.trim());
  const m = /^ok fetched-from=(-?\d+) leader=(-?\d+)/m.exec(stdout);
  t.truthy(m, stdout);
  t.is(Number(m![2]), leader);
  t.is(Number(m![1]), follower, 'librdkafka fetched from the same-rack follower, not the leader');
});
