// An in-process cluster for test suites: several brokers on loopback sharing one
// embedded coordination store, each with logs that outlive it (in memory, or in a log
// directory of its own), so a stopped or killed broker restarts with its data like a real
// one.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Broker } from './broker/broker.js';
import { EmbeddedStore } from './broker/controller/embedded-store.js';
import type { FeatureLevels } from './broker/features.js';
import type { ScramUser } from './broker/security/scram-bootstrap.js';
import { FaultRegistry } from './broker/testkit/faults.js';
import { VirtualClock } from './broker/clock.js';
import type { FaultInput, HttpOptions, ResetResult, TestKitOptions } from './broker/testkit/plane.js';
import { clusterControlPlane, moveLeader } from './broker/testkit/cluster-plane.js';
import { createLogger } from './broker/logger.js';
import type { TraceEntry } from './broker/testkit/trace.js';
import type { LogLevel } from './broker/logger.js';
import { MemoryVolume } from './storage/log-manager.js';

export interface StartClusterOptions {
  /** How many brokers (ids 0..n-1); 3 by default. */
  brokers?: number;
  /**
   * Where each broker keeps its logs. 'memory' (the default): in this process, kept across
   * the broker's stop, kill and restart, as a killed process's writes live on in the page
   * cache. 'disk': a log directory per broker (under /dev/shm where there is one), for tests
   * of what a broker recovers from its files.
   */
  storage?: 'memory' | 'disk';
  /** With 'disk' storage: how many log directories (log.dirs) each broker has; 1 by default. */
  logDirs?: number;
  /** Broker configs for every broker, by their Kafka names. */
  config?: Record<string, string>;
  /** Per-broker configs on top, e.g. (id) => ({ 'broker.rack': `rack-${id}` }). */
  brokerConfig?: (id: number) => Record<string, string>;
  host?: string;
  logLevel?: LogLevel;
  /** Finalized feature levels, the same on every broker (see startBroker). */
  features?: FeatureLevels;
  /** SCRAM users to start with, the same for every broker (see startBroker). */
  scram?: readonly ScramUser[];
  /** The test kit, its faults shared by every broker (a fault's `broker` picks one): on by default. */
  testKit?: boolean | Omit<TestKitOptions, 'faults'>;
  /** 'virtual': every broker follows one clock that moves only when `advanceClock` says. */
  clock?: 'system' | 'virtual';
  /** The cluster's HTTP control plane (the test kit's endpoints and the cluster's own): true for a free loopback port. */
  http?: boolean | HttpOptions;
}

export interface ClusterBroker {
  id: number;
  host: string;
  port: number;
  /** The running broker, or null while stopped. */
  broker: Broker | null;
}

export interface RunningCluster {
  /** Every broker's "host:port", comma-separated, for a client's bootstrap servers. */
  bootstrap: string;
  /** As `bootstrap`, on the listener of that name (`listeners=NAME://host:port,...`): the running brokers' addresses on it. */
  bootstrapOn(listener: string): string;
  brokers: ClusterBroker[];
  /** The id of the broker that is controller now (-1 while there is none). */
  controllerId(): number;
  /** Shuts a broker down (its partitions fail over to the others); it keeps its data. */
  stop(id: number): Promise<void>;
  /**
   * Kills a broker as SIGKILL would: it stops at once without deregistering, so the
   * others notice only when its session (broker.session.timeout.ms) runs out.
   */
  kill(id: number): Promise<void>;
  /** Starts a stopped broker again on the same port with the same data. */
  restart(id: number): Promise<void>;
  /** Stalls a broker's followers (it serves on, but stops replicating) until resumed. */
  pauseReplication(id: number): void;
  resumeReplication(id: number): void;
  /** Test kit, as startBroker's: a fault may name the `broker` it applies to. */
  addFault(fault: FaultInput): number;
  faults(): Array<Record<string, unknown>>;
  removeFault(id: number): boolean;
  clearFaults(): void;
  /** Every running broker's trace, oldest first. */
  trace(filter?: { api?: string; clientId?: string; limit?: number }): TraceEntry[];
  /** Deletes every non-internal topic, group, transactional id, fault and the traces. */
  reset(): Promise<ResetResult>;
  /** With `clock: 'virtual'`: moves the brokers' clock forward; returns its time. */
  advanceClock(ms: number): Promise<number>;
  /** Answers every request to broker `id` `rttMs` later (0: at once), as the mock cluster's broker RTT. */
  setRtt(id: number, rttMs: number): void;
  /** A clean leader move (kfake's MoveTopicPartition): `broker` must be an in-sync replica. */
  moveLeader(topic: string, partition: number, broker: number): Promise<void>;
  /** Brokers in different groups cannot reach each other (replication, markers); clients still reach all. */
  splitNetwork(groups: number[][]): void;
  healNetwork(): void;
  /** The control plane's base URL, when started with `http`. */
  http: string | null;
  /** Stops every broker and removes their data. */
  close(): Promise<void>;
}

