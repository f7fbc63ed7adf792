// The embedded coordination store: the default for one broker and for in-process
// clusters, where every broker holds a client of one shared store. With a file it
// persists its durable keys (leased keys are ephemeral by definition) atomically on every
// write, so a single broker keeps its topics across restarts.
import fs from 'node:fs';
import type { CoordinationStore, KeyValue, Lease, Snapshot, WatchEvent } from './store.js';

interface Entry {
  value: string;
  version: number;
  lease: string | null;
}

interface Watcher {
  prefix: string;
  fn: (e: WatchEvent) => void;
}

/** How many past events a watch that starts from an older revision can replay. */
const HISTORY = 10_000;

export class EmbeddedStore {
  private readonly kv = new Map<string, Entry>();
  private readonly history: WatchEvent[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly leases = new Map<string, { lost: Array<() => void>; keys: Set<string>; ttlMs: number; timer: NodeJS.Timeout | null }>();
  private revision = 0;
  private nextLease = 1;

  /**
   * `file`: where durable keys persist; null keeps everything in memory. `legacy` converts
   * an older file format. `expireLeases`: whether a lease nobody keeps alive ends after its
   * TTL (a cluster's shared store: how a killed broker drops out); a lone broker's own store
   * has no one to fail over to, so a long pause (a debugger) must not unregister it.
   */
  constructor(private readonly file: string | null = null, legacy?: ((data: unknown) => Array<[string, string]> | null) | null, private readonly expireLeases = true) {
    if (!file || !fs.existsSync(file)) return;
    const data = JSON.parse(fs.readFileSync(file, 'utf8')) as { revision?: number; kv?: Array<[string, string, number]> };
    if (Array.isArray(data.kv)) {
      this.revision = data.revision ?? 0;
      for (const [k, v, ver] of data.kv) this.kv.set(k, { value: v, version: ver, lease: null });
    } else {
      for (const [k, v] of legacy?.(data) ?? []) this.kv.set(k, { value: v, version: ++this.revision, lease: null });
    }
  }

  /** A client handle: its leases end when it closes, as an etcd client's do. */
  client(): CoordinationStore {
    return new EmbeddedClient(this);
  }

  get(key: string): KeyValue | null {
    const e = this.kv.get(key);
    return e ? { key, value: e.value, version: e.version, lease: e.lease } : null;
  }

  latestRevision(prefix: string): number {
    let latest = 0;
    for (const [key, e] of this.kv) if (key.startsWith(prefix) && e.version > latest) latest = e.version;
    return latest;
  }

  list(prefix: string): Snapshot {
    const items: KeyValue[] = [];
    for (const [key, e] of this.kv) if (key.startsWith(prefix)) items.push({ key, value: e.value, version: e.version, lease: e.lease });
    items.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    return { items, revision: this.revision };
  }

  compareAndSet(key: string, expected: number, value: string, lease: string | null): number | null {
    if ((this.kv.get(key)?.version ?? 0) !== expected) return null;
    return this.write(key, value, lease);
  }

  write(key: string, value: string, lease: string | null): number {
    if (lease !== null && !this.leases.has(lease)) throw new Error(`lease ${lease} not found`);
    const old = this.kv.get(key);
    if (old?.lease) this.leases.get(old.lease)?.keys.delete(key);
    const version = ++this.revision;
    this.kv.set(key, { value, version, lease });
    if (lease) this.leases.get(lease)!.keys.add(key);
    this.emit({ type: 'put', key, value, version }, lease === null || old?.lease === null);
    return version;
  }

  delete(key: string): number {
    const old = this.kv.get(key);
    if (!old) return this.revision;
    this.kv.delete(key);
    if (old.lease) this.leases.get(old.lease)?.keys.delete(key);
    this.emit({ type: 'delete', key, version: ++this.revision }, old.lease === null);
    return this.revision;
  }

  private emit(e: WatchEvent, durable: boolean): void {
    this.history.push(e);
    if (this.history.length > HISTORY) this.history.splice(0, this.history.length - HISTORY);
    if (durable) this.persist();
    for (const w of this.watchers) if (e.key.startsWith(w.prefix)) deliver(w, e);
  }

  watch(prefix: string, fromRevision: number, fn: (e: WatchEvent) => void): () => void {
    const w: Watcher = { prefix, fn };
    const oldest = this.history[0]?.version ?? this.revision + 1;
    if (fromRevision + 1 < oldest && fromRevision < this.revision) throw new Error(`revision ${fromRevision} has been compacted`);
    for (const e of this.history) if (e.version > fromRevision && e.key.startsWith(prefix)) deliver(w, e);
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  grantLease(ttlMs: number): string {
    const id = String(this.nextLease++);
    this.leases.set(id, { lost: [], keys: new Set(), ttlMs, timer: null });
    this.keepAlive(id);
    return id;
  }

  /** Restarts a lease's time to live; a lease nobody keeps alive expires after it. */
  keepAlive(id: string): void {
    const l = this.leases.get(id);
    if (!l || !this.expireLeases) return;
    if (l.timer) clearTimeout(l.timer);
    l.timer = setTimeout(() => this.endLease(id, true), l.ttlMs);
    l.timer.unref();
  }

  onLeaseLost(id: string, fn: () => void): void {
    this.leases.get(id)?.lost.push(fn);
  }

  /** Ends a lease and deletes its keys; `expired` tells its holder it was lost, not given up. */
  endLease(id: string, expired = false): void {
    const l = this.leases.get(id);
    if (!l) return;
    if (l.timer) clearTimeout(l.timer);
    this.leases.delete(id);
    for (const key of [...l.keys]) this.delete(key);
    if (expired) for (const fn of l.lost) fn();
  }

  private persist(): void {
    if (!this.file) return;
    const kv: Array<[string, string, number]> = [];
    for (const [k, e] of this.kv) if (e.lease === null) kv.push([k, e.value, e.version]);
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify({ revision: this.revision, kv }));
    fs.renameSync(tmp, this.file);
  }
}

/** Events reach watchers asynchronously and in order, as they would from a real store. */
function deliver(w: Watcher, e: WatchEvent): void {
  queueMicrotask(() => w.fn(e));
}

class EmbeddedClient implements CoordinationStore {
  private readonly leases = new Set<string>();
  private readonly cancels = new Set<() => void>();
  private keepAliveTimer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(private readonly store: EmbeddedStore) {}

