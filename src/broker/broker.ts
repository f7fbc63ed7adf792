// The broker: configuration, cluster metadata, partition logs, the API table and the
// listener. Handlers reach everything through this object.
import { randomUUID } from 'node:crypto';
import net from 'node:net';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'winston';
import { ErrorCode } from '../protocol/errors.js';
import { compactLog } from '../storage/cleaner.js';
import { LogManager, MemoryVolume, partitionDirName, type StorageKind } from '../storage/log-manager.js';
import type { LogConfig } from '../storage/partition-log.js';
import { timerDelay } from '../timer-delay.js';
import type { Api, HandlerResult, RequestContext } from './api.js';
import { BrokerConfig, TOPIC_CONFIGS, validateConfigValue } from './config.js';
import { ClusterMetadata, Keys, legacyMetadata, type MetadataChange, newTopicId, type PartitionState, type TopicState } from './controller/cluster-metadata.js';
import { Controller } from './controller/controller.js';
import { EmbeddedStore } from './controller/embedded-store.js';
import { type BrokerInfo, PlacementError, placeReplicas } from './controller/placement.js';
import { campaign, type CoordinationStore, type Lease } from './controller/store.js';
import { FetchSessionCache } from './fetch-sessions.js';
import { GroupCoordinator } from './group/coordinator.js';
import { allApis } from './handlers/index.js';
import { createLogger, type LogLevel } from './logger.js';
import { Connection, type ConnectionHost } from './net/connection.js';
import { Partition, type ProduceSettings } from './partition.js';
import { ProducerIdManager } from './producer-ids.js';
import { type FetcherHost, ReplicaFetcher } from './replication/replica-fetcher.js';
import { topicNameError, unifyCollisionChars } from './topic-names.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

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
}

export interface TopicRequest {
  name: string;
  numPartitions: number;
  replicationFactor: number;
  assignments: Array<{ partitionIndex: number; brokerIds: number[] }>;
  configs: Array<{ name: string; value: string | null }>;
}

export interface TopicResult {
  errorCode: number;
  errorMessage: string | null;
  topic?: TopicState;
}

const err = (errorCode: number, errorMessage: string): TopicResult => ({ errorCode, errorMessage });

export class Broker implements ConnectionHost, FetcherHost {
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly metadata: ClusterMetadata;
  readonly logs: LogManager;
  readonly partitions = new Map<string, Partition>();
  readonly apis: ReadonlyMap<number, Api<never, object>>;
  /** What ApiVersions lists: every client asks it first on every connection. */
  private readonly apiVersions: Array<{ apiKey: number; minVersion: number; maxVersion: number }>;
  readonly producerIds: ProducerIdManager;
  readonly fetchSessions = new FetchSessionCache();
  readonly groups: GroupCoordinator;
  readonly controller: Controller;
  readonly brokerId: number;
  readonly maxRequestBytes: number;
  readonly fetchSettings: FetcherHost['fetchSettings'];
  readonly rack: string | null;
  /** replica.selector.class is the rack-aware selector (KIP-392): consumers may be sent to a same-rack follower. */
  readonly rackAwareReads: boolean;
  host = '127.0.0.1';
  port = 0;
  private server: net.Server | null = null;
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 0;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;
  private readonly store: CoordinationStore;
  private lease: Lease | null = null;
  private readonly fetchers = new Map<number, ReplicaFetcher>();
  private readonly following = new Map<Partition, number>();
  private readonly isrChanges = new Set<Partition>();
  /** Stops this broker's followers from fetching (see ReplicaFetcher); the leaders then drop it from their ISRs. */
  replicationPaused = false;

