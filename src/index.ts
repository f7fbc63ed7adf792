// Krill's programmatic API, for test suites: start a broker in-process, point any Kafka
// client at `bootstrap`, close it when done.
import { Broker, type BrokerOptions } from './broker/broker.js';
import type { FeatureLevels } from './broker/features.js';
import type { ScramUser } from './broker/security/scram-bootstrap.js';
import type { LogLevel } from './broker/logger.js';
import type { FaultInput, HttpOptions, ResetResult, TestKitOptions } from './broker/testkit/plane.js';
import type { TraceEntry } from './broker/testkit/trace.js';

export { Broker, type BrokerOptions };
export { type ClusterBroker, type RunningCluster, startCluster, type StartClusterOptions } from './cluster.js';
export { ErrorCode, errorName } from './protocol/errors.js';
export { MemoryVolume } from './storage/log-manager.js';
export { FaultError } from './broker/testkit/faults.js';
export type { FaultInput, HttpOptions, ResetResult, ScramUser, TestKitOptions, TraceEntry };

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
  /** SCRAM users to start with (`kafka-storage format --add-scram`), written when the cluster has none of theirs. */
  scram?: readonly ScramUser[];
  /** The test kit (faults, trace, reset): on by default in-process; false turns it off. */
  testKit?: boolean | TestKitOptions;
  /** The HTTP control plane: true for one on a free loopback port. Off by default. */
  http?: boolean | HttpOptions;
  /** 'virtual': the broker's logic follows a clock that moves only when `advanceClock` says. */
  clock?: 'system' | 'virtual';
}

export interface RunningBroker {
  host: string;
  port: number;
  /** "host:port", ready for a client's bootstrap servers. */
  bootstrap: string;
  /** "host:port" of each listener by name (`listeners=NAME://host:port,...`); the first is `bootstrap`. */
  listeners: Record<string, string>;
  broker: Broker;
  /** The control plane's base URL ("http://127.0.0.1:port"), when started with `http`. */
  http: string | null;
  /** Test kit: a fault for the requests it matches (throws FaultError when it is not one); returns its id. */
  addFault(fault: FaultInput): number;
  /** The active faults, with what remains of each. */
  faults(): Array<Record<string, unknown>>;
  removeFault(id: number): boolean;
  clearFaults(): void;
  /** The last requests and answers, oldest first. */
  trace(filter?: { api?: string; clientId?: string; limit?: number }): TraceEntry[];
  /** Deletes every non-internal topic, group, transactional id, fault and the trace. */
  reset(): Promise<ResetResult>;
  /** With `clock: 'virtual'`: moves the broker's clock forward, running what falls due; returns its time. */
  advanceClock(ms: number): Promise<number>;
  /** The broker's clock's time. */
  now(): number;
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
    ...(opts.scram ? { scram: opts.scram } : {}),
    testKit: opts.testKit ?? true,
    ...(opts.http ? { http: opts.http === true ? { port: 0 } : opts.http } : {}),
    ...(opts.clock ? { clock: opts.clock } : {}),
  });
  // The address it listens on, which is what a client in the same process must dial;
  // Metadata tells clients the advertised one.
  const { host, port } = broker;
  const plane = broker.plane;
  const at = plane.address;
  return {
    host, port, bootstrap: `${host}:${port}`, broker,
    listeners: Object.fromEntries(broker.listenerAddresses.map((e) => [e.name, `${e.host}:${e.port}`])), http: at ? `http://${at.host}:${at.port}` : null,
    addFault: (f) => plane.addFault(f), faults: () => plane.faults(), removeFault: (id) => plane.removeFault(id), clearFaults: () => plane.clearFaults(),
    trace: (filter) => plane.trace(filter), reset: () => plane.reset(), advanceClock: (ms) => plane.advanceClock(ms), now: () => broker.clock.now(),
    close: () => broker.close(),
  };
}
