// This broker's connections out to the other brokers (replication, transaction markers,
// KIP-890 verification): to the address each registered for the inter-broker listener,
// with that listener's TLS and SASL (security/peer-security.ts).
import type { BrokerInfo } from '../controller/placement.js';
import type { PeerTransport } from '../security/peer-security.js';
import { BrokerClient, SecurityError } from './broker-client.js';
import { endpointOn } from './endpoints.js';

export class Peers {
  constructor(
    private readonly brokers: () => ReadonlyMap<number, BrokerInfo>,
    /** The inter-broker listener's name. */
    readonly listener: string,
    private readonly transport: PeerTransport,
  ) {}

  /** Broker `brokerId`'s address on the inter-broker listener; null when it is not registered or has no such listener. */
  address(brokerId: number): { host: string; port: number } | null {
    const b = this.brokers().get(brokerId);
    return b ? endpointOn(b, this.listener) : null;
  }

  /** Connects and authenticates to broker `brokerId`; rejects when it cannot be reached. */
  async connect(brokerId: number, clientId: string, timeoutMs = 5000): Promise<BrokerClient> {
    const at = this.address(brokerId);
    if (!at) throw new Error(`broker ${brokerId} is not registered with a ${this.listener} listener`);
    let sasl;
    try {
      sasl = this.transport.sasl();
    } catch (e) {
      // The listener's JAAS entry has no credentials for this broker: an operator's matter, reported as such.
      throw new SecurityError(`cannot authenticate to broker ${brokerId} on ${this.listener}: ${(e as Error).message}`);
    }
    return BrokerClient.connect(at.host, at.port, clientId, timeoutMs, { tls: this.transport.tls(at.host), sasl });
  }
}
