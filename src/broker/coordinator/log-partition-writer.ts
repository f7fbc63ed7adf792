// A coordinator's partitions as this broker's replicas of its internal topic hold them.
import { ErrorCode } from '../../protocol/errors.js';
import { Attr } from '../../protocol/records/batch.js';
import { ControlType, controlTypeOfKey } from '../../protocol/records/control.js';
import { decodeRecords, encodeBatchUncompressed } from '../../protocol/records/records.js';
import { release } from '../../fastpath/index.js';
import type { ClusterMetadata } from '../controller/cluster-metadata.js';
import type { ReplicaManager } from '../replica-manager.js';
import type { CoordinatorRecord, LoadedEntry, PartitionWriter, TxnProducer } from './partition-writer.js';

/** How much of the log one read brings back while loading. */
const LOAD_CHUNK_BYTES = 4 << 20;

export class LogPartitionWriter implements PartitionWriter {
  constructor(
    private readonly topic: string,
    private readonly replicas: ReplicaManager,
    private readonly metadata: ClusterMetadata,
    /** How long an append waits for the ISR (offsets.commit.timeout.ms for groups). */
    private readonly timeoutMs: () => number,
  ) {}

  partitionCount(): number | null {
    return this.metadata.topics.get(this.topic)?.partitions.length ?? null;
  }

  isLeader(partition: number): boolean {
    return this.replicas.partition(this.topic, partition)?.isLeader ?? false;
  }

  async append(partition: number, records: readonly CoordinatorRecord[], producer?: TxnProducer): Promise<number> {
    const p = this.replicas.partition(this.topic, partition);
    if (!p?.isLeader) return ErrorCode.NOT_COORDINATOR;
    // Written with acks=all, as Kafka's coordinators write: too small an ISR is NOT_ENOUGH_REPLICAS, which they answer so.
    if (p.state.isr.length < p.settings.minInsyncReplicas) return ErrorCode.COORDINATOR_NOT_AVAILABLE;
    // A transaction's records carry its producer and no sequence, as Kafka's coordinators write them.
    const txn = producer ? { attributes: Attr.transactional, producerId: producer.producerId, producerEpoch: producer.producerEpoch, baseSequence: -1 } : {};
    const r = p.appendAsLeader([encodeBatchUncompressed({ ...txn, records: records.map((x) => ({ key: x.key, value: x.value })) })], true);
    if (r.error === ErrorCode.INVALID_PRODUCER_EPOCH) return ErrorCode.PRODUCER_FENCED;
    if (r.error !== ErrorCode.NONE || !('lastOffset' in r)) return ErrorCode.UNKNOWN_SERVER_ERROR;
    const code = await p.waitForReplication(r.lastOffset + 1, this.timeoutMs());
    if (code === ErrorCode.NONE) return code;
    return code === ErrorCode.NOT_LEADER_OR_FOLLOWER ? ErrorCode.NOT_COORDINATOR : ErrorCode.COORDINATOR_NOT_AVAILABLE;
  }

  async *load(partition: number): AsyncIterable<LoadedEntry> {
    const p = this.replicas.partition(this.topic, partition);
    if (!p) return;
    const end = p.log.logEndOffset;
    let offset = p.log.logStartOffset;
    while (offset < end) {
      const chunks = p.log.read(offset, LOAD_CHUNK_BYTES, end);
      if (chunks.length === 0) break;
      const bytes = Buffer.concat(chunks);
      for (const c of chunks) release(c);
      for (const b of await decodeRecords(bytes)) {
        if (b.isControl) {
          const type = controlTypeOfKey(b.records[0]?.key ?? null);
          if (type === ControlType.COMMIT || type === ControlType.ABORT) yield { marker: { producerId: b.producerId, commit: type === ControlType.COMMIT } };
        }
        for (const r of b.records) {
          offset = r.offset + 1;
          if (!b.isControl && r.key) yield { key: r.key, value: r.value, producerId: b.isTransactional ? b.producerId : -1 };
        }
        offset = Math.max(offset, b.baseOffset + 1);
      }
    }
  }
}
