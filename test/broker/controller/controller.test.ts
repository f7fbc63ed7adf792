// The controller over a real metadata copy: a failed write to the store during an
// election is retried, so a dead broker's leaderships still move.
import test from 'ava';
import { ClusterMetadata, Keys, type TopicState } from '../../../src/broker/controller/cluster-metadata.js';
import { Controller } from '../../../src/broker/controller/controller.js';
import { EmbeddedStore } from '../../../src/broker/controller/embedded-store.js';
import type { CoordinationStore } from '../../../src/broker/controller/store.js';
import { eventually, storeWith } from '../../support/helpers.js';

/** A store client whose next `faults.writes` compare-and-sets fail as an unreachable etcd's would. */
const failingWrites = (inner: CoordinationStore, faults: { writes: number }): CoordinationStore => storeWith(inner, {
  compareAndSet: (key, expected, value, lease) => (faults.writes-- > 0 ? Promise.reject(new Error('store unavailable')) : inner.compareAndSet(key, expected, value, lease)),
});

test('an election the store fails is retried until the dead broker\'s partition has a live leader', async (t) => {
  const store = new EmbeddedStore();
  const client = store.client();
  const topic: TopicState = { name: 't', topicId: '1'.repeat(32), internal: false, configs: {}, partitions: [{ partition: 0, replicas: [0, 1], leader: 0, leaderEpoch: 3, isr: [0, 1] }] };
  await client.put(`/krill/${Keys.topic('t')}`, JSON.stringify(topic));
  // Only broker 1 is registered: broker 0, the leader, is gone.
  await client.put(`/krill/${Keys.broker(1)}`, JSON.stringify({ nodeId: 1, host: '127.0.0.1', port: 1, rack: null }));
  const faults = { writes: 0 };
  const metadata = new ClusterMetadata(failingWrites(client, faults));
  await metadata.start();
  faults.writes = 2;
  t.teardown(() => metadata.stop());
  const warnings: string[] = [];
  const controller = new Controller({ brokerId: 1, metadata, uncleanElection: () => false, info: () => undefined, warn: (m) => warnings.push(m) });
  controller.activate();
  await eventually(() => metadata.topics.get('t')!.partitions[0]!.leader === 1, 5000, 'broker 1 leads');
  await controller.settled();
  t.deepEqual(metadata.topics.get('t')!.partitions[0], { partition: 0, replicas: [0, 1], leader: 1, leaderEpoch: 4, isr: [1] });
  t.true(warnings.length >= 1 && warnings.every((w) => w.includes('store unavailable')), warnings.join('; '));
});
