// Creating topics and partitions as CreateTopics, CreatePartitions, auto-creation and the
// coordinators' internal topics do: names, configs and replica assignments are checked as
// Kafka checks them, then written to the cluster metadata, which every broker follows.
import type { Logger } from 'winston';
import { TRANSACTION_TOPIC } from './txn/records.js';
import { ErrorCode } from '../protocol/errors.js';
import { type BrokerConfig, topicConfigError } from './config.js';
import { type ClusterMetadata, newTopicId, type PartitionState, type TopicState } from './controller/cluster-metadata.js';
import { PlacementError, placeReplicas } from './controller/placement.js';
import { topicNameError, unifyCollisionChars } from './topic-names.js';

export const OFFSETS_TOPIC = '__consumer_offsets';
export { TRANSACTION_TOPIC };

/**
 * The most partitions one request may create: Kafka's controller writes at most 10,000
 * records for one user operation (QuorumController.MAX_RECORDS_PER_USER_OP), a record a
 * partition, and refuses more with POLICY_VIOLATION before anything changes.
 */
export const MAX_PARTITIONS_PER_REQUEST = 10_000;

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

export class TopicAdmin {
  constructor(private readonly config: BrokerConfig, private readonly metadata: ClusterMetadata, private readonly logger: Logger) {}

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
      const bad = topicConfigError(c.name, c.value);
      if (bad) return err(ErrorCode.INVALID_CONFIG, bad);
      configs[c.name] = c.value!;
    }
    let replicas: number[][];
    if (hasAssignments) {
      const live = new Set(this.metadata.liveBrokers().map((b) => b.nodeId));
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
      // CreateTopics checks the request's total first; this holds for every way in.
      if (numPartitions > MAX_PARTITIONS_PER_REQUEST) return err(ErrorCode.POLICY_VIOLATION, 'Excessively large number of partitions per request.');
      if (rf <= 0) return err(ErrorCode.INVALID_REPLICATION_FACTOR, 'Replication factor must be larger than 0.');
      const live = this.metadata.liveBrokers();
      const placed = this.place(live, 0, numPartitions, internal ? Math.min(rf, live.length) : rf);
      if (!Array.isArray(placed)) return placed;
      replicas = placed;
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

  /** Kafka's placement, or INVALID_REPLICATION_FACTOR when there are too few brokers. */
  private place(live: Parameters<typeof placeReplicas>[0], first: number, count: number, rf: number): number[][] | TopicResult {
    try {
      return placeReplicas(live, first, count, rf);
    } catch (e) {
      if (e instanceof PlacementError) return err(ErrorCode.INVALID_REPLICATION_FACTOR, e.message);
      throw e;
    }
  }

  /** The partitions a CreateTopics request asks for, counted as Kafka's controller counts them (validateTotalNumberOfPartitions). */
  partitionsRequested(topics: ReadonlyArray<Pick<TopicRequest, 'numPartitions' | 'assignments'>>): number {
    let total = 0;
    for (const t of topics) {
      if (t.assignments.length > 0) total += t.assignments.length;
      else if (t.numPartitions === -1) total += this.config.int('num.partitions');
      else if (t.numPartitions > 0) total += t.numPartitions;
    }
    return total;
  }

  /** Auto-creation from Metadata (auto.create.topics.enable) with the broker defaults. */
  async autoCreateTopic(name: string): Promise<TopicResult> {
    const r = await this.createTopic({ name, numPartitions: -1, replicationFactor: -1, assignments: [], configs: [] }, false);
    // Another broker creating it at the same moment is as good.
    const raced = r.errorCode === ErrorCode.TOPIC_ALREADY_EXISTS ? this.metadata.topics.get(name) : undefined;
    return raced ? { errorCode: ErrorCode.NONE, errorMessage: null, topic: raced } : r;
  }

  /** The group/offsets topic, created on first use like Kafka's; null while it cannot be created yet. */
  ensureOffsetsTopic(): Promise<TopicState | null> {
    return this.ensureInternalTopic(OFFSETS_TOPIC, this.config.int('offsets.topic.num.partitions'), this.config.int('offsets.topic.replication.factor'), {
      'cleanup.policy': 'compact',
      'compression.type': 'producer',
      'segment.bytes': this.config.get('offsets.topic.segment.bytes') ?? '',
    });
  }

  ensureTransactionTopic(): Promise<TopicState | null> {
    const replicationFactor = this.config.int('transaction.state.log.replication.factor');
    // Made with as many replicas as there are brokers, its min ISR is held to that too, so a
    // single broker serves transactions where Kafka would refuse to create the topic.
    const minIsr = Math.min(this.config.int('transaction.state.log.min.isr'), replicationFactor, this.metadata.liveBrokers().length);
    return this.ensureInternalTopic(TRANSACTION_TOPIC, this.config.int('transaction.state.log.num.partitions'), replicationFactor, {
      'cleanup.policy': 'compact',
      'compression.type': 'uncompressed',
      'min.insync.replicas': String(Math.max(1, minIsr)),
      'segment.bytes': this.config.get('transaction.state.log.segment.bytes') ?? '',
    });
  }

  /** A coordinator's compacted internal topic, created on first use with as many replicas as there are brokers, up to `replicationFactor`. */
  private async ensureInternalTopic(name: string, partitions: number, replicationFactor: number, configs: Record<string, string>): Promise<TopicState | null> {
    const existing = this.metadata.topics.get(name);
    if (existing) return existing;
    const r = await this.createTopic({
      name,
      numPartitions: partitions,
      replicationFactor,
      assignments: [],
      configs: Object.entries(configs).map(([k, value]) => ({ name: k, value })),
    }, false, true);
    if (!r.topic && r.errorCode !== ErrorCode.TOPIC_ALREADY_EXISTS) this.logger.warn(`cannot create ${name}: ${r.errorMessage}`);
    return this.metadata.topics.get(name) ?? null;
  }

  async deleteTopic(name: string): Promise<void> {
    await this.metadata.deleteTopic(name);
  }

  /** CreatePartitions: grows a topic to `count` partitions. */
  async createPartitions(t: TopicState, count: number, assignments: number[][] | null, validateOnly: boolean): Promise<{ errorCode: number; errorMessage: string | null }> {
    const current = t.partitions.length;
    if (count < current) return err(ErrorCode.INVALID_PARTITIONS, `Topic currently has ${current} partitions, which is higher than the requested ${count}.`);
    if (count === current) return err(ErrorCode.INVALID_PARTITIONS, `Topic already has ${current} partitions.`);
    // Checked here too, not only over the request: a topic created while the request waited
    // was not in its total, and placing two billion partitions would stall the broker.
    if (count - current > MAX_PARTITIONS_PER_REQUEST) return err(ErrorCode.POLICY_VIOLATION, 'Unable to perform excessively large batch operation.');
    const rf = t.partitions[0]?.replicas.length ?? 1;
    let replicas: number[][];
    if (assignments) {
      if (assignments.length !== count - current) return err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Increasing the number of partitions by ${count - current} but ${assignments.length} assignments provided.`);
      const live = new Set(this.metadata.liveBrokers().map((b) => b.nodeId));
      for (const a of assignments) {
        const unknown = a.find((id) => !live.has(id));
        if (unknown !== undefined) return err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Unknown broker(s) in replica assignment: ${unknown}.`);
        if (a.length !== rf) return err(ErrorCode.INVALID_REPLICA_ASSIGNMENT, `Inconsistent replication factor between partitions, partition 0 has ${rf} while partitions [${current}] have replication factors [${a.length}], respectively.`);
      }
      replicas = assignments;
    } else {
      const placed = this.place(this.metadata.liveBrokers(), current, count - current, rf);
      if (!Array.isArray(placed)) return placed;
      replicas = placed;
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
}
