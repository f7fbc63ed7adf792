// queued.max.request.bytes: how many bytes of requests the broker holds at once, across
// every connection. Kafka reads a request only when its memory pool has room for it;
// here a connection that finds the budget spent stops reading until answers free room.

export class RequestBytes {
  private inHand = 0;
  private readonly waiting = new Set<() => void>();

  /** `limit` <= 0 is Kafka's -1: unbounded. */
  constructor(readonly limit: number) {}

  get full(): boolean {
    return this.limit > 0 && this.inHand >= this.limit;
  }

  take(n: number): void {
    this.inHand += n;
  }

  give(n: number): void {
    this.inHand -= n;
    if (this.waiting.size === 0 || this.full) return;
    const ready = [...this.waiting];
    this.waiting.clear();
    for (const fn of ready) fn();
  }

  /** Calls `fn` once the budget has room again; the returned function forgets it. */
  whenRoom(fn: () => void): () => void {
    this.waiting.add(fn);
    return () => this.waiting.delete(fn);
  }
}

/** The bounds on what one request, one connection and the broker hold, as the broker configs set them. */
export function requestLimits(config: { int(name: string): number }): { maxRequestBytes: number; maxQueuedRequests: number; requestBytes: RequestBytes } {
  return {
    maxRequestBytes: config.int('socket.request.max.bytes'),
    maxQueuedRequests: Math.max(1, config.int('queued.max.requests')),
    requestBytes: new RequestBytes(config.int('queued.max.request.bytes')),
  };
}
