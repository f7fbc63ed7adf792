// KIP-890 part 1, as Kafka 3.6+ does it: before a partition's leader appends the first
// transactional batch of a producer's transaction, it asks the transaction coordinator
// whether the partition was added to that transaction (AddPartitionsToTxn v4 VerifyOnly;
// this broker's own coordinator directly). A batch for a partition never added is refused
// INVALID_TXN_STATE, so a zombie or a confused producer cannot leave a transaction open in
// a partition that no marker will ever close.
import { ErrorCode } from '../../protocol/errors.js';
import type { ClusterMetadata } from '../controller/cluster-metadata.js';
import type { TransactionCoordinator } from './coordinator.js';
import type { BrokerConnections } from './connections.js';
import { TRANSACTION_TOPIC } from './records.js';

/** Coordinator errors a produce request cannot carry: the client retries, as Kafka maps them. */
const RETRIABLE = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.CONCURRENT_TRANSACTIONS]);

export class TxnVerifier {
  constructor(
    private readonly brokerId: number,
    private readonly metadata: ClusterMetadata,
    private readonly coordinator: TransactionCoordinator,
    private readonly connections: BrokerConnections,
    private readonly timeoutMs: number,
  ) {}

  /** NONE when the partition is in the producer's transaction; otherwise the error its produce answers. */
  async verify(transactionalId: string, producerId: number, producerEpoch: number, topic: string, partition: number): Promise<number> {
    const code = await this.ask(transactionalId, producerId, producerEpoch, topic, partition).catch(() => ErrorCode.COORDINATOR_NOT_AVAILABLE);
    return RETRIABLE.has(code) ? ErrorCode.NOT_ENOUGH_REPLICAS : code;
  }

  private async ask(transactionalId: string, producerId: number, producerEpoch: number, topic: string, partition: number): Promise<number> {
    const index = this.coordinator.partitionFor(transactionalId);
    const leader = this.metadata.topics.get(TRANSACTION_TOPIC)?.partitions[index]?.leader ?? -1;
    if (leader < 0) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    if (leader === this.brokerId) return this.coordinator.verifyPartitions(transactionalId, producerId, producerEpoch, [[topic, partition]])[0]!;
    const client = await this.connections.get(leader);
    const res = await client.request(24, 4, {
      transactions: [{ transactionalId, producerId, producerEpoch, verifyOnly: true, topics: [{ name: topic, partitions: [partition] }] }],
    }, this.timeoutMs);
    if (res.errorCode) return res.errorCode;
    return res.resultsByTransaction?.[0]?.topicResults?.[0]?.resultsByPartition[0]?.partitionErrorCode ?? ErrorCode.UNKNOWN_SERVER_ERROR;
  }
}
