// Everything about the broker's listeners, as `listeners`, `listener.security.protocol.map`,
// `advertised.listeners` and `inter.broker.listener.name` configure them: one socket per
// listener with its own security (TLS, SASL), the addresses the broker registers for
// clients on each, and the peers it reaches on the inter-broker listener.
import type { Logger } from 'winston';
import { type BrokerConfig, ConfigSource } from '../config.js';
import type { BrokerInfo } from '../controller/placement.js';
import { type ListenerSecurity, listenerSecurity } from '../security/listener-security.js';
import { peerTransport } from '../security/peer-security.js';
import { Connection, type ConnectionHost } from './connection.js';
import { advertisedEndpoints, type Endpoint, interBrokerListener, parseListeners } from './endpoints.js';
import { connectionLimits, Listener } from './listener.js';
import { Peers } from './peers.js';

export class BrokerListeners {
  /** The sockets and connections of every listener. */
  readonly sockets: Listener;
  /** This broker's way to the others, on the inter-broker listener. */
  readonly peers: Peers;
  /** The listeners to open, as `listeners` names them. */
  private readonly endpoints: readonly Endpoint[];
  private readonly security: ReadonlyMap<string, ListenerSecurity>;

  /** Reads the configs; throws ConfigError for what Kafka would refuse (or Krill does not serve). */
  constructor(
    private readonly config: BrokerConfig,
    logger: Logger,
    brokers: () => ReadonlyMap<number, BrokerInfo>,
    credentials: () => ReadonlyMap<string, Readonly<Record<string, string>>>,
    connectionRate: (ip: string, now: number) => number,
  ) {
    this.sockets = new Listener(connectionLimits(config), logger, connectionRate);
    const endpoints = (this.endpoints = parseListeners(config.get('listeners') ?? ''));
    advertisedEndpoints(endpoints, config.get('advertised.listeners'));
    const interBroker = interBrokerListener(config, endpoints.map((e) => e.name), ConfigSource.DEFAULT_CONFIG);
    this.peers = new Peers(brokers, interBroker.name, peerTransport(config, interBroker.name, ConfigSource.DEFAULT_CONFIG, interBroker.explicit));
    this.security = new Map(endpoints.map((e) => [e.name, listenerSecurity(config, e.name, credentials, (m) => logger.warn(m))]));
  }

  /**
   * Opens every listener; `first` (the host/port options) stands for the first one's address.
   * Each connection gets `shared` and its listener's security.
   */
  async open(first: { host: string; port: number } | null, shared: Omit<ConnectionHost, 'security'>): Promise<void> {
    const [head, ...rest] = this.endpoints;
    const listen = first ? [{ name: head!.name, ...first }, ...rest] : this.endpoints;
    for (const e of listen) {
      const host: ConnectionHost = { ...shared, security: this.security.get(e.name)! };
      await this.sockets.listen(e, (id, socket) => new Connection(id, socket, host), host.security.tls);
    }
  }

  /** Every listener as bound: name, host and port (the one picked for a port of 0). */
  get bound(): Endpoint[] {
    return this.sockets.bound;
  }

  /** Where clients reach this broker, for its registration: each listener's advertised address, the first one's also as host and port. */
  registration(): Pick<BrokerInfo, 'host' | 'port' | 'endpoints'> {
    const endpoints = advertisedEndpoints(this.bound, this.config.get('advertised.listeners'));
    return { host: endpoints[0]!.host, port: endpoints[0]!.port, endpoints };
  }

  /** The listeners that authenticate with SASL: the HTTP listener checks its credentials with theirs. */
  get saslListeners(): ListenerSecurity[] {
    return [...this.security.values()].filter((s) => s.sasl);
  }

  /** Failed authentications on every listener (socket-server-metrics failed-authentication-total). */
  get failedAuthentications(): number {
    let n = 0;
    for (const s of this.security.values()) n += s.failures;
    return n;
  }

  /** Closes every connection, stops listening, and stops what the listeners' security refreshes. */
  async close(): Promise<void> {
    await this.sockets.close();
    for (const s of this.security.values()) s.close();
  }
}