const tmpRoot = (): string => (fs.existsSync('/dev/shm') ? '/dev/shm' : os.tmpdir());

/**
 * Data directories of clusters not yet closed. A test suite that exits without closing
 * its cluster would otherwise leave them in /dev/shm, which is memory.
 */
const unclosed = new Set<string>();
let exitHooked = false;

function removeAtExit(root: string): void {
  unclosed.add(root);
  if (exitHooked) return;
  exitHooked = true;
  process.once('exit', () => {
    for (const r of unclosed) fs.rmSync(r, { recursive: true, force: true });
  });
}

export async function startCluster(opts: StartClusterOptions = {}): Promise<RunningCluster> {
  const n = opts.brokers ?? 3;
  const host = opts.host ?? '127.0.0.1';
  const root = opts.storage === 'disk' ? fs.mkdtempSync(path.join(tmpRoot(), 'krill-cluster-')) : null;
  if (root) removeAtExit(root);
  const volumes = new Map<number, MemoryVolume>();
  const storage = (id: number): string | MemoryVolume => {
    if (root && (opts.logDirs ?? 1) > 1) return Array.from({ length: opts.logDirs! }, (_, i) => path.join(root, `broker-${id}`, `dir-${i}`)).join(',');
    if (root) return path.join(root, `broker-${id}`);
    let v = volumes.get(id);
    if (!v) volumes.set(id, (v = new MemoryVolume()));
    return v;
  };
  const store = new EmbeddedStore();
  const members: ClusterBroker[] = [];
  const faults = new FaultRegistry();
  const testKit = opts.testKit ?? true;
  const clock = opts.clock === 'virtual' ? new VirtualClock() : undefined;
  /** Each broker's group in a network split; empty while the network is whole. */
  const side = new Map<number, number>();
  const reachable = (from: number, to: number) => side.size === 0 || side.get(from) === side.get(to);

  const launch = async (id: number, port: number): Promise<Broker> => joinNetwork(id, await Broker.start({
    config: { ...opts.config, ...opts.brokerConfig?.(id), 'broker.id': String(id) },
    storage: storage(id),
    host,
    port,
    logLevel: opts.logLevel ?? 'silent',
    store: store.client(),
    ...(opts.features ? { features: opts.features } : {}),
    ...(opts.scram ? { scram: opts.scram } : {}),
    testKit: testKit ? { ...(typeof testKit === 'object' ? testKit : {}), faults } : false,
    ...(clock ? { clock } : {}),
  }));
  const joinNetwork = (id: number, b: Broker): Broker => {
    b.replicas.reachable = (to) => reachable(id, to);
    b.txns.reachable = (to) => reachable(id, to);
    return b;
  };

  const stopAll = async () => {
    await Promise.all(members.map(async (m) => {
      const b = m.broker;
      m.broker = null;
      await b?.close();
    }));
    for (const v of volumes.values()) v.clear();
    if (root) {
      fs.rmSync(root, { recursive: true, force: true });
      unclosed.delete(root);
    }
  };

  try {
    for (let id = 0; id < n; id++) {
      const b = await launch(id, 0);
      members.push({ id, host: b.host, port: b.port, broker: b });
    }
  } catch (e) {
    await stopAll();
    throw e;
  }
  const running = (): Broker[] => members.flatMap((m) => (m.broker ? [m.broker] : []));
  const anyPlane = () => {
    const b = running()[0];
    if (!b) throw new Error('no broker of this cluster is running');
    return b.plane;
  };
  const member = (id: number): ClusterBroker => {
    const m = members.find((x) => x.id === id);
    if (!m) throw new Error(`no broker ${id} in this cluster`);
    return m;
  };
  const cluster: RunningCluster = {
    http: null,
    bootstrap: members.map((m) => `${m.host}:${m.port}`).join(','),
    bootstrapOn: (listener) => running().flatMap((b) => b.listenerAddresses.filter((e) => e.name === listener.toUpperCase()).map((e) => `${e.host}:${e.port}`)).join(','),
    brokers: members,
    controllerId: () => members.find((m) => m.broker)?.broker?.metadata.controllerId ?? -1,
    async stop(id) {
      const m = member(id);
      const b = m.broker;
      m.broker = null;
      await b?.close();
    },
    async kill(id) {
      const m = member(id);
      const b = m.broker;
      m.broker = null;
      await b?.kill();
    },
    async restart(id) {
      const m = member(id);
      if (m.broker) return;
      m.broker = await launch(id, m.port);
    },
    pauseReplication(id) {
      const b = member(id).broker;
      if (b) b.replicas.replicationPaused = true;
    },
    resumeReplication(id) {
      const b = member(id).broker;
      if (b) b.replicas.replicationPaused = false;
    },
    addFault: (f) => anyPlane().addFault(f),
    faults: () => anyPlane().faults(),
    removeFault: (id) => anyPlane().removeFault(id),
    clearFaults: () => anyPlane().clearFaults(),
    trace: (filter = {}) => {
      const all = running().flatMap((b) => b.plane.trace({ ...filter, limit: undefined })).sort((a, b) => a.time.localeCompare(b.time));
      return filter.limit === undefined ? all : all.slice(Math.max(0, all.length - filter.limit));
    },
    async reset() {
      const result: ResetResult = { topics: [], groups: [], transactionalIds: [] };
      for (const [i, b] of running().entries()) {
        const r = await b.plane.reset({ topics: i === 0 });
        for (const k of ['topics', 'groups', 'transactionalIds'] as const) result[k].push(...r[k]);
      }
      return result;
    },
    advanceClock: (ms) => anyPlane().advanceClock(ms),
    setRtt: (id, rttMs) => anyPlane().setRtt(member(id).id, rttMs),
    async moveLeader(topic, partition, broker) {
      const b = running()[0];
      if (!b) throw new Error('no broker of this cluster is running');
      await moveLeader(b.metadata, topic, partition, broker);
      // Answered once every running broker follows the move.
      const deadline = Date.now() + 10_000;
      while (running().some((x) => x.metadata.topics.get(topic)?.partitions[partition]?.leader !== broker) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    },
    splitNetwork(groups) {
      side.clear();
      groups.forEach((g, i) => g.forEach((id) => side.set(member(id).id, i)));
    },
    healNetwork: () => side.clear(),
    close: async () => {
      await plane?.close();
      await stopAll();
    },
  };
  const plane = opts.http ? await clusterControlPlane(cluster, opts.http === true ? { port: 0 } : opts.http, () => anyPlane(), createLogger(opts.logLevel ?? 'silent', -1)) : null;
  if (plane) cluster.http = `http://${plane.host}:${plane.port}`;
  return cluster;
}
