// What handlers may use: the broker's services, each with one job. A handler names the
// ones it needs (`Services<'groups' | 'metadata'>`) and sees nothing else; the broker
// (broker.ts) builds them and hands the whole set to the API table.
import type { Logger } from 'winston';
import type { BrokerConfig } from './config.js';
import type { ClusterMetadata } from './controller/cluster-metadata.js';
import type { FetchSessionCache } from './fetch-sessions.js';
import type { LogDirDescription } from '../storage/log-manager.js';
import type { GroupCoordinator } from './group/coordinator.js';
import type { ProducerIdManager } from './producer-ids.js';
import type { ReplicaManager } from './replica-manager.js';
import type { TopicAdmin } from './topic-admin.js';
import type { TopicConfigs } from './topic-configs.js';
import type { TransactionCoordinator } from './txn/coordinator.js';
import type { MarkerRequest, MarkerResults } from './txn/markers.js';
import type { TxnOperation, TxnProducer } from './txn/verify.js';
import type { Features } from './features.js';
import type { Clock } from './clock.js';
import type { ClientQuotas } from './quotas/client-quotas.js';
import type { ClientTelemetry } from './telemetry/client-telemetry.js';
import type { Authorizer } from './security/authorizer.js';

export interface ApiVersionRange {
  apiKey: number;
  minVersion: number;
  maxVersion: number;
}

export interface BrokerServices {
  readonly brokerId: number;
  /** Broker configs by their Kafka names. */
  readonly config: BrokerConfig;
  readonly logger: Logger;
  /** This broker's copy of the cluster metadata: brokers, topics, their partitions' states. */
  readonly metadata: ClusterMetadata;
  /** The log directories, their partitions and space, and whether they are online. */
  readonly logDirs: { describe(): LogDirDescription[] };
  /** The partitions this broker holds, as leader or follower. */
  readonly replicas: ReplicaManager;
  /** Topic configs as they apply: overrides, then broker synonyms, then defaults. */
  readonly topicConfigs: TopicConfigs;
  /** Creating and deleting topics and partitions. */
  readonly topics: TopicAdmin;
  readonly groups: GroupCoordinator;
  /** The transactional ids whose __transaction_state partitions this broker leads. */
  readonly txns: TransactionCoordinator;
  /** KIP-890: asks a producer's transaction coordinator whether a partition was added to its transaction. */
  readonly txnVerifier: { verify(producer: TxnProducer, partitions: ReadonlyArray<[string, number]>, op: TxnOperation): Promise<number[]> };
  /** Writes transaction markers to the partitions this broker leads (WriteTxnMarkers). */
  readonly txnMarkers: { write(m: MarkerRequest): Promise<MarkerResults> };
  readonly producerIds: ProducerIdManager;
  readonly fetchSessions: FetchSessionCache;
  /** The broker's Prometheus metrics: handlers count records in and out. */
  readonly metrics: { produced(topic: string, messages: number, bytes: number): void; fetched(topic: string, bytes: number): void };
  /** What the broker's logic reads the time from and waits on (clock.ts). */
  readonly clock: Clock;
  /** Client quotas as they apply to a request's client, and each client's measured rates. */
  readonly quotas: ClientQuotas;
  /** Kafka's ACL authorizer over the cluster's ACLs; allows everything when none is configured. */
  readonly authorizer: Authorizer;
  /** Client telemetry (KIP-714): subscriptions given and metrics pushed. */
  readonly telemetry: ClientTelemetry;
  /** The feature levels this broker supports and its cluster has finalized. */
  readonly features: Features;
  /** What ApiVersions lists: every API this broker serves and its versions. */
  readonly apiVersions: readonly ApiVersionRange[];
}

/** The services a handler names, and only those. */
export type Services<K extends keyof BrokerServices> = Pick<BrokerServices, K>;
