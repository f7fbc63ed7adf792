// Topic configs as they apply to a topic: its own overrides, else the broker's synonym,
// else Kafka's default; and the views of them the log and the produce path take.
import type { LogConfig } from '../storage/partition-log.js';
import { type BrokerConfig, ConfigSource } from './config.js';
import type { TopicState } from './controller/cluster-metadata.js';
import type { ProduceSettings } from './partition.js';
import { LONG_MAX } from './record-checks.js';

export class TopicConfigs {
  constructor(private readonly config: BrokerConfig) {}

  /** A topic config's effective value and its source (topic override, broker, default). */
  get(topic: TopicState, name: string): { value: string | null; source: number } {
    if (name in topic.configs) return { value: topic.configs[name]!, source: ConfigSource.DYNAMIC_TOPIC_CONFIG };
    return this.config.topicDefault(name);
  }

  number(topic: TopicState, name: string): number {
    return Number(this.get(topic, name).value);
  }

  /** Whether cleanup.policy includes `policy` ('delete' or 'compact'). */
  hasCleanupPolicy(topic: TopicState, policy: 'delete' | 'compact'): boolean {
    return (this.get(topic, 'cleanup.policy').value ?? 'delete').includes(policy);
  }

  logConfig(topic: TopicState): LogConfig {
    const n = (k: string) => this.number(topic, k);
    // Retention deletes only under cleanup.policy=delete; compacted topics keep their segments.
    const deletes = this.hasCleanupPolicy(topic, 'delete');
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
  produceSettings(topic: TopicState): ProduceSettings {
    const long = (k: string) => BigInt(this.get(topic, k).value ?? LONG_MAX);
    // Kafka 3.6+'s LogConfig: before/after left at their default fall back to the deprecated difference.max.ms.
    const difference = long('message.timestamp.difference.max.ms');
    const bound = (k: string) => (long(k) === LONG_MAX ? difference : long(k));
    return {
      maxMessageBytes: this.number(topic, 'max.message.bytes'),
      logAppendTime: this.get(topic, 'message.timestamp.type').value === 'LogAppendTime',
      minInsyncReplicas: this.number(topic, 'min.insync.replicas'),
      compacted: this.hasCleanupPolicy(topic, 'compact'),
      timestampBeforeMaxMs: bound('message.timestamp.before.max.ms'),
      timestampAfterMaxMs: bound('message.timestamp.after.max.ms'),
    };
  }
}
