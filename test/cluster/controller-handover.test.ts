// Controller handover when a broker's copy of the metadata lags behind its campaign: the
// candidate learns first (through its own watch of the controller key) that the old
// controller's key is gone and wins, and only afterwards applies the same deletion to its
// metadata copy. Over etcd the two are separate watches, so this order happens.
import test from 'ava';
import { Broker } from '../../src/broker/broker.js';
import { EmbeddedStore } from '../../src/broker/controller/embedded-store.js';
import type { CoordinationStore, WatchEvent } from '../../src/broker/controller/store.js';
import { eventually, sleep } from '../helpers.js';

const PREFIX = '/krill/';

/** A store client whose watches of the whole cluster prefix (the metadata copy's) deliver `lagMs` late, in order. */
function laggingMetadataWatch(inner: CoordinationStore, lagMs: number): CoordinationStore {
  return {
    get: (key) => inner.get(key),
    list: (prefix) => inner.list(prefix),
    compareAndSet: (key, expected, value, lease) => inner.compareAndSet(key, expected, value, lease),
    put: (key, value, lease) => inner.put(key, value, lease),
    delete: (key) => inner.delete(key),
    watch: (prefix, fromRevision, fn) => inner.watch(prefix, fromRevision, prefix === PREFIX ? (e: WatchEvent) => void sleep(lagMs).then(() => fn(e)) : fn),
    grantLease: (ttlMs) => inner.grantLease(ttlMs),
    close: () => inner.close(),
    abandon: () => inner.abandon(),
  };
}

test('a broker whose metadata copy lags its controller campaign takes over and moves leadership off the old controller', async (t) => {
  const store = new EmbeddedStore();
  const start = (id: number, client: CoordinationStore) => Broker.start({ config: { 'broker.id': String(id) }, storage: 'memory', host: '127.0.0.1', port: 0, logLevel: 'silent', store: client });
  const first = await start(0, store.client());
  const second = await start(1, laggingMetadataWatch(store.client(), 300));
  let firstOpen = true;
  t.teardown(async () => {
    if (firstOpen) await first.close();
    await second.close();
  });
  await eventually(async () => first.controller.active, 5000, 'broker 0 controls');

  const created = await first.createTopic({ name: 'handover', numPartitions: 2, replicationFactor: 2, assignments: [], configs: [] }, false);
  t.is(created.errorCode, 0);
  await eventually(async () => second.metadata.topics.has('handover'), 5000, 'broker 1 sees the topic');
  t.true(second.metadata.topics.get('handover')!.partitions.some((p) => p.leader === 0), 'broker 0 leads a partition');

  firstOpen = false;
  await first.close();
  const ledBySecond = () => second.metadata.topics.get('handover')!.partitions.every((p) => p.leader === 1);
  await eventually(async () => second.controller.active && ledBySecond(), 5000, 'broker 1 controls and leads every partition');
  t.true(ledBySecond(), 'every partition led by broker 1');
  // Past the lag: the old controller's key going, applied late, did not demote the new one.
  await sleep(600);
  t.true(second.controller.active, 'broker 1 still controls');
  t.is(second.controllerId, 1);
});
