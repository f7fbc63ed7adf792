// The broker as a composition root: it builds the services (membership, listener, replica
// manager, topic admin and configs, coordinators, the API table), wires them to the
// cluster metadata and the scheduler, and starts and stops them in order. Handlers never
// see this object: they get the services they name (services.ts).
import path from 'node:path';
import type { Logger } from 'winston';
import { LogManager, MemoryVolume, type StorageKind } from '../storage/log-manager.js';
import { ApiTable } from './api-table.js';
import { BrokerConfig, splitDirs } from './config.js';
import { ClusterMetadata, legacyMetadata, type MetadataChange } from './controller/cluster-metadata.js';
import { Controller } from './controller/controller.js';
import { EmbeddedStore } from './controller/embedded-store.js';
import type { CoordinationStore } from './controller/store.js';
import { FetchSessionCache } from './fetch-sessions.js';
import { Features } from './features.js';
import type { GroupCoordinator } from './group/coordinator.js';
import { groupCoordinatorOn } from './group/on-replicas.js';
import { allApis } from './handlers/index.js';
import { LogCleaner } from './log-cleaner.js';
import { startBackgroundTasks } from './background-tasks.js';
import { createLogger } from './logger.js';
import { Membership } from './membership.js';
import { requestLimits } from './net/request-bytes.js';
import { BrokerListeners } from './net/broker-listeners.js';
import type { Endpoint } from './net/endpoints.js';
import { ProducerIdManager } from './producer-ids.js';
import { ReplicaManager } from './replica-manager.js';
import { Scheduler } from './scheduler.js';
import type { BrokerServices } from './services.js';
import { TopicAdmin } from './topic-admin.js';
import { TopicConfigs } from './topic-configs.js';
import { TestPlane } from './testkit/plane.js';
import { Transactions } from './txn/transactions.js';
import { type BrokerMetrics, brokerMetrics, requestObserver } from './metrics/source.js';
import { type Clock, systemClock, VirtualClock } from './clock.js';
import type { BrokerOptions } from './broker-options.js';
import { bootstrapScramUsers, type ScramUser } from './security/scram-bootstrap.js';
import { Authorizer } from './security/authorizer.js';
import { httpGate } from './security/http-authentication.js';

export type { BrokerOptions };
import { clientQuotas } from './quotas/client-quotas.js';
import { clientTelemetry } from './telemetry/client-telemetry.js';


export class Broker {
  readonly config: BrokerConfig;
  readonly brokerId: number;
  readonly logger: Logger;
  readonly metadata: ClusterMetadata;
  readonly logs: LogManager;
  readonly replicas: ReplicaManager;
  readonly groups: GroupCoordinator;
  readonly txns: Transactions;
  readonly cleaner: LogCleaner;
  readonly clock: Clock;
  readonly plane: TestPlane;
  readonly metrics: BrokerMetrics;
  /** Everything handlers may be given. */
  readonly services: BrokerServices;
  private readonly store: CoordinationStore;
  readonly controller: Controller;
  private readonly membership: Membership;
  private readonly listeners: BrokerListeners;
  private readonly scheduler: Scheduler;
  private readonly apis = new ApiTable(allApis);
  private closed = false;

  /** The SCRAM users to write if the cluster has none of theirs (BrokerOptions.scram). */
  private readonly scram: readonly ScramUser[];

