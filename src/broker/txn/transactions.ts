// Transactions on this broker, wired: the coordinator of the transactional ids whose
// __transaction_state partitions it leads, following their leadership; the marker sender
// it uses; and the writing of markers this broker's partitions receive.
import type { Peers } from '../net/peers.js';
import type { Logger } from 'winston';
import type { Clock } from '../clock.js';
import type { BrokerConfig } from '../config.js';
import type { ClusterMetadata } from '../controller/cluster-metadata.js';
import { LogPartitionWriter } from '../coordinator/log-partition-writer.js';
import type { GroupCoordinator } from '../group/coordinator.js';
import type { Features } from '../features.js';
import type { ReplicaManager } from '../replica-manager.js';
import type { Scheduler } from '../scheduler.js';
import { TransactionCoordinator } from './coordinator.js';
import { type MarkerRequest, type MarkerResults, TxnMarkerSender, writeMarkersHere } from './markers.js';
import { TRANSACTION_TOPIC } from './records.js';
import { BrokerConnections } from './connections.js';
import { TxnVerifier } from './verify.js';

export interface TransactionsDeps {
  brokerId: number;
  config: BrokerConfig;
  features: Features;
  metadata: ClusterMetadata;
  /** How this broker reaches the others (markers, verification). */
  peers: Peers;
  replicas: ReplicaManager;
  producerIds: { allocate(): Promise<number> };
  /** Told when markers decide offsets committed in transactions. */
  groups: GroupCoordinator;
  logger: Logger;
  clock: Clock;
}

export class Transactions {
  readonly coordinator: TransactionCoordinator;
  /** WriteTxnMarkers as this broker serves it. */
  readonly markers: { write(m: MarkerRequest): Promise<MarkerResults> };
  /** KIP-890: whether a partition was added to a producer's transaction, asked of its coordinator. */
  readonly verifier: TxnVerifier;
  private readonly sender: TxnMarkerSender;
  private readonly connections: BrokerConnections;

  constructor(private readonly deps: TransactionsDeps) {
    const { brokerId, config, metadata, replicas, logger } = deps;
    // Kafka's markers are written with request.timeout.ms; this broker's clients and replicas use replica.socket.timeout.ms.
    const timeoutMs = () => config.int('replica.socket.timeout.ms');
    const host = { replicas, offsetsDecided: (p: number, producerId: number, commit: boolean) => deps.groups.manager.completeTxn(p, producerId, commit), timeoutMs, now: () => deps.clock.now() };
    this.markers = { write: (m) => writeMarkersHere(host, m) };
    this.connections = new BrokerConnections(deps.peers, `krill-txn-${brokerId}`);
    this.sender = new TxnMarkerSender(brokerId, metadata, this.connections, (m) => this.markers.write(m), logger, timeoutMs());
    this.coordinator = new TransactionCoordinator({
      writer: new LogPartitionWriter(TRANSACTION_TOPIC, replicas, metadata, timeoutMs),
      producerIds: deps.producerIds,
      markers: this.sender,
      coordinatorEpoch: (p) => replicas.partition(TRANSACTION_TOPIC, p)?.leaderEpoch ?? 0,
      config,
      transactionVersion: () => deps.features.level('transaction.version'),
      logger,
      now: () => deps.clock.now(),
    });
    this.verifier = new TxnVerifier(brokerId, metadata, this.coordinator, this.connections, timeoutMs());
    replicas.watchLeadership(TRANSACTION_TOPIC, (index, leading) => (leading ? this.coordinator.partitionElected(index) : this.coordinator.partitionResigned(index)));
  }

  /** Aborts transactions past their timeout and forgets expired ids, as often as Kafka's configs say. */
  start(scheduler: Scheduler): void {
    const config = this.deps.config;
    scheduler.every(config.int('transaction.abort.timed.out.transaction.cleanup.interval.ms'), 'transaction expiry', () => this.coordinator.expire(this.deps.clock.now()), { onClock: true });
  }

  /** Whether this broker can reach another: markers and verifications across a test's network split fail as they would. */
  set reachable(fn: (brokerId: number) => boolean) {
    this.connections.reachable = fn;
  }

  close(): void {
    this.connections.close();
  }
}
