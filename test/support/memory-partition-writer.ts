// An in-memory coordinator partition writer: the internal topic's partitions as arrays of
// records, led by this "broker" until a test says otherwise. Coordinators' unit tests run
// on it without a broker, a log or a socket.
import type { CoordinatorRecord, PartitionWriter } from '../../src/broker/coordinator/partition-writer.js';
import { ErrorCode } from '../../src/protocol/errors.js';

export class MemoryPartitionWriter implements PartitionWriter {
  readonly logs = new Map<number, CoordinatorRecord[]>();
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

  async append(partition: number, records: readonly CoordinatorRecord[]): Promise<number> {
    if (!this.leading.has(partition)) return ErrorCode.NOT_COORDINATOR;
    const log = this.logs.get(partition) ?? [];
    this.logs.set(partition, log);
    for (const r of records) log.push({ key: Buffer.from(r.key), value: r.value && Buffer.from(r.value) });
    return ErrorCode.NONE;
  }

  async *load(partition: number): AsyncIterable<CoordinatorRecord> {
    yield* this.logs.get(partition) ?? [];
  }

  /** Every record written, in order, across partitions. */
  all(): CoordinatorRecord[] {
    return [...this.logs.values()].flat();
  }
}
