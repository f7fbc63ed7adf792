// The coordination store on a real etcd (v3 API, npm `etcd3`), for brokers in separate
// processes or hosts. Versions are etcd mod revisions: a compare-and-set is a
// transaction comparing the key's mod revision (0 when absent).
import { Etcd3, type IKeyValue, type Lease as EtcdLease } from 'etcd3';
import type { CoordinationStore, KeyValue, Lease, Snapshot, WatchEvent } from './store.js';

/** etcd's key-value as the store interface has it (lease 0: none). */
const toKeyValue = (kv: IKeyValue): KeyValue => ({ key: kv.key.toString(), value: kv.value.toString(), version: Number(kv.mod_revision), lease: kv.lease === '0' ? null : kv.lease });

export class EtcdStore implements CoordinationStore {
  private readonly client: Etcd3;
  private readonly leases = new Set<EtcdLease>();

  /** `endpoints`: e.g. ["http://127.0.0.1:2379"]. */
  constructor(endpoints: string[]) {
    this.client = new Etcd3({ hosts: endpoints, dialTimeout: 3000 });
  }

  /** Parses `etcd://host:port[,host:port]` into endpoints. */
  static fromUrl(url: string): EtcdStore {
    const hosts = url.replace(/^etcd:\/\//, '').split(',').filter(Boolean).map((h) => `http://${h}`);
    return new EtcdStore(hosts);
  }

  async get(key: string): Promise<KeyValue | null> {
    const r = await this.client.get(key).exec();
    const kv = r.kvs[0];
    return kv ? toKeyValue(kv) : null;
  }

  async list(prefix: string): Promise<Snapshot> {
    const r = await this.client.getAll().prefix(prefix).sort('Key', 'Ascend').exec();
    return {
      items: r.kvs.map(toKeyValue),
      revision: Number(r.header.revision),
    };
  }

  async latestRevision(prefix: string): Promise<number> {
    const r = await this.client.getAll().prefix(prefix).sort('Mod', 'Descend').limit(1).exec();
    return r.kvs[0] ? Number(r.kvs[0].mod_revision) : 0;
  }

  private putOp(key: string, value: string, lease?: Lease) {
    const op = this.client.put(key).value(value);
    return lease ? op.lease(lease.id) : op;
  }

  async compareAndSet(key: string, expected: number, value: string, lease?: Lease): Promise<number | null> {
    const r = await this.client.if(key, 'Mod', '==', expected).then(this.putOp(key, value, lease)).commit();
    return r.succeeded ? Number(r.header.revision) : null;
  }

  async put(key: string, value: string, lease?: Lease): Promise<number> {
    const r = await this.putOp(key, value, lease).exec();
    return Number(r.header.revision);
  }

  async delete(key: string): Promise<number> {
    const r = await this.client.delete().key(key).exec();
    return Number(r.header.revision);
  }

  async watch(prefix: string, fromRevision: number, fn: (e: WatchEvent) => void): Promise<() => Promise<void>> {
    const w = await this.client.watch().prefix(prefix).startRevision(String(fromRevision + 1)).create();
    w.on('put', (kv) => fn({ type: 'put', key: kv.key.toString(), value: kv.value.toString(), version: Number(kv.mod_revision) }));
    w.on('delete', (kv) => fn({ type: 'delete', key: kv.key.toString(), version: Number(kv.mod_revision) }));
    // The library reconnects watchers itself and resumes from the last revision seen.
    w.on('error', () => undefined);
    return () => w.cancel();
  }

  async grantLease(ttlMs: number): Promise<Lease> {
    const lease = this.client.lease(Math.max(1, Math.ceil(ttlMs / 1000)));
    const id = await lease.grant();
    this.leases.add(lease);
    const leases = this.leases;
    return {
      id,
      async revoke() {
        leases.delete(lease);
        await lease.revoke().catch(() => undefined);
      },
      onLost(fn) {
        lease.on('lost', () => fn());
      },
    };
  }

  async abandon(): Promise<void> {
    for (const l of this.leases) l.release();
    this.leases.clear();
    this.client.close();
  }

  async close(): Promise<void> {
    await Promise.all([...this.leases].map((l) => l.revoke().catch(() => undefined)));
    this.leases.clear();
    this.client.close();
  }
}
