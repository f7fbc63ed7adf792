// librdkafka 2.15.1, through @confluentinc/kafka-javascript's KafkaJS-style API, from the
// cache scripts/ensure-compat-clients.sh builds it in (`make test` runs that first).
import { createRequire } from 'node:module';
import os from 'node:os';
import path from 'node:path';

export const LIBRDKAFKA_DIR = process.env.KRILL_LIBRDKAFKA_DIR ?? path.join(os.homedir(), '.cache/krill/librdkafka-2.15.1');

export interface RdMessage { partition: number; offset: string; value: Buffer | null }
export interface RdConsumer {
  connect(): Promise<void>;
  subscribe(s: { topics: Array<string | RegExp> }): Promise<void>;
  run(r: { eachMessage: (p: { topic: string; partition: number; message: RdMessage }) => Promise<void> }): Promise<void>;
  assignment(): Array<{ topic: string; partition: number }>;
  disconnect(): Promise<void>;
}
export interface RdProducer {
  connect(): Promise<void>;
  send(r: { topic: string; messages: Array<{ partition?: number; key?: string; value: string }> }): Promise<unknown>;
  disconnect(): Promise<void>;
}
export interface RdAdmin {
  connect(): Promise<void>;
  createTopics(r: { topics: Array<{ topic: string; numPartitions: number }> }): Promise<unknown>;
  listGroups(o: { matchConsumerGroupTypes?: number[] }): Promise<{ groups: Array<{ groupId: string; type: number }> }>;
  describeGroups(groups: string[]): Promise<{ groups: Array<{ groupId: string; type: number; partitionAssignor: string; members: Array<{ memberId: string; targetAssignment?: { topicPartitions: Array<{ topic: string; partition: number }> } }> }> }>;
  fetchTopicMetadata(o: { topics: string[] }): Promise<Array<{ name: string; topicId: { base64: string }; partitions: unknown[] }>>;
  disconnect(): Promise<void>;
}
export interface RdKafka {
  consumer(config: Record<string, unknown>): RdConsumer;
  producer(config?: Record<string, unknown>): RdProducer;
  admin(): RdAdmin;
}

interface Module {
  KafkaJS: { Kafka: new (config: Record<string, unknown>) => RdKafka; logLevel: { NOTHING: number }; ConsumerGroupTypes: { CONSUMER: number; CLASSIC: number } };
}

/** The binding itself (its enums); throws with what to run when it is not built. */
export function librdkafkaModule(): Module {
  try {
    return createRequire(path.join(LIBRDKAFKA_DIR, 'package.json'))('@confluentinc/kafka-javascript') as Module;
  } catch (e) {
    throw new Error(`librdkafka 2.15.1 is not built in ${LIBRDKAFKA_DIR}: run bash scripts/ensure-compat-clients.sh (${(e as Error).message})`);
  }
}

/** A librdkafka client for `bootstrap`. */
export function librdkafka(bootstrap: string): RdKafka {
  const mod = librdkafkaModule();
  return new mod.KafkaJS.Kafka({ kafkaJS: { brokers: [bootstrap], logLevel: mod.KafkaJS.logLevel.NOTHING } });
}
