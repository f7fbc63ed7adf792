// The coordination store the cluster's metadata lives in: a key-value store with
// revisions, compare-and-set, prefix watches and leases. Two implementations: embedded
// (in process, for one broker and in-process clusters) and etcd (separate processes).
// Controller election is built here once, on top of the interface, the way etcd's own
// election recipe works: create-if-absent under a lease, else watch for the key to go.

export interface KeyValue {
  key: string;
  value: string;
  /** The store revision of the key's last write; a compare-and-set names it. */
  version: number;
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
 * Campaigns for `key`: resolves once this candidate holds it (written under `lease`, so it
 * is released when the holder's lease ends). `isCancelled` stops a campaign of a holder
 * that is shutting down.
 */
export async function campaign(store: CoordinationStore, key: string, candidate: string, lease: Lease, isCancelled: () => boolean): Promise<boolean> {
  while (!isCancelled()) {
    if (await store.compareAndSet(key, 0, candidate, lease) !== null) return true;
    const current = await store.get(key);
    if (!current) continue;
    // Wait for the holder's key to be deleted (its lease ended), then try again. That holds
    // for our own name too: it is then held under an older lease of ours (a restart within
    // the session timeout), which will expire.
    await new Promise<void>((resolve) => {
      let cancel: (() => Promise<void>) | null = null;
      let done = false;
      const finish = () => {
        if (done) return;
        done = true;
        clearInterval(poll);
        void cancel?.();
        resolve();
      };
      // The poll also ends the wait when the campaign is cancelled.
      const poll = setInterval(() => {
        if (isCancelled()) finish();
      }, 100);
      poll.unref();
      void store.watch(key, current.version, (e) => {
        if (e.type === 'delete') finish();
      }).then((c) => {
        cancel = c;
        if (done) void c();
      });
      void store.get(key).then((now) => {
        if (!now || now.version !== current.version) finish();
      });
    });
  }
  return false;
}
