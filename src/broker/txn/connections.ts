// Connections from this broker to the others for the transaction plane (markers, KIP-890
// verification): one per broker, made when first wanted and made again once closed.
import type { BrokerClient } from '../net/broker-client.js';
import type { Peers } from '../net/peers.js';

export class BrokerConnections {
  private readonly clients = new Map<number, Promise<BrokerClient>>();
  /** Once closed (the broker stopped), no connection is made again. */
  private closed = false;

  /** Whether this broker can reach another (an in-process cluster's network split says no). */
  reachable: (brokerId: number) => boolean = () => true;

  constructor(private readonly peers: Peers, private readonly clientId: string) {}

  get(brokerId: number): Promise<BrokerClient> {
    if (this.closed) return Promise.reject(new Error('this broker has stopped'));
    if (!this.reachable(brokerId)) {
      this.drop(brokerId);
      return Promise.reject(new Error(`broker ${brokerId} cannot be reached`));
    }
    const cached = this.clients.get(brokerId);
    if (cached) {
      return cached.then((c) => {
        if (!c.closed) return c;
        if (this.clients.get(brokerId) === cached) this.clients.delete(brokerId);
        return this.get(brokerId);
      });
    }
    const connecting = this.peers.connect(brokerId, this.clientId);
    this.clients.set(brokerId, connecting);
    connecting.catch(() => {
      if (this.clients.get(brokerId) === connecting) this.clients.delete(brokerId);
    });
    return connecting;
  }

  private drop(brokerId: number): void {
    const c = this.clients.get(brokerId);
    this.clients.delete(brokerId);
    void c?.then((x) => x.close(), () => undefined);
  }

  close(): void {
    this.closed = true;
    for (const c of this.clients.values()) void c.then((x) => x.close(), () => undefined);
    this.clients.clear();
  }
}