  private constructor(opts: BrokerOptions) {
    this.scram = opts.scram ?? [];
    const config = (this.config = new BrokerConfig(opts.config ?? {}));
    const brokerId = (this.brokerId = config.brokerId);
    const logger = (this.logger = createLogger(opts.logLevel ?? 'info', brokerId));
    const storage: StorageKind = opts.storage === 'memory' ? { kind: 'memory' }
      : opts.storage instanceof MemoryVolume ? { kind: 'memory', volume: opts.storage }
      : { kind: 'disk', dirs: opts.storage !== undefined ? splitDirs(opts.storage) : config.logDirs };
    this.logs = new LogManager(storage);
    this.logs.onError = (what, e) => logger.error(`${what} failed: ${e.message}`);
    const prefix = opts.storePrefix ?? '/krill/';
    this.store = opts.store ?? new EmbeddedStore(storage.kind === 'disk' ? path.join(storage.dirs[0]!, 'krill-metadata.json') : null, (d) => legacyMetadata(prefix, d), false).client();
    const metadata = (this.metadata = new ClusterMetadata(this.store, prefix));
    const clock = (this.clock = opts.clock === 'virtual' ? new VirtualClock() : typeof opts.clock === 'object' ? opts.clock : systemClock);
    this.scheduler = new Scheduler(logger, clock);
    const listeners = (this.listeners = new BrokerListeners(config, logger, () => metadata.brokers, () => metadata.scramCredentials, (ip, now) => this.services.quotas.connectionThrottle(ip, now)));
    const topicConfigs = new TopicConfigs(config);
    this.replicas = new ReplicaManager(brokerId, config, metadata, listeners.peers, this.logs, topicConfigs, logger, clock);
    this.controller = new Controller({
      brokerId, metadata, uncleanElection: (t) => topicConfigs.get(t, 'unclean.leader.election.enable').value === 'true',
      info: (m) => logger.info(m), warn: (m) => logger.warn(m),
    });
    this.membership = new Membership(brokerId, config, this.store, metadata, this.controller, logger,
      () => ({ ...listeners.registration(), rack: config.get('broker.rack'), offlineReplicas: this.replicas.offlineReplicas() }));
    this.replicas.onOfflineReplicas = (allDirsOffline) => void this.membership.reportOfflineReplicas(allDirsOffline);
    this.groups = groupCoordinatorOn(this.replicas, metadata, config, logger, clock);
    const producerIds = new ProducerIdManager(metadata);
    const features = new Features(opts.features, metadata, brokerId);
    this.txns = new Transactions({ brokerId, config, features, clock, metadata, peers: listeners.peers, replicas: this.replicas, producerIds, groups: this.groups, logger });
    this.cleaner = new LogCleaner(this.replicas, topicConfigs, logger, clock);
    const topics = new TopicAdmin(config, metadata, logger);
    const metrics = (this.metrics = brokerMetrics({ brokerId, replicas: this.replicas, metadata, groups: this.groups, listener: listeners.sockets, telemetry: () => this.services.telemetry.points(), failedAuthentications: () => listeners.failedAuthentications }));
    const authorizer = new Authorizer(config, () => metadata.acls);
    const gate = httpGate(authorizer, () => listeners.saslListeners);
    this.plane = new TestPlane({ brokerId, apis: this.apis, logger, metadata, topics, groups: this.groups, txns: this.txns.coordinator, clock, metrics, replicas: this.replicas, topicConfigs, httpGate: gate }, opts.testKit);
    this.services = {
      brokerId, config, logger, metadata, topicConfigs, logDirs: this.logs, producerIds, topics, features, clock, metrics,
      replicas: this.replicas, groups: this.groups, fetchSessions: new FetchSessionCache(),
      txns: this.txns.coordinator, txnMarkers: this.txns.markers, txnVerifier: this.txns.verifier,
      apiVersions: this.apis.versions, quotas: clientQuotas(metadata, config), telemetry: clientTelemetry(metadata, config, clock),
      authorizer,
    };
  }

