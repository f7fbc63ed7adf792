// A broker's test plane: the test kit on its request path (faults, trace), resetting it to
// as fresh as a new one, and the HTTP control plane that serves both, the metrics and the
// web console. A broker not started for testing has no kit: its control plane answers only
// /metrics and the console.
import type { Logger } from 'winston';
import type { ApiTable } from '../api-table.js';
import type { ClusterMetadata } from '../controller/cluster-metadata.js';
import type { GroupCoordinator } from '../group/coordinator.js';
import { type Clock, VirtualClock } from '../clock.js';
import { ControlPlane, type HttpGate } from '../http/control-plane.js';
import type { BrokerMetrics } from '../metrics/metrics.js';
import { metricsRoute } from '../metrics/route.js';
import { consoleRoutes } from '../console/route.js';
import type { ReplicaManager } from '../replica-manager.js';
import type { TopicConfigs } from '../topic-configs.js';
import type { TopicAdmin } from '../topic-admin.js';
import type { TransactionCoordinator } from '../txn/coordinator.js';
import { type Fault, faultJson, type FaultRegistry, parseFault } from './faults.js';
import type { TraceEntry } from './trace.js';
import { type TestKitOps, testKitRoutes } from './routes.js';
import { apiName, TestKit } from './test-kit.js';

export interface TestKitOptions {
  /** How many requests the trace keeps (1000 by default; 0 turns it off). */
  traceSize?: number;
  /** Faults shared with other brokers (an in-process cluster). */
  faults?: FaultRegistry;
}

export interface HttpOptions {
  /** 127.0.0.1 by default. */
  host?: string;
  /** 0 picks a free port. */
  port: number;
}

/** A fault as a test gives it (POST /v1/faults). */
export interface FaultInput {
  api: string | number;
  topic?: string;
  partition?: number;
  broker?: number;
  clientId?: string;
  /** A Kafka error name, e.g. NOT_LEADER_OR_FOLLOWER. */
  error?: string;
  delayMs?: number;
  disconnect?: boolean;
  /** 1 by default; -1 until removed. */
  count?: number;
}

export interface ResetResult {
  topics: string[];
  groups: string[];
  transactionalIds: string[];
}

export interface TestPlaneDeps {
  brokerId: number;
  /** Who may use the HTTP listener; null lets everyone in (no authorizer). */
  httpGate: HttpGate | null;
  apis: ApiTable;
  logger: Logger;
  metadata: ClusterMetadata;
  topics: TopicAdmin;
  groups: GroupCoordinator;
  txns: TransactionCoordinator;
  clock: Clock;
  metrics: BrokerMetrics;
  replicas: ReplicaManager;
  topicConfigs: TopicConfigs;
}

export class TestPlane implements TestKitOps {
  readonly kit: TestKit | null;
  private http: ControlPlane | null = null;

  constructor(private readonly deps: TestPlaneDeps, testKit: boolean | TestKitOptions | undefined) {
    const opts = typeof testKit === 'object' ? testKit : {};
    this.kit = testKit ? new TestKit(deps.brokerId, opts.faults, opts.traceSize, (topic) => deps.metadata.topics.get(topic)?.topicId) : null;
  }

  /** The APIs served, by key, under Kafka's names. */
  private get apiNames(): Map<number, string> {
    return new Map(this.deps.apis.versions.map((v) => [v.apiKey, apiName(this.deps.apis.get(v.apiKey)!)]));
  }

  private get testKit(): TestKit {
    if (!this.kit) throw new Error('this broker was not started for testing');
    return this.kit;
  }

  /** Starts the HTTP control plane. */
  async listen(opts: HttpOptions): Promise<void> {
    const { brokerId, metadata, replicas, groups, topicConfigs, metrics } = this.deps;
    metrics.collectProcessMetrics();
    const routes = [metricsRoute(metrics), consoleRoutes({ brokerId, metadata, replicas, groups, topicConfigs, metrics }), ...(this.kit ? [testKitRoutes(this)] : [])];
    this.http = await ControlPlane.listen(opts.host ?? '127.0.0.1', opts.port, routes, this.deps.logger, () => this.deps.httpGate);
  }

  /** Who may use the HTTP listener; null lets everyone in. */
  get httpGate(): HttpGate | null {
    return this.deps.httpGate;
  }

  /** Where the control plane listens; null without one. */
  get address(): { host: string; port: number } | null {
    return this.http ? { host: this.http.host, port: this.http.port } : null;
  }

  /**
   * Deletes every topic but the internal ones, every group and transactional id this
   * broker coordinates, every fault and the trace: as fresh as a new broker. In a cluster
   * each broker resets its own; one of them (`topics`) deletes the topics.
   */
  async reset(opts: { topics: boolean } = { topics: true }): Promise<ResetResult> {
    const kit = this.testKit;
    const { metadata, topics, groups, txns, logger } = this.deps;
    const deleted = opts.topics ? [...metadata.topics.values()].filter((t) => !t.internal).map((t) => t.name) : [];
    for (const name of deleted) await topics.deleteTopic(name);
    const result = { topics: deleted, groups: groups.resetAll(), transactionalIds: await txns.resetAll() };
    kit.faults.clear();
    kit.faults.rtt.clear();
    kit.trace.clear();
    logger.info(`reset: ${result.topics.length} topic(s), ${result.groups.length} group(s), ${result.transactionalIds.length} transactional id(s) deleted`);
    return result;
  }

  // ---- the same, in-process (what startBroker returns) -----------------------------------

  /** Adds a fault, given as its JSON is posted; throws FaultError when it is not one. Returns its id. */
  addFault(fault: FaultInput): number {
    return this.testKit.faults.add(parseFault(fault, this.apiNames)).id;
  }

  faults(): Array<Record<string, unknown>> {
    const names = this.apiNames;
    return this.testKit.faults.list().map((f: Fault) => faultJson(f, (k) => names.get(k) ?? String(k)));
  }

  removeFault(id: number): boolean {
    return this.testKit.faults.remove(id);
  }

  clearFaults(): void {
    this.testKit.faults.clear();
  }

  trace(filter: { api?: string; clientId?: string; limit?: number } = {}): TraceEntry[] {
    return this.testKit.trace.list(filter);
  }

  clock(): { now: number; virtual: boolean } {
    return { now: this.deps.clock.now(), virtual: this.deps.clock.virtual };
  }

  setRtt(broker: number, rttMs: number): void {
    if (rttMs > 0) this.testKit.faults.rtt.set(broker, rttMs);
    else this.testKit.faults.rtt.delete(broker);
  }

  brokerIds(): number[] {
    return [this.deps.brokerId];
  }

  /** Moves a virtual clock forward by `ms`, running what falls due; returns its time. */
  advanceClock(ms: number): Promise<number> {
    const clock = this.deps.clock;
    if (!this.kit) return Promise.reject(new Error('this broker was not started for testing'));
    if (!(clock instanceof VirtualClock)) return Promise.reject(new Error('this broker runs on the system clock: start it with clock: \'virtual\''));
    return clock.advance(ms);
  }

  async close(): Promise<void> {
    await this.http?.close();
  }
}
