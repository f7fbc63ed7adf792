// Transaction markers on their way to the transaction's partitions. Each partition's
// leader writes the marker (WriteTxnMarkers, served by writeMarkersHere) and answers once
// its ISR has it; the coordinator's sender (Kafka's TransactionMarkerChannelManager) groups
// a transaction's partitions by leader, calls this broker directly and others over the
// wire, and retries what failed until every partition has its marker.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Logger } from 'winston';
import { ErrorCode } from '../../protocol/errors.js';
import { encodeMarker } from '../../protocol/records/control.js';
import type { ClusterMetadata } from '../controller/cluster-metadata.js';
import type { ReplicaManager } from '../replica-manager.js';
import { OFFSETS_TOPIC } from '../topic-admin.js';
import type { BrokerConnections } from './connections.js';
import type { MarkerChannel } from './coordinator.js';

export interface MarkerRequest {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
  topics: ReadonlyArray<{ name: string; partitionIndexes: readonly number[] }>;
}

export type MarkerResults = Array<{ name: string; partitions: Array<{ partitionIndex: number; errorCode: number }> }>;

/** What writing markers here needs: the partitions, and the group coordinator for offsets committed in transactions. */
export interface MarkerHost {
  replicas: Pick<ReplicaManager, 'leaderPartition'>;
  /** A marker reached a __consumer_offsets partition: the producer's pending offsets there are decided. */
  offsetsDecided(partition: number, producerId: number, commit: boolean): void;
  /** How long a marker waits for the ISR. */
  timeoutMs(): number;
  /** The broker's clock: a marker's timestamp. */
  now(): number;
}

/** WriteTxnMarkers on this broker: each partition it leads gets the marker, answered once replicated. */
export async function writeMarkersHere(host: MarkerHost, m: MarkerRequest): Promise<MarkerResults> {
  const now = host.now();
  return Promise.all(m.topics.map(async (t) => ({
    name: t.name,
    partitions: await Promise.all(t.partitionIndexes.map(async (partitionIndex) => {
      const p = host.replicas.leaderPartition(t.name, partitionIndex);
      if (typeof p === 'number') return { partitionIndex, errorCode: p };
      const r = p.appendAsLeader([encodeMarker({ producerId: m.producerId, producerEpoch: m.producerEpoch, commit: m.commit, coordinatorEpoch: m.coordinatorEpoch, timestamp: now })], true);
      if (r.error !== ErrorCode.NONE || !('lastOffset' in r)) return { partitionIndex, errorCode: r.error };
      const errorCode = await p.waitForReplication(r.lastOffset + 1, host.timeoutMs());
      if (errorCode === ErrorCode.NONE && t.name === OFFSETS_TOPIC) host.offsetsDecided(partitionIndex, m.producerId, m.commit);
      return { partitionIndex, errorCode };
    })),
  })));
}

/** After a failed round, how long the sender waits before trying the partitions left again. */
const RETRY_MS = 100;

export class TxnMarkerSender implements MarkerChannel {
  constructor(
    private readonly brokerId: number,
    private readonly metadata: ClusterMetadata,
    private readonly connections: BrokerConnections,
    private readonly here: (m: MarkerRequest) => Promise<MarkerResults>,
    private readonly logger: Pick<Logger, 'warn'>,
    private readonly requestTimeoutMs: number,
  ) {}

  async write(m: Omit<MarkerRequest, 'topics'> & { partitions: ReadonlyMap<string, ReadonlySet<number>> }, abandoned: () => boolean): Promise<void> {
    const left = new Map([...m.partitions].map(([topic, ps]) => [topic, new Set(ps)]));
    let rounds = 0;
    while (left.size > 0 && !abandoned()) {
      const byLeader = new Map<number, Array<{ name: string; partitionIndexes: number[] }>>();
      for (const [topic, ps] of left) {
        const t = this.metadata.topics.get(topic);
        // A deleted topic's partitions need no marker any more, as Kafka drops them.
        if (!t) {
          left.delete(topic);
          continue;
        }
        for (const p of ps) {
          const leader = t.partitions[p]?.leader;
          if (leader === undefined) ps.delete(p);
          else if (leader >= 0) {
            let topics = byLeader.get(leader);
            if (!topics) byLeader.set(leader, (topics = []));
            let entry = topics.find((x) => x.name === topic);
            if (!entry) topics.push((entry = { name: topic, partitionIndexes: [] }));
            entry.partitionIndexes.push(p);
          }
        }
        if (ps.size === 0) left.delete(topic);
      }
      await Promise.all([...byLeader].map(async ([leader, topics]) => {
        const request: MarkerRequest = { ...m, topics };
        let results: MarkerResults;
        try {
          results = leader === this.brokerId ? await this.here(request) : await this.remote(leader, request);
        } catch (e) {
          if (rounds % 50 === 0) this.logger.warn(`writing transaction markers of producer ${m.producerId} to broker ${leader} failed, retrying: ${(e as Error).message}`);
          return;
        }
        for (const t of results) {
          for (const p of t.partitions) {
            if (p.errorCode !== ErrorCode.NONE && p.errorCode !== ErrorCode.UNKNOWN_TOPIC_OR_PARTITION) continue;
            left.get(t.name)?.delete(p.partitionIndex);
            if (left.get(t.name)?.size === 0) left.delete(t.name);
          }
        }
      }));
      if (left.size > 0) {
        rounds++;
        await sleep(RETRY_MS);
      }
    }
  }

  private async remote(brokerId: number, m: MarkerRequest): Promise<MarkerResults> {
    const client = await this.connections.get(brokerId);
    const res = await client.request(27, 1, {
      markers: [{ producerId: m.producerId, producerEpoch: m.producerEpoch, transactionResult: m.commit, coordinatorEpoch: m.coordinatorEpoch, topics: m.topics.map((t) => ({ name: t.name, partitionIndexes: [...t.partitionIndexes] })) }],
    }, this.requestTimeoutMs);
    return (res.markers[0]?.topics ?? []).map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: p.errorCode })) }));
  }

}
