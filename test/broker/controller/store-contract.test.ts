// One contract for both coordination stores: the embedded one and etcd behave the same
// for versions, compare-and-set, ordered watches from a revision, leases and election.
import test from 'ava';
import { EmbeddedStore } from '../../../src/broker/controller/embedded-store.js';
import { EtcdStore } from '../../../src/broker/controller/etcd-store.js';
import { campaign, type CoordinationStore, type WatchEvent } from '../../../src/broker/controller/store.js';
import { type RunningEtcd, startEtcd } from '../../support/etcd.js';
import { eventually, sleep, storeWith } from '../../support/helpers.js';

interface Impl {
  name: string;
  /** Two clients of one store, as two brokers would hold. */
  clients(): Promise<[CoordinationStore, CoordinationStore]>;
}

let etcd: RunningEtcd | null = null;
test.before(async () => {
  etcd = await startEtcd();
});
test.after.always(async () => {
  await etcd?.stop();
});

let prefixes = 0;
const impls: Impl[] = [
  { name: 'embedded', clients: async () => { const s = new EmbeddedStore(); return [s.client(), s.client()]; } },
  { name: 'etcd', clients: async () => [new EtcdStore([etcd!.url]), new EtcdStore([etcd!.url])] },
];

const nextEvent = (events: WatchEvent[], n: number) => eventually(() => events.length >= n, 5000, `${n} events`);

for (const impl of impls) {
  const named = (what: string) => `${impl.name}: ${what}`;
  const fresh = () => `/contract-${process.pid}-${prefixes++}/`;

  test(named('versions grow and compare-and-set takes only the current version'), async (t) => {
    const [a, b] = await impl.clients();
    t.teardown(async () => { await a.close(); await b.close(); });
    const p = fresh();
    t.is(await a.get(`${p}k`), null);
    const v1 = await a.compareAndSet(`${p}k`, 0, 'one');
    t.truthy(v1);
    t.is(await b.compareAndSet(`${p}k`, 0, 'again'), null, 'create-if-absent fails once the key exists');
    const got = await b.get(`${p}k`);
    t.deepEqual(got, { key: `${p}k`, value: 'one', version: v1!, lease: null });
    const v2 = await b.compareAndSet(`${p}k`, v1!, 'two');
    t.true(v2! > v1!);
    t.is(await a.compareAndSet(`${p}k`, v1!, 'stale'), null, 'a stale version loses');
    await a.put(`${p}j`, 'x');
    const snap = await b.list(p);
    t.deepEqual(snap.items.map((i) => [i.key, i.value]), [[`${p}j`, 'x'], [`${p}k`, 'two']]);
    t.true(snap.revision >= v2!);
    const rev = await a.delete(`${p}k`);
    t.true(rev > v2!);
    t.is(await b.get(`${p}k`), null);
  });

  test(named('a watch from a revision delivers every later change under the prefix, in order'), async (t) => {
    const [a, b] = await impl.clients();
    t.teardown(async () => { await a.close(); await b.close(); });
    const p = fresh();
    await a.put(`${p}before`, '0');
    const snap = await b.list(p);
    await a.put(`${p}x`, '1');
    const events: WatchEvent[] = [];
    const cancel = await b.watch(p, snap.revision, (e) => events.push(e));
    await a.put(`${p}x`, '2');
    await a.put(`/elsewhere-${p}`, 'ignored');
    await a.delete(`${p}x`);
    await nextEvent(events, 3);
    await cancel();
    t.deepEqual(events.map((e) => [e.type, e.key, e.type === 'put' ? e.value : null]), [
      ['put', `${p}x`, '1'], ['put', `${p}x`, '2'], ['delete', `${p}x`, null],
    ]);
    t.true(events[0]!.version < events[1]!.version && events[1]!.version < events[2]!.version);
  });

  test(named('latestRevision is the newest write to a key under the prefix that still exists'), async (t) => {
    const [a, b] = await impl.clients();
    t.teardown(async () => { await a.close(); await b.close(); });
    const p = fresh();
    t.is(await b.latestRevision(p), 0);
    await a.put(`${p}x`, '1');
    const v2 = await a.put(`${p}y`, '2');
    await a.put(`/elsewhere-${p}`, 'not under the prefix');
    t.is(await b.latestRevision(p), v2);
    const v3 = await a.put(`${p}x`, '3');
    t.is(await b.latestRevision(p), v3);
  });

  test(named('keys under a lease go when the lease is revoked or its client closes'), async (t) => {
    const [a, b] = await impl.clients();
    t.teardown(async () => { await b.close(); });
    const p = fresh();
    const l1 = await a.grantLease(5000);
    const l2 = await a.grantLease(5000);
    await a.put(`${p}one`, 'x', l1);
    await a.compareAndSet(`${p}two`, 0, 'y', l2);
    t.is((await b.list(p)).items.length, 2);
    t.is((await b.get(`${p}one`))!.lease, l1.id, 'a key names the lease it was written under');
    t.deepEqual((await b.list(p)).items.map((kv) => kv.lease), [l1.id, l2.id]);
    await l1.revoke();
    t.is(await b.get(`${p}one`), null);
    t.truthy(await b.get(`${p}two`));
    await a.close();
    t.is(await b.get(`${p}two`), null, 'closing the client ended its lease');
  });

  test(named('election: one holder at a time; the next candidate wins when the holder goes'), async (t) => {
    const [a, b] = await impl.clients();
    t.teardown(async () => { await b.close(); });
    const key = `${fresh()}controller`;
    const la = await a.grantLease(5000);
    const lb = await b.grantLease(5000);
    t.is(await campaign(a, key, '1', la, () => false), (await a.get(key))!.version, 'the win is the revision of the write');
    let bWon = false;
    let stopB = false;
    const bCampaign = campaign(b, key, '2', lb, () => stopB).then((won) => { bWon = won !== null; });
    await sleep(300);
    t.false(bWon, 'the second candidate waits while the first holds');
    t.is((await b.get(key))!.value, '1');
    await a.close();
    await bCampaign;
    t.true(bWon);
    t.is((await b.get(key))!.value, '2');
    stopB = true;
  });

  test(named('election: a candidate whose winning write was answered with an error still wins'), async (t) => {
    const [a, b] = await impl.clients();
    t.teardown(async () => { await a.close(); await b.close(); });
    const key = `${fresh()}controller`;
    const la = await a.grantLease(5000);
    let lost = false;
    // The write lands in the store, but its answer is lost.
    const lossy = storeWith(a, {
      compareAndSet: async (k, expected, value, lease) => {
        const v = await a.compareAndSet(k, expected, value, lease);
        if (lost) return v;
        lost = true;
        throw new Error('connection reset');
      },
    });
    const won = await Promise.race([campaign(lossy, key, '1', la, () => false), sleep(3000).then(() => 'still waiting' as const)]);
    t.is(won, (await b.get(key))!.version);
  });
}

