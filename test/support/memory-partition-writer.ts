// An in-memory coordinator partition writer: the internal topic's partitions as arrays of
// records, led by this "broker" until a test says otherwise. Coordinators' unit tests run
// on it without a broker, a log or a socket.
import type { CoordinatorRecord, LoadedEntry, PartitionWriter, TxnProducer } from '../../src/broker/coordinator/partition-writer.js';
import { ErrorCode } from '../../src/protocol/errors.js';

export class MemoryPartitionWriter implements PartitionWriter {
  readonly logs = new Map<number, LoadedEntry[]>();
  /** The partitions this writer leads: every one at first. */
  readonly leading = new Set<number>();

  constructor(readonly partitions: number) {
    for (let i = 0; i < partitions; i++) this.leading.add(i);
  }

  partitionCount(): number {
    return this.partitions;
  }

  isLeader(partition: number): boolean {
    return this.leading.has(partition);
  }

  async append(partition: number, records: readonly CoordinatorRecord[], producer?: TxnProducer): Promise<number> {
    if (!this.leading.has(partition)) return ErrorCode.NOT_COORDINATOR;
    const log = this.logOf(partition);
    for (const r of records) log.push({ key: Buffer.from(r.key), value: r.value && Buffer.from(r.value), producerId: producer?.producerId ?? -1 });
    return ErrorCode.NONE;
  }

  /** A transaction marker, as the transaction coordinator would have the partition write it. */
  appendMarker(partition: number, producerId: number, commit: boolean): void {
    this.logOf(partition).push({ marker: { producerId, commit } });
  }

  async *load(partition: number): AsyncIterable<LoadedEntry> {
    yield* this.logs.get(partition) ?? [];
  }

  /** Every record written, in order, across partitions. */
  all(): CoordinatorRecord[] {
    return [...this.logs.values()].flat().filter((e): e is CoordinatorRecord => !('marker' in e));
  }

  private logOf(partition: number): LoadedEntry[] {
    let log = this.logs.get(partition);
    if (!log) this.logs.set(partition, (log = []));
    return log;
  }
}
