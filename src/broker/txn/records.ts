// The transaction coordinator's records in __transaction_state, in Kafka's format
// (TransactionLogKey -> TransactionLogValue, generated from its declarations), so the
// topic is readable by Kafka's tools and transactions survive a coordinator's move.
import { transactionLogKey, transactionLogValue } from '../../protocol/coordinator/transaction-coordinator.js';
import { decodeKey, decodeValue, encodeKey, encodeValue } from '../../protocol/coordinator/record-codec.js';
import { partitionForGroup } from '../group/records.js';

export const TRANSACTION_TOPIC = '__transaction_state';

/** Kafka's TransactionState ids, as the log stores them. */
export const TxnState = {
  Empty: 0,
  Ongoing: 1,
  PrepareCommit: 2,
  PrepareAbort: 3,
  CompleteCommit: 4,
  CompleteAbort: 5,
  Dead: 6,
  PrepareEpochFence: 7,
} as const;
export type TxnStateId = (typeof TxnState)[keyof typeof TxnState];

export const TXN_STATE_NAMES: Record<TxnStateId, string> = {
  0: 'Empty', 1: 'Ongoing', 2: 'PrepareCommit', 3: 'PrepareAbort', 4: 'CompleteCommit', 5: 'CompleteAbort', 6: 'Dead', 7: 'PrepareEpochFence',
};

/** What the log keeps of a transactional id. */
export interface TxnRecord {
  producerId: number;
  /** The producer id before the last epoch overflow; -1 when none (KIP-360). */
  lastProducerId: number;
  producerEpoch: number;
  timeoutMs: number;
  state: TxnStateId;
  /** topic -> partitions in the transaction. */
  partitions: Map<string, Set<number>>;
  lastUpdateMs: number;
  /** When the transaction began; -1 when none is open. */
  startMs: number;
  /** The producer id a transaction version 2 prepare allocated because its epochs ran out; -1 when none. */
  nextProducerId: number;
  /** The transaction version of the client's requests (2: an epoch bump per transaction, KIP-890). */
  clientTransactionVersion: number;
}

/** The value version Kafka writes: flexible (1), with its tagged fields, from transaction version 1 on. */
export const txnValueVersion = (transactionVersion: number): number => (transactionVersion >= 1 ? 1 : 0);

/** The __transaction_state partition of a transactional id, as Kafka computes it. */
export const partitionForTxn = partitionForGroup;

export const txnKey = (transactionalId: string): Buffer => encodeKey(transactionLogKey, { transactionalId });

export function txnValue(r: TxnRecord, version: number): Buffer {
  return encodeValue(transactionLogValue, version, {
    producerId: r.producerId,
    previousProducerId: r.lastProducerId,
    nextProducerId: r.nextProducerId,
    clientTransactionVersion: r.clientTransactionVersion,
    producerEpoch: r.producerEpoch,
    transactionTimeoutMs: r.timeoutMs,
    transactionStatus: r.state,
    // Kafka writes no partitions for an Empty or completed transaction.
    transactionPartitions: [...r.partitions].map(([topic, ids]) => ({ topic, partitionIds: [...ids].sort((a, b) => a - b) })),
    transactionLastUpdateTimestampMs: r.lastUpdateMs,
    transactionStartTimestampMs: r.startMs,
  });
}

/** A record of the log: a transactional id and its state, or null for a tombstone (expired). */
export function readTxnRecord(key: Buffer, value: Buffer | null): { transactionalId: string; record: TxnRecord | null } {
  const { transactionalId } = decodeKey(transactionLogKey, key);
  if (value === null) return { transactionalId, record: null };
  const v = decodeValue(transactionLogValue, value);
  return {
    transactionalId,
    record: {
      producerId: v.producerId,
      lastProducerId: v.previousProducerId ?? -1,
      producerEpoch: v.producerEpoch,
      timeoutMs: v.transactionTimeoutMs,
      state: v.transactionStatus as TxnStateId,
      partitions: new Map((v.transactionPartitions ?? []).map((p) => [p.topic, new Set(p.partitionIds)])),
      lastUpdateMs: v.transactionLastUpdateTimestampMs,
      startMs: v.transactionStartTimestampMs,
      nextProducerId: v.nextProducerId ?? -1,
      clientTransactionVersion: v.clientTransactionVersion ?? 0,
    },
  };
}
