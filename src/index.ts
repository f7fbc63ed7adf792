// Krill's programmatic API, for test suites: start a broker in-process, point any Kafka
// client at `bootstrap`, close it when done.
import { Broker, type BrokerOptions } from './broker/broker.js';
import type { FeatureLevels } from './broker/features.js';
import type { LogLevel } from './broker/logger.js';

export { Broker, type BrokerOptions };
export { type ClusterBroker, type RunningCluster, startCluster, type StartClusterOptions } from './cluster.js';
export { ErrorCode, errorName } from './protocol/errors.js';
export { MemoryVolume } from './storage/log-manager.js';

export interface StartBrokerOptions {
  /** 0 (the default) picks a free port. */
  port?: number;
  host?: string;
  /** 'memory' (the default), or log directories (comma-separated, as log.dirs). */
  storage?: 'memory' | string;
  /** Broker configs by their Kafka names, e.g. { 'num.partitions': '3' }. */
  config?: Record<string, string>;
  /** 'silent' by default in-process; 'info' shows one line per operator-relevant event. */
  logLevel?: LogLevel;
  /** Finalized feature levels, e.g. { 'transaction.version': 1 } for clients without KIP-890 part 2; Kafka 4.0's otherwise. */
  features?: FeatureLevels;
}

export interface RunningBroker {
  host: string;
  port: number;
  /** "host:port", ready for a client's bootstrap servers. */
  bootstrap: string;
  broker: Broker;
  /** Stops listening, flushes and closes. Safe to call twice. */
  close(): Promise<void>;
}

/** Starts a broker; resolves once it serves requests. */
export async function startBroker(opts: StartBrokerOptions = {}): Promise<RunningBroker> {
  const broker = await Broker.start({
    host: opts.host ?? '127.0.0.1',
    port: opts.port ?? 0,
    storage: opts.storage ?? 'memory',
    config: opts.config ?? {},
    logLevel: opts.logLevel ?? 'silent',
    ...(opts.features ? { features: opts.features } : {}),
  });
  // The address it listens on, which is what a client in the same process must dial;
  // Metadata tells clients the advertised one.
  const { host, port } = broker;
  return { host, port, bootstrap: `${host}:${port}`, broker, close: () => broker.close() };
}