for (const impl of impls) {
  test(`${impl.name}: election: a candidate whose name is held under an older lease of its own waits for that lease to end`, async (t) => {
    const [a, b] = await impl.clients();
    t.teardown(async () => { await b.close(); });
    const key = `/contract-${process.pid}-restart/controller`;
    const old = await a.grantLease(5000);
    t.not(await campaign(a, key, '7', old, () => false), null);
    // The same broker, restarted: a new client and lease, the old lease still alive.
    const fresh = await b.grantLease(5000);
    let won = false;
    let stop = false;
    const c = campaign(b, key, '7', fresh, () => stop).then((w) => { won = w !== null; });
    await sleep(300);
    t.false(won, 'not while the earlier run holds the key');
    await a.close();
    await c;
    t.true(won);
    stop = true;
  });
}

for (const impl of impls) {
  test(`${impl.name}: a lease nobody keeps alive any more (its holder was killed) expires after its TTL`, async (t) => {
    const [a, b] = await impl.clients();
    t.teardown(async () => { await b.close(); });
    const key = `/contract-${process.pid}-expiry-${impl.name}/broker`;
    const lease = await a.grantLease(1000);
    await a.put(key, 'alive', lease);
    await sleep(1500);
    t.truthy(await b.get(key), 'kept alive past its TTL while the holder lives');
    await a.abandon();
    const gone = async () => (await b.get(key)) === null;
    await eventually(gone, 10_000, 'the key to expire');
    t.true(await gone(), 'deleted once the TTL ran out');
  });
}
