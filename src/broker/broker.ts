// The broker: configuration, cluster metadata, partition logs, the API table and the
// listener. Handlers reach everything through this object.
import net from 'node:net';
import type { Logger } from 'winston';
import { ErrorCode } from '../protocol/errors.js';
import { compactLog } from '../storage/cleaner.js';
import { LogManager, partitionDirName, type StorageKind } from '../storage/log-manager.js';
import type { LogConfig } from '../storage/partition-log.js';
import type { Api, HandlerResult, RequestContext } from './api.js';
import { BrokerConfig, TOPIC_CONFIGS, validateConfigValue } from './config.js';
import { MetadataStore, newTopicId, type PartitionState, type TopicState } from './controller/metadata-store.js';
import { type BrokerInfo, PlacementError, placeReplicas } from './controller/placement.js';
import { FetchSessionCache } from './fetch-sessions.js';
import { GroupCoordinator } from './group/coordinator.js';
import { allApis } from './handlers/index.js';
import { createLogger, type LogLevel } from './logger.js';
import { Connection, type ConnectionHost } from './net/connection.js';
import { Partition } from './partition.js';
import { ProducerIdManager } from './producer-ids.js';
import { topicNameError, unifyCollisionChars } from './topic-names.js';

export const OFFSETS_TOPIC = '__consumer_offsets';

export interface BrokerOptions {
  /** Broker configs by Kafka name (server.properties and --set). */
  config?: Record<string, string>;
  /** 'memory' keeps everything in process; otherwise the log directory. Defaults to log.dirs. */
  storage?: 'memory' | string;
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  logLevel?: LogLevel;
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

export class Broker implements ConnectionHost {
  readonly config: BrokerConfig;
  readonly logger: Logger;
  readonly metadata: MetadataStore;
  readonly logs: LogManager;
  readonly partitions = new Map<string, Partition>();
  readonly apis: ReadonlyMap<number, Api<never, object>>;
  readonly producerIds: ProducerIdManager;
  readonly fetchSessions = new FetchSessionCache();
  readonly groups: GroupCoordinator;
  readonly brokerId: number;
  readonly maxRequestBytes: number;
  host = '127.0.0.1';
  port = 0;
  private server: net.Server | null = null;
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 0;
  private timers: NodeJS.Timeout[] = [];
  private closed = false;

  private constructor(opts: BrokerOptions) {
    this.config = new BrokerConfig(opts.config ?? {});
    this.brokerId = this.config.brokerId;
    this.logger = createLogger(opts.logLevel ?? 'info', this.brokerId);
    const storage: StorageKind = opts.storage === 'memory' ? { kind: 'memory' } : { kind: 'disk', dir: opts.storage ?? this.config.logDir };
    this.logs = new LogManager(storage);
    this.metadata = new MetadataStore(storage.kind === 'disk' ? storage.dir : null);
    for (const [k, v] of Object.entries(this.metadata.brokerConfigs)) this.config.dynamic.set(k, v);
    this.producerIds = new ProducerIdManager(this.metadata);
    this.maxRequestBytes = this.config.int('socket.request.max.bytes');
    this.apis = new Map(allApis.map((a) => [a.apiKey, a as Api<never, object>]));
    this.groups = new GroupCoordinator(this);
  }

  /** Opens the logs, starts listening, and resolves once requests are served. */
  static async start(opts: BrokerOptions = {}): Promise<Broker> {
    const b = new Broker(opts);
    b.openPartitions();
    await b.groups.load();
    const { host, port } = b.listenAddress(opts);
    await b.listen(host, port);
    b.startTimers();
    b.logger.info(`ready on ${b.host}:${b.port} (cluster ${b.metadata.clusterId}, ${b.logs.storage.kind === 'memory' ? 'in-memory storage' : `log dir ${b.logs.storage.kind === 'disk' ? b.logs.storage.dir : ''}`})`);
    return b;
  }

  private listenAddress(opts: BrokerOptions): { host: string; port: number } {
    if (opts.host !== undefined || opts.port !== undefined) return { host: opts.host ?? '127.0.0.1', port: opts.port ?? 9092 };
    const l = /^[A-Z_]+:\/\/\[?([^\]]*?)\]?:(\d+)/.exec(this.config.get('listeners')!.split(',')[0]!);
    return { host: l?.[1] || '0.0.0.0', port: Number(l?.[2] ?? 9092) };
  }

