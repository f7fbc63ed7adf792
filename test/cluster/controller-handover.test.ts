// Brokers whose copy of the metadata lags behind the store. A controller candidate learns
// first (through its own watch of the controller key) that the old controller's key is
// gone and wins, and only afterwards applies the same deletion to its metadata copy: over
// etcd the two are separate watches, so this order happens. And a lagging broker must not
// answer Metadata with what other brokers already answered differently.
import test from 'ava';
import { Broker } from '../../src/broker/broker.js';
import { EmbeddedStore } from '../../src/broker/controller/embedded-store.js';
import type { CoordinationStore, WatchEvent } from '../../src/broker/controller/store.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { eventually, sleep, storeWith } from '../support/helpers.js';
import { RawClient } from '../support/raw-client.js';

const PREFIX = '/krill/';

/** A store client whose watches of the whole cluster prefix (the metadata copy's) deliver `lagMs` late, in order. */
const laggingMetadataWatch = (inner: CoordinationStore, lagMs: number): CoordinationStore => storeWith(inner, {
  watch: (prefix, fromRevision, fn) => inner.watch(prefix, fromRevision, prefix === PREFIX ? (e: WatchEvent) => void sleep(lagMs).then(() => fn(e)) : fn),
});

/** An in-memory broker on a free port with `client` as its coordination store. */
const start = (id: number, client: CoordinationStore) => Broker.start({ config: { 'broker.id': String(id) }, storage: 'memory', host: '127.0.0.1', port: 0, logLevel: 'silent', store: client });

test('a broker whose metadata copy lags its controller campaign takes over and moves leadership off the old controller', async (t) => {
  const store = new EmbeddedStore();
  const first = await start(0, store.client());
  const second = await start(1, laggingMetadataWatch(store.client(), 300));
  let firstOpen = true;
  t.teardown(async () => {
    if (firstOpen) await first.close();
    await second.close();
  });
  await eventually(async () => first.controller.active, 5000, 'broker 0 controls');

  const created = await first.services.topics.createTopic({ name: 'handover', numPartitions: 2, replicationFactor: 2, assignments: [], configs: [] }, false);
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
  t.is(second.metadata.controllerId, 1);
});

test('a broker whose metadata copy lags answers Metadata only once it has what the store had: never older than another broker\'s answer', async (t) => {
  const store = new EmbeddedStore();
  const first = await start(0, store.client());
  const second = await start(1, laggingMetadataWatch(store.client(), 300));
  t.teardown(async () => {
    await second.close();
    await first.close();
  });
  const c = await RawClient.connect(second.port);
  t.teardown(() => c.close());
  t.is((await first.services.topics.createTopic({ name: 'fresh', numPartitions: 1, replicationFactor: 2, assignments: [], configs: [] }, false)).errorCode, 0);
  t.false(second.metadata.topics.has('fresh'), 'the lagging copy has not applied the new topic yet');
  const md = await c.request(3, 12, { topics: [{ topicId: '0'.repeat(32), name: 'fresh' }], allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false });
  t.is(md.topics![0]!.errorCode, ErrorCode.NONE);
  t.is(md.topics![0]!.partitions!.length, 1);
});
