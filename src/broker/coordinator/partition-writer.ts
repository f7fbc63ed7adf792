// The seam between a coordinator and the log of its internal topic (Kafka's
// PartitionWriter and CoordinatorLoader): the group coordinator keeps its state in
// __consumer_offsets, the transaction coordinator will keep its in __transaction_state,
// and each sees its partitions only through this interface, so it is unit-tested on an
// in-memory one and moves with its partitions' leadership.

/** One record of an internal topic; a null value is a tombstone. */
export interface CoordinatorRecord {
  key: Buffer;
  value: Buffer | null;
  /** Loaded: the producer whose transaction wrote it (TxnOffsetCommit), decided by a later marker; -1 or absent when none. */
  producerId?: number;
}

/** A producer whose transaction records are written in (TxnOffsetCommit). */
export interface TxnProducer {
  producerId: number;
  producerEpoch: number;
}

/** What loading yields: the records, and the markers that decide the transactional ones. */
export type LoadedEntry = CoordinatorRecord | { marker: { producerId: number; commit: boolean } };

export interface PartitionWriter {
  /** How many partitions the internal topic has; null while it does not exist. */
  partitionCount(): number | null;
  /** Whether this broker leads the partition, and so may write it. */
  isLeader(partition: number): boolean;
  /**
   * Appends the records as one batch; resolves with NONE once the partition's ISR has them,
   * NOT_COORDINATOR when leadership moved meanwhile, else COORDINATOR_NOT_AVAILABLE (as
   * Kafka's coordinators answer a failed write).
   */
  append(partition: number, records: readonly CoordinatorRecord[], producer?: TxnProducer): Promise<number>;
  /** Every record of the partition from its log start, and every transaction marker, in offset order. */
  load(partition: number): AsyncIterable<LoadedEntry>;
}
