// KIP-227 incremental fetch sessions. A session remembers, per partition, what the
// client last asked for and what it was last told, so that an incremental request names
// only changed partitions and the response carries only partitions with news.

export interface SessionPartition {
  topic: string;
  topicId: string;
  partition: number;
  fetchOffset: number;
  maxBytes: number;
  currentLeaderEpoch: number;
  /** A follower's last fetched epoch (KIP-320), -1 from consumers. */
  lastFetchedEpoch: number;
  /** What the last response said, to tell whether there is news. -1 before the first. */
  sentHighWatermark: number;
  sentLogStartOffset: number;
}

export class FetchSession {
  epoch = 1;
  lastUsed = Date.now();
  /** Insertion-ordered, as Kafka keeps them, so responses list partitions in a stable order. */
  readonly partitions = new Map<string, SessionPartition>();

  constructor(readonly id: number) {}
}

export const sessionKey = (topicIdOrName: string, partition: number): string => `${topicIdOrName}:${partition}`;

/** max.incremental.fetch.session.cache.slots */
const MAX_SESSIONS = 1000;

export class FetchSessionCache {
  private readonly sessions = new Map<number, FetchSession>();
  private nextId = 1;

  /** A new session, or null when the cache is full of sessions used in the last minute. */
  create(): FetchSession | null {
    if (this.sessions.size >= MAX_SESSIONS) {
      const oldest = [...this.sessions.values()].sort((a, b) => a.lastUsed - b.lastUsed)[0]!;
      if (Date.now() - oldest.lastUsed < 60_000) return null;
      this.sessions.delete(oldest.id);
    }
    let id = this.nextId++;
    if (this.nextId > 0x7fffffff) this.nextId = 1;
    while (this.sessions.has(id)) id = this.nextId++;
    const s = new FetchSession(id);
    this.sessions.set(id, s);
    return s;
  }

  get(id: number): FetchSession | undefined {
    return this.sessions.get(id);
  }

  remove(id: number): void {
    this.sessions.delete(id);
  }
}