  private listen(host: string, port: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const server = net.createServer((socket) => {
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
    return [{ nodeId: this.brokerId, ...this.advertised, rack: this.config.get('broker.rack') }];
  }

  get controllerId(): number {
    return this.brokerId;
  }

  dispatch(api: Api<never, object>, req: unknown, ctx: RequestContext): HandlerResult<object> | Promise<HandlerResult<object>> {
    return api.handle(this, req as never, ctx);
  }

  unsupportedApiVersions(): object {
    return { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: this.apiVersionList() };
  }

  apiVersionList(): Array<{ apiKey: number; minVersion: number; maxVersion: number }> {
    return [...this.apis.values()].sort((a, b) => a.apiKey - b.apiKey).map((a) => ({ apiKey: a.apiKey, minVersion: a.minVersion, maxVersion: a.maxVersion }));
  }

  // ---- topics and partitions --------------------------------------------------------

  partition(topic: string, index: number): Partition | undefined {
    return this.partitions.get(partitionDirName(topic, index));
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
    };
  }

  /** Re-reads topic configs into open logs after AlterConfigs. */
  refreshLogConfigs(topic: TopicState): void {
    for (const p of topic.partitions) {
      const part = this.partition(topic.name, p.partition);
      if (part) part.log.config = this.logConfig(topic);
    }
  }

  private openPartitions(): void {
    for (const t of this.metadata.topics.values()) for (const p of t.partitions) this.openPartition(t, p);
    // Directories of topics the metadata no longer knows (deleted while down) are removed.
    for (const { topic, partition } of this.logs.onDisk()) {
      const t = this.metadata.topics.get(topic);
      if (!t || partition >= t.partitions.length) this.logs.delete(topic, partition);
    }
  }

  private openPartition(t: TopicState, p: PartitionState): Partition {
    const log = this.logs.open(t.name, p.partition, this.logConfig(t));
    const part = new Partition(t, p, log);
    this.partitions.set(partitionDirName(t.name, p.partition), part);
    return part;
  }

  /** Validates and (unless validateOnly) creates a topic, as CreateTopics, auto-creation and internal topics do. */
  createTopic(req: TopicRequest, validateOnly: boolean, internal = false): TopicResult {
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
    this.metadata.putTopic(topic);
    for (const p of topic.partitions) this.openPartition(topic, p);
    this.logger.info(`created topic ${topic.name} with ${topic.partitions.length} partition(s), replication factor ${replicas[0]!.length}`);
    return { errorCode: ErrorCode.NONE, errorMessage: null, topic };
  }

  /** Auto-creation from Metadata (auto.create.topics.enable) with the broker defaults. */
  autoCreateTopic(name: string): TopicResult {
    return this.createTopic({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }, false);
  }

  /** The group/offsets topic, created on first use like Kafka's. */
  offsetsTopic(): TopicState {
    const existing = this.metadata.topics.get(OFFSETS_TOPIC);
    if (existing) return existing;
    const r = this.createTopic({
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
    if (!r.topic) throw new Error(`cannot create ${OFFSETS_TOPIC}: ${r.errorMessage}`);
    return r.topic;
  }

  deleteTopic(name: string): void {
    const t = this.metadata.deleteTopic(name);
    if (!t) return;
    for (const p of t.partitions) {
      const key = partitionDirName(name, p.partition);
      this.partitions.get(key)?.notifyAppend();
      this.partitions.delete(key);
      this.logs.delete(name, p.partition);
    }
    this.logger.info(`deleted topic ${name}`);
  }

  /** CreatePartitions: grows a topic to `count` partitions. */
  createPartitions(t: TopicState, count: number, assignments: number[][] | null, validateOnly: boolean): { errorCode: number; errorMessage: string | null } {
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
    replicas.forEach((r, i) => {
      const p: PartitionState = { partition: current + i, replicas: r, leader: r[0]!, leaderEpoch: 0, isr: [...r] };
      t.partitions.push(p);
      this.openPartition(t, p);
    });
    this.metadata.save();
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
      }, Math.max(10, Math.min(ms, 2 ** 31 - 1)));
      t.unref();
      this.timers.push(t);
    };
    every(this.config.int('log.retention.check.interval.ms'), () => {
      const n = this.logs.applyRetention(Date.now());
      if (n > 0) this.logger.info(`retention deleted ${n} segment(s)`);
    });
    every(1000, () => this.logs.flushDue(Date.now()));
    every(60_000, () => this.logs.writeCheckpoints());
    every(250, () => this.groups.tick(Date.now()));
    every(this.config.int('offsets.retention.check.interval.ms'), () => this.groups.expireOffsets(Date.now()));
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

  /** Stops listening, closes connections, flushes logs and writes checkpoints. Safe to call twice. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const t of this.timers) clearInterval(t);
    this.groups.close();
    const server = this.server;
    for (const c of [...this.connections]) c.close();
    if (server) await new Promise<void>((r) => server.close(() => r()));
    this.logs.close();
    this.logger.info('shut down cleanly');
  }
}
