// KIP-890, as Kafka's AddPartitionsToTxnManager does it: before a partition's leader (or a
// group coordinator, for TxnOffsetCommit) writes the first transactional batch of a
// producer's transaction, it asks the transaction coordinator whether the partition was
// added to that transaction (AddPartitionsToTxn VerifyOnly; this broker's own coordinator
// directly). A batch for a partition never added is refused, so a zombie or a confused
// producer cannot leave a transaction open in a partition that no marker will close.
// Under transaction version 2 (Produce v12, TxnOffsetCommit v5) the same request adds it.
import { ErrorCode } from '../../protocol/errors.js';
import type { ClusterMetadata } from '../controller/cluster-metadata.js';
import type { TransactionCoordinator } from './coordinator.js';
import type { BrokerConnections } from './connections.js';
import { TRANSACTION_TOPIC } from './records.js';

/**
 * What the client's request version supports (Kafka's TransactionSupportedOperation):
 * 'default', the errors of old clients; 'abortable', TRANSACTION_ABORTABLE too (KIP-890,
 * Produce v11, TxnOffsetCommit v4); 'add', adding the partition (transaction version 2).
 */
export type TxnOperation = 'default' | 'abortable' | 'add';

export interface TxnProducer {
  transactionalId: string;
  producerId: number;
  producerEpoch: number;
}

export class TxnVerifier {
  constructor(
    private readonly brokerId: number,
    private readonly metadata: ClusterMetadata,
    private readonly coordinator: TransactionCoordinator,
    private readonly connections: BrokerConnections,
    private readonly timeoutMs: number,
  ) {}

  /**
   * For each partition, NONE when it is (or now is) in the producer's transaction, else the
   * coordinator's error as the client's version may get it. One question for them all, as
   * Kafka asks once per request: adding them one by one would meet the coordinator busy.
   */
  async verify(producer: TxnProducer, partitions: ReadonlyArray<[string, number]>, op: TxnOperation): Promise<number[]> {
    const codes = await this.ask(producer, partitions, op).catch(() => partitions.map(() => ErrorCode.COORDINATOR_NOT_AVAILABLE));
    return codes.map((code) => {
      if (code === ErrorCode.PRODUCER_FENCED) return ErrorCode.INVALID_PRODUCER_EPOCH;
      // "For backward compatibility with clients": those below KIP-890's versions know 48.
      if (code === ErrorCode.TRANSACTION_ABORTABLE && op === 'default') return ErrorCode.INVALID_TXN_STATE;
      return code;
    });
  }

  private async ask(producer: TxnProducer, partitions: ReadonlyArray<[string, number]>, op: TxnOperation): Promise<number[]> {
    const { transactionalId, producerId, producerEpoch } = producer;
    const all = (code: number) => partitions.map(() => code);
    const index = this.coordinator.partitionFor(transactionalId);
    const leader = this.metadata.topics.get(TRANSACTION_TOPIC)?.partitions[index]?.leader ?? -1;
    if (leader < 0) return all(ErrorCode.COORDINATOR_NOT_AVAILABLE);
    if (leader === this.brokerId) {
      return op === 'add'
        ? all(await this.coordinator.addPartitions(transactionalId, producerId, producerEpoch, partitions, ErrorCode.PRODUCER_FENCED, true))
        : this.coordinator.verifyPartitions(transactionalId, producerId, producerEpoch, partitions);
    }
    const topics = new Map<string, number[]>();
    for (const [topic, p] of partitions) topics.set(topic, [...(topics.get(topic) ?? []), p]);
    const client = await this.connections.get(leader);
    const res = await client.request(24, 5, {
      transactions: [{ transactionalId, producerId, producerEpoch, verifyOnly: op !== 'add', topics: [...topics].map(([name, ps]) => ({ name, partitions: ps })) }],
    }, this.timeoutMs);
    if (res.errorCode) return all(res.errorCode);
    const results = res.resultsByTransaction?.[0]?.topicResults ?? [];
    const code = (topic: string, p: number) => results.find((r) => r.name === topic)?.resultsByPartition.find((r) => r.partitionIndex === p)?.partitionErrorCode;
    return partitions.map(([topic, p]) => code(topic, p) ?? ErrorCode.UNKNOWN_SERVER_ERROR);
  }
}
