// How a broker is started: its configs, storage, address, metadata store, feature levels,
// test kit and clock (broker.ts builds it from these).
import type { MemoryVolume } from '../storage/log-manager.js';
import type { Clock } from './clock.js';
import type { CoordinationStore } from './controller/store.js';
import type { FeatureLevels } from './features.js';
import type { LogLevel } from './logger.js';
import type { ScramUser } from './security/scram-bootstrap.js';
import type { HttpOptions, TestKitOptions } from './testkit/plane.js';

export interface BrokerOptions {
  /** Broker configs by Kafka name (server.properties and --set). */
  config?: Record<string, string>;
  /**
   * 'memory' keeps everything in process; a MemoryVolume does too, and keeps it for the
   * next broker started over it; otherwise the log directory. Defaults to log.dirs.
   */
  storage?: 'memory' | MemoryVolume | string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  logLevel?: LogLevel;
  /**
   * A client of the coordination store the cluster's metadata lives in; the broker closes
   * it when it closes. Default: an embedded store of this broker's own (persisted in the
   * log directory). Brokers of one cluster share one store.
   */
  store?: CoordinationStore;
  /** The key prefix of this cluster in the store. */
  storePrefix?: string;
  /** Finalized feature levels (`kafka-storage format --feature`); Kafka 4.0's defaults otherwise. */
  features?: FeatureLevels;
  /** Started for testing: faults, the trace and reset (testkit/). */
  testKit?: boolean | TestKitOptions;
  /** The HTTP control plane's listener. */
  http?: HttpOptions;
  /** The clock the broker's logic follows (clock.ts): the system's, or a virtual one a test advances. */
  clock?: 'system' | 'virtual' | Clock;
  /** SCRAM users the cluster starts with (`kafka-storage format --add-scram`): written when the cluster has no credential of theirs. */
  scram?: readonly ScramUser[];
}
