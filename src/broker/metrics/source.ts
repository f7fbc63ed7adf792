// The broker's metrics, wired: what a scrape reads from the replicas, the metadata, the
// group coordinator and the listener; ISR changes counted as they happen; and each answered
// request observed on its connection.
import type { Api } from '../api.js';
import type { ClusterMetadata } from '../controller/cluster-metadata.js';
import type { GroupCoordinator } from '../group/coordinator.js';
import { committedOffsets } from '../group/group-manager.js';
import type { Listener } from '../net/listener.js';
import type { ReplicaManager } from '../replica-manager.js';
import { apiName } from '../testkit/test-kit.js';
import { BrokerMetrics, errorCounts, type MetricsSource } from './metrics.js';

export { BrokerMetrics };

export interface MetricsDeps {
  brokerId: number;
  replicas: ReplicaManager;
  metadata: ClusterMetadata;
  groups: GroupCoordinator;
  listener: Listener;
  /** What clients pushed (KIP-714), latest value per metric. */
  telemetry: MetricsSource['clientTelemetry'];
  failedAuthentications: MetricsSource['failedAuthentications'];
}

export function brokerMetrics(d: MetricsDeps): BrokerMetrics {
  const metrics = new BrokerMetrics({
    brokerId: d.brokerId,
    *partitions() {
      for (const p of d.replicas.all()) {
        yield { topic: p.topic.name, index: p.index, isLeader: p.isLeader, isrSize: p.state.isr.length, replicaCount: p.state.replicas.length, logSize: p.log.size, highWatermark: p.highWatermark };
      }
    },
    controllerId: () => d.metadata.controllerId,
    offlinePartitions: () => [...d.metadata.topics.values()].reduce((n, t) => n + t.partitions.filter((p) => p.leader < 0).length, 0),
    connections: () => d.listener.connectionCount,
    clientTelemetry: d.telemetry,
    failedAuthentications: d.failedAuthentications,
    *groups() {
      for (const g of d.groups.manager.groups.values()) {
        if (d.groups.manager.coordinatorError(g.groupId) !== null) continue;
        yield { groupId: g.groupId, state: g.listedState, members: g.memberCount, offsets: committedOffsets(g) };
      }
    },
  });
  d.replicas.onIsrChange = (shrunk) => metrics.isrChanged(shrunk);
  return metrics;
}

/** What a connection reports of each request it answered (ConnectionHost.observe). */
export type RequestObserver = (api: Api, version: number, response: unknown, ms: number) => void;

export function requestObserver(metrics: BrokerMetrics): RequestObserver {
  const names = new Map<number, string>();
  return (api, version, response, ms) => {
    let name = names.get(api.apiKey);
    if (name === undefined) names.set(api.apiKey, (name = apiName(api)));
    metrics.answered(name, version, ms, errorCounts(api.schemas.response, version, response));
  };
}