  /**
   * Starts listening, joins the cluster (registers under a lease, follows the metadata,
   * takes on its partitions, campaigns for controller) and resolves once it serves.
   */
  static async start(opts: BrokerOptions = {}): Promise<Broker> {
    const b = new Broker(opts);
    const first = opts.host !== undefined || opts.port !== undefined ? { host: opts.host ?? '127.0.0.1', port: opts.port ?? 9092 } : null;
    try {
      await b.listeners.open(first, { apis: b.apis, services: b.services, logger: b.logger, testKit: b.plane.kit, observe: requestObserver(b.metrics), ...requestLimits(b.config) });
      await b.join();
      if (opts.http) await b.plane.listen(opts.http);
    } catch (e) {
      await b.close();
      throw e;
    }
    startBackgroundTasks(b.scheduler, b);
    const where = b.logs.storage.kind === 'disk' ? `log dirs ${b.logs.storage.dirs.join(',')}` : 'in-memory storage';
    const more = b.listenerAddresses.slice(1).map((e) => ` and ${e.name}://${e.host}:${e.port}`).join('');
    b.logger.info(`ready on ${b.host}:${b.port}${more} (cluster ${b.metadata.clusterId}, ${where})`);
    return b;
  }

  /** The address this broker listens on (its first listener). */
  get host(): string {
    return this.listeners.bound[0]?.host ?? '';
  }

  get port(): number {
    return this.listeners.bound[0]?.port ?? 0;
  }

  /** Every listener as bound: name, host and port (the one picked for a port of 0). */
  get listenerAddresses(): Endpoint[] {
    return this.listeners.bound;
  }

  private async join(): Promise<void> {
    this.metadata.onChange((c) => this.onMetadataChange(c));
    await this.metadata.start();
    await this.services.features.bootstrap();
    await bootstrapScramUsers(this.metadata, this.scram);
    this.applyDynamicConfigs();
    await this.membership.fenceEarlierIncarnation();
    this.replicas.reconcileAll();
    await this.membership.register();
    await this.groups.manager.loaded();
  }

  /** Applies a change of the cluster metadata here; a failure is logged and contained, never left to crash the process. */
  private onMetadataChange(c: MetadataChange): void {
    if (this.closed) return;
    try {
      this.applyMetadataChange(c);
    } catch (e) {
      this.logger.error(`applying a ${c.kind} change of the cluster metadata failed: ${(e as Error).stack ?? String(e)}`);
    }
  }

  private applyMetadataChange(c: MetadataChange): void {
    switch (c.kind) {
      case 'topic':
        this.replicas.reconcileTopic(c.before, c.after);
        break;
      case 'brokers':
        this.controller.brokersChanged();
        break;
      case 'controller':
        if (this.metadata.controllerId !== this.brokerId) this.controller.deactivate();
        break;
      case 'configs':
        this.applyDynamicConfigs();
        break;
    }
  }

  private applyDynamicConfigs(): void {
    this.config.dynamic.clear();
    for (const [k, v] of Object.entries(this.metadata.brokerConfigs)) this.config.dynamic.set(k, v);
    for (const t of this.metadata.topics.values()) this.replicas.refreshConfigs(t);
  }

  /**
   * Stops as SIGKILL would stop the process (for in-process failover tests): sockets cut,
   * nothing flushed or checkpointed, and the registration left to expire after
   * broker.session.timeout.ms, so the cluster notices the loss the way it would a crash.
   */
  kill(): Promise<void> {
    return this.shutdown(true);
  }

  /**
   * Leaves the cluster (the registration lease ends, so the controller moves leadership
   * away at once), stops listening and replicating, flushes logs and writes checkpoints.
   * Safe to call twice.
   */
  close(): Promise<void> {
    return this.shutdown(false);
  }

  private async shutdown(crash: boolean): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.scheduler.close();
    this.cleaner.stop();
    this.controller.deactivate();
    this.groups.close();
    this.txns.close();
    this.replicas.resignAll();
    await this.membership.leave(crash);
    await this.replicas.stopFetchers();
    await this.listeners.close();
    await this.plane.close();
    await this.metadata.stop().catch(() => undefined);
    if (crash) {
      this.logs.abandon();
      this.logger.info('killed');
      return;
    }
    await this.store.close().catch(() => undefined);
    this.logs.close();
    this.logger.info('shut down cleanly');
  }
}
