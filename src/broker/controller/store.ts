// The coordination store the cluster's metadata lives in: a key-value store with
// revisions, compare-and-set, prefix watches and leases. Two implementations: embedded
// (in process, for one broker and in-process clusters) and etcd (separate processes).
// Controller election is built here once, on top of the interface, the way etcd's own
// election recipe works: create-if-absent under a lease, else watch for the key to go.
import { setTimeout as sleep } from 'node:timers/promises';

export interface KeyValue {
  key: string;
  value: string;
  /** The store revision of the key's last write; a compare-and-set names it. */
  version: number;
  /** The id of the lease the key was written under, or null. */
  lease: string | null;
}

export type WatchEvent = { type: 'put'; key: string; value: string; version: number } | { type: 'delete'; key: string; version: number };

export interface Lease {
  readonly id: string;
  /** Ends the lease at once: every key written under it is deleted. */
  revoke(): Promise<void>;
  /** Called once if the store expires the lease (its holder stopped keeping it alive). */
  onLost(fn: () => void): void;
}

export interface Snapshot {
  items: KeyValue[];
  /** The store revision the items were read at; a watch from revision + 1 misses nothing. */
  revision: number;
}

export interface CoordinationStore {
  get(key: string): Promise<KeyValue | null>;
  list(prefix: string): Promise<Snapshot>;
  /** The revision of the newest write to a key under `prefix` that still exists; 0 when there is none. */
  latestRevision(prefix: string): Promise<number>;
  /** Writes `value` if the key's version is `expected` (0: the key must not exist). Returns the new version, or null. */
  compareAndSet(key: string, expected: number, value: string, lease?: Lease): Promise<number | null>;
  put(key: string, value: string, lease?: Lease): Promise<number>;
  /** Deletes the key; returns the store revision after the delete. */
  delete(key: string): Promise<number>;
  /** Delivers, in order, every change under `prefix` after `fromRevision`. Returns a cancel function. */
  watch(prefix: string, fromRevision: number, fn: (e: WatchEvent) => void): Promise<() => Promise<void>>;
  /** A lease kept alive by this store client until revoked or the client closes. */
  grantLease(ttlMs: number): Promise<Lease>;
  close(): Promise<void>;
  /** Drops the client without ending its leases, as a killed process would: they expire after their TTL. */
  abandon(): Promise<void>;
}

/**
 * Campaigns for `key`: resolves with the store revision of the write once this candidate
 * holds it (written under `lease`, so it is released when the holder's lease ends), or
 * with null when `isCancelled` stops the campaign of a holder that is shutting down.
 * A store error ends a round, not the campaign: a cluster whose candidates all gave up
 * after one failed request would have no controller.
 */
export async function campaign(store: CoordinationStore, key: string, candidate: string, lease: Lease, isCancelled: () => boolean): Promise<number | null> {
  while (!isCancelled()) {
    try {
      const won = await store.compareAndSet(key, 0, candidate, lease);
      if (won !== null) return won;
      const current = await store.get(key);
      // Our own write, whose answer was lost to a store error before this round.
      if (current?.value === candidate && current.lease === lease.id) return current.version;
      // Wait for the holder's key to be deleted (its lease ended), then try again. That holds
      // for our own name too: it is then held under an older lease of ours (a restart within
      // the session timeout), which will expire.
      if (current) await untilChanged(store, current, isCancelled);
    } catch {
      await sleep(CAMPAIGN_RETRY_MS);
    }
  }
  return null;
}

const CAMPAIGN_RETRY_MS = 250;

/** Resolves when `kv` is deleted or rewritten or the campaign is cancelled; rejects when the store fails. */
function untilChanged(store: CoordinationStore, kv: KeyValue, isCancelled: () => boolean): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let cancel: (() => Promise<void>) | null = null;
    let done = false;
    const finish = (error?: unknown) => {
      if (done) return;
      done = true;
      clearInterval(poll);
      void cancel?.().catch(() => undefined);
      if (error === undefined) resolve();
      else reject(error);
    };
    const poll = setInterval(() => {
      if (isCancelled()) finish();
    }, 100);
    poll.unref();
    store.watch(kv.key, kv.version, (e) => {
      if (e.type === 'delete') finish();
    }).then((c) => {
      cancel = c;
      if (done) void c().catch(() => undefined);
    }, (e: unknown) => finish(e ?? new Error('watch failed')));
    // The key may have gone between the read and the watch.
    store.get(kv.key).then((now) => {
      if (!now || now.version !== kv.version) finish();
    }, (e: unknown) => finish(e ?? new Error('read failed')));
  });
}