  private constructor(opts: BrokerOptions) {
    this.config = new BrokerConfig(opts.config ?? {});
    this.brokerId = this.config.brokerId;
    this.logger = createLogger(opts.logLevel ?? 'info', this.brokerId);
    const storage: StorageKind = opts.storage === 'memory' ? { kind: 'memory' }
      : opts.storage instanceof MemoryVolume ? { kind: 'memory', volume: opts.storage }
      : { kind: 'disk', dir: opts.storage ?? this.config.logDir };
    this.logs = new LogManager(storage);
    this.logs.highWatermarkOf = (key) => this.partitions.get(key)?.highWatermark;
    const prefix = opts.storePrefix ?? '/krill/';
    this.store = opts.store ?? new EmbeddedStore(storage.kind === 'disk' ? path.join(storage.dir, 'krill-metadata.json') : null, (d) => legacyMetadata(prefix, d), false).client();
    this.metadata = new ClusterMetadata(this.store, prefix);
    this.producerIds = new ProducerIdManager(this.metadata);
    this.maxRequestBytes = this.config.int('socket.request.max.bytes');
    this.apis = new Map(allApis.map((a) => [a.apiKey, a as Api<never, object>]));
    this.apiVersions = [...this.apis.values()].sort((a, b) => a.apiKey - b.apiKey).map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion }));
    this.groups = new GroupCoordinator(this);
    this.controller = new Controller({
      brokerId: this.brokerId,
      metadata: this.metadata,
      uncleanElection: (t) => this.topicConfig(t, 'unclean.leader.election.enable').value === 'true',
      info: (m) => this.logger.info(m),
      warn: (m) => this.logger.warn(m),
    });
    this.rack = this.config.get('broker.rack');
    this.rackAwareReads = this.config.get('replica.selector.class')?.endsWith('RackAwareReplicaSelector') ?? false;
    this.fetchSettings = {
      maxWaitMs: this.config.int('replica.fetch.wait.max.ms'),
      minBytes: this.config.int('replica.fetch.min.bytes'),
      maxBytes: this.config.int('replica.fetch.response.max.bytes'),
      partitionMaxBytes: this.config.int('replica.fetch.max.bytes'),
      backoffMs: this.config.int('replica.fetch.backoff.ms'),
      requestTimeoutMs: this.config.int('replica.socket.timeout.ms'),
    };
  }

  /**
   * Starts listening, joins the cluster (registers under a lease, follows the metadata,
   * takes on its partitions, campaigns for controller) and resolves once it serves.
   */
  static async start(opts: BrokerOptions = {}): Promise<Broker> {
    const b = new Broker(opts);
    const { host, port } = b.listenAddress(opts);
    try {
      await b.listen(host, port);
      await b.join();
    } catch (e) {
      await b.close();
      throw e;
    }
    b.startTimers();
    b.logger.info(`ready on ${b.host}:${b.port} (cluster ${b.metadata.clusterId}, ${b.logs.storage.kind === 'memory' ? 'in-memory storage' : `log dir ${b.logs.storage.kind === 'disk' ? b.logs.storage.dir : ''}`})`);
    return b;
  }

  private async join(): Promise<void> {
    this.metadata.onChange((c) => this.onMetadataChange(c));
    await this.metadata.start();
    this.applyDynamicConfigs();
    await this.fenceEarlierIncarnation();
    this.reconcileAll();
    await this.register();
    await this.groups.loaded();
  }

  /**
   * Restarted within its session timeout (after a crash), this broker is still registered
   * and may still be named leader, yet may have lost what it had not flushed. As KRaft
   * fences an old incarnation, it first withdraws and waits until its leaderships have
   * moved to replicas that kept up (or no other broker is there to take them); then it
   * joins as a follower and catches up.
   */
  private async fenceEarlierIncarnation(): Promise<void> {
    const earlier = this.metadata.brokers.get(this.brokerId);
    if (!earlier || earlier.incarnation === this.incarnation) return;
    this.logger.warn('an earlier run of this broker is still registered: withdrawing it and waiting for its leaderships to move');
    await this.metadata.deregister(this.brokerId);
    const deadline = Date.now() + 2 * this.config.int('broker.session.timeout.ms');
    const leadsSomething = () => [...this.metadata.topics.values()].some((t) => t.partitions.some((p) => p.leader === this.brokerId));
    while (Date.now() < deadline && leadsSomething() && [...this.metadata.brokers.keys()].some((id) => id !== this.brokerId)) {
      await sleep(50);
    }
  }

  /** Registers this broker under a fresh lease and campaigns for controller; again if the lease is ever lost. */
  private async register(): Promise<void> {
    const lease = await this.store.grantLease(this.config.int('broker.session.timeout.ms'));
    this.lease = lease;
    lease.onLost(() => {
      if (this.closed || this.lease !== lease) return;
      this.logger.warn('lost the broker registration lease; registering again');
      this.controller.deactivate();
      void this.register().catch((e) => this.logger.error(`re-registration failed: ${(e as Error).message}`));
    });
    await this.metadata.register(this.brokerInfo(), lease);
    void campaign(this.store, this.metadata.prefix + Keys.controller, String(this.brokerId), lease, () => this.closed || this.lease !== lease)
      .then(async (won) => {
        if (won === null) return;
        // Act only on a metadata copy that has the win in it: one still behind would apply
        // the old controller's key going after this, and take this broker for a follower
        // again (and it would not yet see the brokers that left with that key).
        await this.metadata.catchUp(won);
        if (!this.closed && this.lease === lease && this.metadata.controllerId === this.brokerId) this.controller.activate();
      })
      .catch((e) => this.logger.error(`controller campaign failed: ${(e as Error).message}`));
  }

  private readonly incarnation = randomUUID();

  private brokerInfo(): BrokerInfo {
    return { nodeId: this.brokerId, ...this.advertised, rack: this.rack, incarnation: this.incarnation };
  }

  private listenAddress(opts: BrokerOptions): { host: string; port: number } {
    if (opts.host !== undefined || opts.port !== undefined) return { host: opts.host ?? '127.0.0.1', port: opts.port ?? 9092 };
    const l = /^[A-Z_]+:\/\/\[?([^\]]*?)\]?:(\d+)/.exec(this.config.get('listeners')!.split(',')[0]!);
    return { host: l?.[1] || '0.0.0.0', port: Number(l?.[2] ?? 9092) };
  }

  private listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      // Paused: each Connection starts the reads itself, straight into its request frames.
      const server = net.createServer({ pauseOnConnect: true }, (socket) => {
        const c = new Connection(this.nextConnectionId++, socket, this);
        this.connections.add(c);
        c.onClose(() => this.connections.delete(c));
      });
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const a = server.address() as net.AddressInfo;
        this.host = host;
        this.port = a.port;
        this.server = server;
        resolve();
      });
    });
  }

  /** The address clients are told to use: advertised.listeners, else the listener. */
  get advertised(): { host: string; port: number } {
    const adv = this.config.get('advertised.listeners');
    const m = adv ? /^[A-Z_]+:\/\/\[?([^\]]*?)\]?:(\d+)/.exec(adv.split(',')[0]!) : null;
    if (m) return { host: m[1]!, port: Number(m[2]) };
    const host = this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host;
    return { host, port: this.port };
  }

  liveBrokers(): BrokerInfo[] {
    return this.metadata.liveBrokers();
  }

  get controllerId(): number {
    return this.metadata.controllerId;
  }

  leaderAddress(leaderId: number): { host: string; port: number } | null {
    return this.metadata.brokers.get(leaderId) ?? null;
  }

  warn(message: string): void {
    this.logger.warn(message);
  }

  dispatch(api: Api<never, object>, req: unknown, ctx: RequestContext): HandlerResult<object> | Promise<HandlerResult<object>> {
    return api.handle(this, req as never, ctx);
  }

  unsupportedApiVersions(): object {
    return { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: this.apiVersionList() };
  }

  apiVersionList(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
    return this.apiVersions;
  }

  // ---- topics and partitions --------------------------------------------------------

  partition(topic: string, index: number): Partition | undefined {
    return this.partitions.get(partitionDirName(topic, index));
  }

  /**
   * The partition if this broker leads it; otherwise the error a client gets:
   * UNKNOWN_TOPIC_OR_PARTITION when the cluster has no such partition, else
   * NOT_LEADER_OR_FOLLOWER (the client refreshes its metadata and goes to the leader).
   */
  leaderPartition(topic: string, index: number): Partition | number {
    const p = this.partition(topic, index);
    if (p?.isLeader) return p;
    return this.metadata.topics.get(topic)?.partitions[index] ? ErrorCode.NOT_LEADER_OR_FOLLOWER : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION;
  }

  /**
   * KIP-951: partitions answered NOT_LEADER_OR_FOLLOWER or FENCED_LEADER_EPOCH name the
   * current leader (`currentLeader`, Produce v10+ / Fetch v12+), so the client need not ask
   * for metadata first; returns the endpoints of the leaders named, for the response's
   * nodeEndpoints. Partitions with no live leader get no hint.
   */
  addLeaderHints(parts: Iterable<{ topic: string; partition: number; out: { errorCode?: number; currentLeader?: { leaderId?: number; leaderEpoch?: number } } }>): Array<{ nodeId: number; host: string; port: number; rack: string | null }> {
    const leaders = new Map<number, BrokerInfo>();
    for (const { topic, partition, out } of parts) {
      if (out.errorCode !== ErrorCode.NOT_LEADER_OR_FOLLOWER && out.errorCode !== ErrorCode.FENCED_LEADER_EPOCH) continue;
      const s = this.metadata.topics.get(topic)?.partitions[partition];
      const leader = s && this.metadata.brokers.get(s.leader);
      if (!s || !leader) continue;
      out.currentLeader = { leaderId: s.leader, leaderEpoch: s.leaderEpoch };
      leaders.set(leader.nodeId, leader);
    }
    return [...leaders.values()].sort((a, b) => a.nodeId - b.nodeId).map((b) => ({ nodeId: b.nodeId, host: b.host, port: b.port, rack: b.rack }));
  }

  /** A topic config's effective value and its source (topic override, broker, default). */
  topicConfig(topic: TopicState, name: string): { value: string | null; source: number } {
    if (name in topic.configs) return { value: topic.configs[name]!, source: 1 };
    return this.config.topicDefault(name);
  }

  topicConfigNumber(topic: TopicState, name: string): number {
    return Number(this.topicConfig(topic, name).value);
  }

  logConfig(topic: TopicState): LogConfig {
    const n = (k: string) => this.topicConfigNumber(topic, k);
    // Retention deletes only under cleanup.policy=delete; compacted topics keep their segments.
    const deletes = (this.topicConfig(topic, 'cleanup.policy').value ?? 'delete').includes('delete');
    return {
      segmentBytes: n('segment.bytes'),
      segmentMs: n('segment.ms'),
      retentionMs: deletes ? n('retention.ms') : -1,
      retentionBytes: deletes ? n('retention.bytes') : -1,
      flushIntervalMessages: n('flush.messages'),
      flushIntervalMs: n('flush.ms'),
      indexIntervalBytes: n('index.interval.bytes'),
      fileDeleteDelayMs: n('file.delete.delay.ms'),
    };
  }

  /** The produce path's view of a topic's configs, handed to its partitions when they open and when configs change. */
  private produceSettings(topic: TopicState): ProduceSettings {
    return {
      maxMessageBytes: this.topicConfigNumber(topic, 'max.message.bytes'),
      logAppendTime: this.topicConfig(topic, 'message.timestamp.type').value === 'LogAppendTime',
      minInsyncReplicas: this.topicConfigNumber(topic, 'min.insync.replicas'),
    };
  }

  /** Re-reads a topic's configs into its open partitions and logs (topic or broker configs changed). */
  private refreshTopicConfigs(topic: TopicState): void {
    const config = this.logConfig(topic);
    const settings = this.produceSettings(topic);
    for (const p of topic.partitions) {
      const part = this.partition(topic.name, p.partition);
      if (!part) continue;
      part.log.config = config;
      part.settings = settings;
    }
  }

  // ---- metadata changes: this broker's partitions and their roles --------------------

  private onMetadataChange(c: MetadataChange): void {
    if (this.closed) return;
    switch (c.kind) {
      case 'topic':
        this.reconcileTopic(c.before, c.after);
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
    for (const t of this.metadata.topics.values()) this.refreshTopicConfigs(t);
  }

  /** At start-up: every topic's partitions, and log directories nobody assigns here any more removed. */
  private reconcileAll(): void {
    for (const t of this.metadata.topics.values()) this.reconcileTopic(undefined, t);
    for (const { topic, partition } of this.logs.onDisk()) {
      const t = this.metadata.topics.get(topic);
      if (!t || !t.partitions[partition]?.replicas.includes(this.brokerId)) this.logs.delete(topic, partition);
    }
  }

  private reconcileTopic(before: TopicState | undefined, after: TopicState | undefined): void {
    const recreated = before && after && before.topicId !== after.topicId;
    if (before && (!after || recreated)) {
      for (const ps of before.partitions) {
        const p = this.partition(before.name, ps.partition);
        if (p) this.dropPartition(p);
      }
      if (!after) this.logger.info(`deleted topic ${before.name}`);
    }
    if (!after) return;
    for (const ps of after.partitions) {
      let p = this.partition(after.name, ps.partition);
      if (!ps.replicas.includes(this.brokerId)) {
        if (p) this.dropPartition(p);
        continue;
      }
      let prev: PartitionState | null = null;
      if (!p) {
        const log = this.logs.open(after.name, ps.partition, this.logConfig(after));
        p = new Partition(after, ps, log, this.produceSettings(after), this.brokerId, this.logs.checkpointedHighWatermark(after.name, ps.partition));
        this.partitions.set(partitionDirName(after.name, ps.partition), p);
      } else {
        prev = p.state;
        p.updateState(after, ps);
      }
      this.applyRole(p, prev);
    }
    if (before && JSON.stringify(before.configs) !== JSON.stringify(after.configs)) this.refreshTopicConfigs(after);
  }

  /** Makes this broker lead or follow the partition as its new state says. */
  private applyRole(p: Partition, prev: PartitionState | null): void {
    const s = p.state;
    const leaderChanged = !prev || prev.leader !== s.leader || prev.leaderEpoch !== s.leaderEpoch;
    const offsets = p.topic.name === OFFSETS_TOPIC;
    if (s.leader === this.brokerId) {
      if (p.isLeader && !leaderChanged) return;
      this.unfollow(p);
      p.becomeLeader(Date.now());
      if (offsets) this.groups.partitionElected(p.index);
      return;
    }
    if (!leaderChanged && !p.isLeader) return;
    const wasLeader = p.isLeader;
    p.becomeFollower();
    this.unfollow(p);
    if (s.leader >= 0) this.follow(p, s.leader);
    if (offsets && wasLeader) this.groups.partitionResigned(p.index);
  }

  private follow(p: Partition, leaderId: number): void {
    let f = this.fetchers.get(leaderId);
    if (!f) this.fetchers.set(leaderId, (f = new ReplicaFetcher(this, leaderId)));
    f.add(p);
    this.following.set(p, leaderId);
  }

  private unfollow(p: Partition): void {
    const leaderId = this.following.get(p);
    if (leaderId === undefined) return;
    this.following.delete(p);
    this.fetchers.get(leaderId)?.remove(p);
  }

  /** The partition left this broker (topic deleted, replica moved): its log goes too. */
  private dropPartition(p: Partition): void {
    this.unfollow(p);
    if (p.isLeader && p.topic.name === OFFSETS_TOPIC) this.groups.partitionResigned(p.index);
    p.becomeFollower();
    this.partitions.delete(partitionDirName(p.topic.name, p.index));
    this.logs.delete(p.topic.name, p.index);
  }

  // ---- leader side of replication ----------------------------------------------------

  /** A follower fetched: track it, and add it to the ISR once it has caught up. */
  followerFetched(p: Partition, replicaId: number, fetchOffset: number): void {
    if (p.recordFollowerFetch(replicaId, fetchOffset, Date.now())) {
      void this.changeIsr(p, (isr) => (isr.includes(replicaId) ? null : [...isr, replicaId]), `broker ${replicaId} caught up`);
    }
  }

  /** Drops ISR members that stopped fetching or fell behind for replica.lag.time.max.ms. */
  private shrinkIsrs(now: number): void {
    const maxLag = this.config.int('replica.lag.time.max.ms');
    for (const p of this.partitions.values()) {
      if (!p.isLeader || p.state.isr.length <= 1) continue;
      const lagging = p.laggingFollowers(now, maxLag);
      if (lagging.length > 0) void this.changeIsr(p, (isr) => isr.filter((r) => !lagging.includes(r)), `broker(s) ${lagging.join(',')} fell behind`);
    }
  }

  /** An ISR change by the leader: a compare-and-set that only applies while this broker still leads at this epoch. */
  private async changeIsr(p: Partition, fn: (isr: number[]) => number[] | null, why: string): Promise<void> {
    if (this.isrChanges.has(p)) return;
    this.isrChanges.add(p);
    const epoch = p.leaderEpoch;
    try {
      const written = await this.metadata.updateTopic(p.topic.name, (t) => {
        const cur = t.partitions[p.index];
        if (!cur || cur.leader !== this.brokerId || cur.leaderEpoch !== epoch) return null;
        const isr = fn(cur.isr);
        if (!isr || isr.length === 0) return null;
        const partitions = [...t.partitions];
        partitions[p.index] = { ...cur, isr };
        return { ...t, partitions };
      });
      const isr = written?.partitions[p.index]?.isr;
      if (isr) this.logger.info(`${p.topic.name}-${p.index} ISR now [${isr.join(',')}]: ${why}`);
    } catch (e) {
      this.logger.warn(`ISR change of ${p.topic.name}-${p.index} failed: ${(e as Error).message}`);
    } finally {
      this.isrChanges.delete(p);
    }
  }

  /** Validates and (unless validateOnly) creates a topic, as CreateTopics, auto-creation and internal topics do. */
  async createTopic(req: TopicRequest, validateOnly: boolean, internal = false): Promise<TopicResult> {
    const nameErr = topicNameError(req.name);
    if (nameErr) return err(ErrorCode.INVALID_TOPIC_EXCEPTION, nameErr);
    if (this.metadata.topics.has(req.name)) return err(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${req.name}' already exists.`);
    const unified = unifyCollisionChars(req.name);
    for (const other of this.metadata.topics.keys()) {
      if (unifyCollisionChars(other) === unified) return err(ErrorCode.INVALID_TOPIC_EXCEPTION, `Topic '${req.name}' collides with existing topic: ${other}`);
    }
    const hasAssignments = req.assignments.length > 0;
    if (hasAssignments && (req.numPartitions !== -1 || req.replicationFactor !== -1)) {
      return err(ErrorCode.INVALID_REQUEST, 'Both numPartitions or replicationFactor and replicasAssignments were set. Both cannot be used at the same time.');
    }
    const configs: Record<string, string> = {};
    for (const c of req.configs) {
      const def = TOPIC_CONFIGS[c.name];
      if (!def) return err(ErrorCode.INVALID_CONFIG, `Unknown topic config name: ${c.name}`);
      if (c.value === null) return err(ErrorCode.INVALID_CONFIG, `Null value not supported for topic configs: ${c.name}`);
      const bad = validateConfigValue(def.type, c.value);
      if (bad) return err(ErrorCode.INVALID_CONFIG, `Invalid value ${c.value} for configuration ${c.name}: ${bad}`);
      configs[c.name] = c.value;
    }
    let replicas: number[][];
    if (hasAssignments) {
      const live = new Set(this.liveBrokers().map((b) => b.nodeId));
      const sorted = [...req.assignments].sort((a, b) => a.partitionIndex - b.partitionIndex);
      for (let i = 0; i < sorted.length; i++) {
        const a = sorted[i]!;
        if (a.partitionIndex !== i) return err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, 'Partitions should be a consecutive 0-based integer sequence');
        if (a.brokerIds.length === 0 || new Set(a.brokerIds).size !== a.brokerIds.length) return err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Duplicate brokers not allowed in replica assignment: ${a.brokerIds.join(', ')} for partition id ${i}.`);
        const unknown = a.brokerIds.find((id) => !live.has(id));
        if (unknown !== undefined) return err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Unknown broker(s) ${unknown} in replica assignment.`);
      }
      replicas = sorted.map((a) => a.brokerIds);
    } else {
      const numPartitions = req.numPartitions === -1 ? this.config.int('num.partitions') : req.numPartitions;
      const rf = req.replicationFactor === -1 ? this.config.int('default.replication.factor') : req.replicationFactor;
      if (numPartitions <= 0) return err(ErrorCode.INVALID_PARTITIONS, 'Number of partitions must be larger than 0.');
      if (rf <= 0) return err(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
      try {
        replicas = placeReplicas(this.liveBrokers(), 0, numPartitions, internal ? Math.min(rf, this.liveBrokers().length) : rf);
      } catch (e) {
        if (e instanceof PlacementError) return err(ErrorCode.INVALID_REPLICATION_FACTOR, e.message);
        throw e;
      }
    }
    const topic: TopicState = {
      name: req.name,
      topicId: newTopicId(),
      internal,
      configs,
      partitions: replicas.map((r, partition) => ({ partition, replicas: r, leader: r[0]!, leaderEpoch: 0, isr: [...r] })),
    };
    if (validateOnly) return { errorCode: ErrorCode.NONE, errorMessage: null, topic };
    if (!await this.metadata.createTopic(topic)) return err(ErrorCode.TOPIC_ALREADY_EXISTS, `Topic '${req.name}' already exists.`);
    this.logger.info(`created topic ${topic.name} with ${topic.partitions.length} partition(s), replication factor ${replicas[0]!.length}`);
    return { errorCode: ErrorCode.NONE, errorMessage: null, topic };
  }

  /** Auto-creation from Metadata (auto.create.topics.enable) with the broker defaults. */
  async autoCreateTopic(name: string): Promise<TopicResult> {
    const r = await this.createTopic({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }, false);
    // Another broker creating it at the same moment is as good.
    const raced = r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS ? this.metadata.topics.get(name) : undefined;
    return raced ? { errorCode: ErrorCode.NONE, errorMessage: null, topic: raced } : r;
  }

  /** The group/offsets topic, created on first use like Kafka's; null while it cannot be created yet. */
  async ensureOffsetsTopic(): Promise<TopicState | null> {
    const existing = this.metadata.topics.get(OFFSETS_TOPIC);
    if (existing) return existing;
    const r = await this.createTopic({
      name: OFFSETS_TOPIC,
      numPartitions: this.config.int('offsets.topic.num.partitions'),
      replicationFactor: this.config.int('offsets.topic.replication.factor'),
      assignments: [],
      configs: [
        { name: 'cleanup.policy', value: 'compact' },
        { name: 'compression.type', value: 'producer' },
        { name: 'segment.bytes', value: this.config.get('offsets.topic.segment.bytes') },
      ],
    }, false, true);
    if (!r.topic && r.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) this.logger.warn(`cannot create ${OFFSETS_TOPIC}: ${r.errorMessage}`);
    return this.metadata.topics.get(OFFSETS_TOPIC) ?? null;
  }

  async deleteTopic(name: string): Promise<void> {
    await this.metadata.deleteTopic(name);
  }

  /** CreatePartitions: grows a topic to `count` partitions. */
  async createPartitions(t: TopicState, count: number, assignments: number[][] | null, validateOnly: boolean): Promise<{ errorCode: number; errorMessage: string | null }> {
    const current = t.partitions.length;
    if (count < current) return err(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${count}.`);
    if (count === current) return err(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`);
    const rf = t.partitions[0]?.replicas.length ?? 1;
    let replicas: number[][];
    if (assignments) {
      if (assignments.length !== count - current) return err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Increasing the number of partitions by ${count - current} but ${assignments.length} assignments provided.`);
      const live = new Set(this.liveBrokers().map((b) => b.nodeId));
      for (const a of assignments) {
        const unknown = a.find((id) => !live.has(id));
        if (unknown !== undefined) return err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Unknown broker(s) in replica assignment: ${unknown}.`);
        if (a.length !== rf) return err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Inconsistent replication factor between partitions, partition 0 has ${rf} while partitions [${current}] have replication factors [${a.length}], respectively.`);
      }
      replicas = assignments;
    } else {
      try {
        replicas = placeReplicas(this.liveBrokers(), current, count - current, rf);
      } catch (e) {
        if (e instanceof PlacementError) return err(ErrorCode.INVALID_REPLICATION_FACTOR, e.message);
        throw e;
      }
    }
    if (validateOnly) return { errorCode: ErrorCode.NONE, errorMessage: null };
    const written = await this.metadata.updateTopic(t.name, (cur) => {
      if (cur.topicId !== t.topicId || cur.partitions.length !== current) return null;
      const added = replicas.map((r, i): PartitionState => ({ partition: current + i, replicas: r, leader: r[0]!, leaderEpoch: 0, isr: [...r] }));
      return { ...cur, partitions: [...cur.partitions, ...added] };
    });
    if (!written) return err(ErrorCode.REASSIGNMENT_IN_PROGRESS, `Topic ${t.name} changed while its partitions were being added; try again.`);
    this.logger.info(`topic ${t.name} now has ${count} partitions`);
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  }

  // ---- lifecycle --------------------------------------------------------------------

  private startTimers(): void {
    const every = (ms: number, fn: () => void) => {
      const t = setInterval(() => {
        try {
          fn();
        } catch (e) {
          this.logger.error(`background task failed: ${(e as Error).stack ?? String(e)}`);
        }
      }, timerDelay(ms, 10));
      t.unref();
      this.timers.push(t);
    };
    every(this.config.int('log.retention.check.interval.ms'), () => {
      const n = this.logs.applyRetention(Date.now());
      if (n > 0) this.logger.info(`retention deleted ${n} segment(s)`);
    });
    every(1000, () => this.logs.flushDue(Date.now()));
    // Kafka's replica.high.watermark.checkpoint.interval.ms: a restarted leader resumes
    // from this high watermark instead of hiding everything until its followers fetch.
    every(5000, () => this.logs.writeCheckpoints());
    every(250, () => this.groups.tick(Date.now()));
    every(this.config.int('offsets.retention.check.interval.ms'), () => this.groups.expireOffsets(Date.now()));
    every(this.config.int('replica.lag.time.max.ms') / 2, () => this.shrinkIsrs(Date.now()));
    if (this.config.bool('auto.leader.rebalance.enable')) {
      every(this.config.int('leader.imbalance.check.interval.seconds') * 1000, () => void this.controller.rebalance().catch((e) => this.logger.warn(`preferred leader election failed: ${(e as Error).message}`)));
    }
    if (this.config.bool('log.cleaner.enable')) every(this.config.int('log.cleaner.backoff.ms'), () => void this.cleanLogs());
  }

  private cleaning = false;

  /** One pass of the log cleaner over the compacted topics; skipped while a pass still runs. */
  async cleanLogs(): Promise<number> {
    if (this.cleaning || this.closed) return 0;
    this.cleaning = true;
    let removed = 0;
    try {
      for (const p of [...this.partitions.values()]) {
        if (!(this.topicConfig(p.topic, 'cleanup.policy').value ?? '').includes('compact')) continue;
        removed += await compactLog(p.log, Date.now(), this.topicConfigNumber(p.topic, 'delete.retention.ms'));
        if (this.closed) break;
      }
      if (removed > 0) this.logger.info(`log cleaner removed ${removed} superseded record(s)`);
    } catch (e) {
      this.logger.error(`log cleaner failed: ${(e as Error).stack ?? String(e)}`);
    } finally {
      this.cleaning = false;
    }
    return removed;
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
    for (const t of this.timers) clearInterval(t);
    this.controller.deactivate();
    this.groups.close();
    // Stop leading first: from here on produces get NOT_LEADER_OR_FOLLOWER instead of
    // landing in a log the next leader will not have.
    for (const p of this.partitions.values()) p.becomeFollower();
    const lease = this.lease;
    this.lease = null;
    // A crash leaves the lease to expire; a clean stop ends it so failover starts at once.
    if (crash) await this.store.abandon();
    else await lease?.revoke().catch(() => undefined);
    await Promise.all([...this.fetchers.values()].map((f) => f.stop()));
    this.fetchers.clear();
    const server = this.server;
    for (const c of [...this.connections]) c.close();
    if (server) await new Promise<void>((r) => server.close(() => r()));
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
