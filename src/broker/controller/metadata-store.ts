// The cluster's metadata: topics with their ids, partitions, replica assignments,
// leaders, ISRs and config overrides. This embedded store lives in the broker's process
// and persists to one JSON file in the log directory (written atomically), so topics
// and their ids survive restarts. A replicated store can implement the same interface.
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';

export interface PartitionState {
  partition: number;
  replicas: number[];
  leader: number;
  leaderEpoch: number;
  isr: number[];
}

export interface TopicState {
  name: string;
  /** 32 hex digits. */
  topicId: string;
  internal: boolean;
  partitions: PartitionState[];
  configs: Record<string, string>;
}

interface Persisted {
  clusterId: string;
  topics: TopicState[];
  brokerConfigs: Record<string, string>;
  nextProducerIdBlock: number;
}

/** A random topic id, never the all-zero id that means "none". */
export const newTopicId = (): string => {
  let id;
  do id = randomBytes(16).toString('hex');
  while (/^0+$/.test(id));
  return id;
};

export class MetadataStore {
  readonly topics = new Map<string, TopicState>();
  readonly topicsById = new Map<string, TopicState>();
  readonly brokerConfigs: Record<string, string> = {};
  clusterId: string;
  /** First producer id of the next block to hand out (see ProducerIdManager). */
  nextProducerIdBlock: number;
  private readonly file: string | null;

  constructor(dir: string | null) {
    this.file = dir ? path.join(dir, 'krill-metadata.json') : null;
    let loaded: Persisted | null = null;
    if (this.file && fs.existsSync(this.file)) loaded = JSON.parse(fs.readFileSync(this.file, 'utf8')) as Persisted;
    this.clusterId = loaded?.clusterId ?? randomBytes(16).toString('base64url');
    for (const t of loaded?.topics ?? []) this.index(t);
    Object.assign(this.brokerConfigs, loaded?.brokerConfigs ?? {});
    this.nextProducerIdBlock = loaded?.nextProducerIdBlock ?? 0;
  }

  private index(t: TopicState): void {
    this.topics.set(t.name, t);
    this.topicsById.set(t.topicId, t);
  }

  /** Adds or replaces a topic and persists. */
  putTopic(t: TopicState): void {
    this.index(t);
    this.save();
  }

  deleteTopic(name: string): TopicState | undefined {
    const t = this.topics.get(name);
    if (!t) return undefined;
    this.topics.delete(name);
    this.topicsById.delete(t.topicId);
    this.save();
    return t;
  }

  /** Persists after an in-place change (configs, partitions). */
  save(): void {
    if (!this.file) return;
    const data: Persisted = { clusterId: this.clusterId, topics: [...this.topics.values()], brokerConfigs: this.brokerConfigs, nextProducerIdBlock: this.nextProducerIdBlock };
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(data));
    fs.renameSync(tmp, this.file);
  }
}