  private check(): void {
    if (this.closed) throw new Error('store client closed');
  }

  async get(key: string): Promise<KeyValue | null> {
    this.check();
    return this.store.get(key);
  }

  async list(prefix: string): Promise<Snapshot> {
    this.check();
    return this.store.list(prefix);
  }

  async latestRevision(prefix: string): Promise<number> {
    this.check();
    return this.store.latestRevision(prefix);
  }

  async compareAndSet(key: string, expected: number, value: string, lease?: Lease): Promise<number | null> {
    this.check();
    return this.store.compareAndSet(key, expected, value, lease?.id ?? null);
  }

  async put(key: string, value: string, lease?: Lease): Promise<number> {
    this.check();
    return this.store.write(key, value, lease?.id ?? null);
  }

  async delete(key: string): Promise<number> {
    this.check();
    return this.store.delete(key);
  }

  async watch(prefix: string, fromRevision: number, fn: (e: WatchEvent) => void): Promise<() => Promise<void>> {
    this.check();
    let live = true;
    const stop = this.store.watch(prefix, fromRevision, (e) => {
      if (live) fn(e);
    });
    const cancel = () => {
      live = false;
      stop();
    };
    this.cancels.add(cancel);
    return async () => {
      this.cancels.delete(cancel);
      cancel();
    };
  }

  async grantLease(ttlMs: number): Promise<Lease> {
    this.check();
    const id = this.store.grantLease(ttlMs);
    this.leases.add(id);
    // Kept alive a few times per TTL, as an etcd client does, for as long as this client lives.
    if (!this.keepAliveTimer) {
      this.keepAliveTimer = setInterval(() => {
        for (const l of this.leases) this.store.keepAlive(l);
      }, Math.max(10, Math.floor(ttlMs / 3)));
      this.keepAliveTimer.unref();
    }
    const store = this.store;
    const leases = this.leases;
    return {
      id,
      async revoke() {
        leases.delete(id);
        store.endLease(id);
      },
      onLost(fn) {
        store.onLeaseLost(id, fn);
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    await this.abandon();
    for (const id of this.leases) this.store.endLease(id);
    this.leases.clear();
  }

  async abandon(): Promise<void> {
    this.closed = true;
    if (this.keepAliveTimer) clearInterval(this.keepAliveTimer);
    this.keepAliveTimer = null;
    for (const c of this.cancels) c();
    this.cancels.clear();
  }
}
