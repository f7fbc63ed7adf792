// The web console's JSON (GET /api/...): the cluster, topics with their partitions and
// configs, groups with their members and lag, the latest records of a partition, and the
// counters its throughput charts are drawn from. Read from this broker's own state on each
// request, off the produce and fetch paths: the console costs them nothing.
import { release } from '../../fastpath/index.js';
import { decodeRecords } from '../../protocol/records/records.js';
import type { ClusterMetadata } from '../controller/cluster-metadata.js';
import { TOPIC_CONFIGS } from '../config.js';
import type { GroupCoordinator } from '../group/coordinator.js';
import { committedOffsets } from '../group/group-manager.js';
import type { Route } from '../http/control-plane.js';
import type { BrokerMetrics } from '../metrics/metrics.js';
import type { ReplicaManager } from '../replica-manager.js';
import type { TopicConfigs } from '../topic-configs.js';
import { readAssignment } from '../../protocol/consumer-protocol.js';

export interface ConsoleDeps {
  brokerId: number;
  metadata: ClusterMetadata;
  replicas: ReplicaManager;
  groups: GroupCoordinator;
  topicConfigs: TopicConfigs;
  metrics: BrokerMetrics;
}

const MAX_RECORDS = 200;
const notFound = (what: string) => ({ status: 404, body: { error: `no ${what}` } });

export function consoleApi(d: ConsoleDeps): Route {
  const local = (topic: string, partition: number) => d.replicas.partition(topic, partition);
  const partitionsOf = (name: string) => d.metadata.topics.get(name)?.partitions.map((p) => {
    const mine = local(name, p.partition);
    return {
      partition: p.partition, leader: p.leader, replicas: p.replicas, isr: p.isr,
      start: mine?.log.logStartOffset ?? null, end: mine?.highWatermark ?? null, sizeBytes: mine?.log.size ?? null,
    };
  }) ?? [];
  return async (req) => {
    const [api, what, name, sub, index, tail, ...rest] = req.path.map(decodeURIComponent);
    if (api !== 'api' || rest.length > 0) return null;
    if (req.method !== 'GET') return { status: 405, body: { error: `${req.method} is not served here` } };
    switch (what) {
      case 'overview':
        return { status: 200, body: {
          clusterId: d.metadata.clusterId, brokerId: d.brokerId, controller: d.metadata.controllerId,
          brokers: [...d.metadata.brokers].map(([id, b]) => ({ id, host: b.host, port: b.port, rack: b.rack ?? null })).sort((a, b) => a.id - b.id),
          topics: d.metadata.topics.size, groups: d.groups.manager.groups.size,
        } };
      case 'topics': {
        if (name === undefined) {
          return { status: 200, body: [...d.metadata.topics.values()].sort((a, b) => a.name.localeCompare(b.name)).map((t) => {
            const parts = partitionsOf(t.name);
            return { name: t.name, internal: t.internal, partitions: parts.length, messages: parts.reduce((n, p) => n + ((p.end ?? 0) - (p.start ?? 0)), 0), sizeBytes: parts.reduce((n, p) => n + (p.sizeBytes ?? 0), 0) };
          }) };
        }
        const t = d.metadata.topics.get(name);
        if (!t) return notFound(`topic ${name}`);
        if (sub === undefined) {
          const configs = Object.keys(TOPIC_CONFIGS).sort().map((k) => ({ name: k, ...d.topicConfigs.get(t, k) }));
          return { status: 200, body: { name, topicId: t.topicId, internal: t.internal, partitions: partitionsOf(name), configs } };
        }
        if (sub !== 'partitions' || index === undefined || tail !== 'records') return null;
        const p = local(name, Number(index));
        if (!p) return notFound(`partition ${name}-${index} on broker ${d.brokerId}`);
        const limit = Math.min(MAX_RECORDS, Math.max(1, Number(req.query.get('limit') ?? 20) || 20));
        return { status: 200, body: { topic: name, partition: p.index, records: await latestRecords(p.log, p.highWatermark, limit) } };
      }
      case 'groups': {
        const manager = d.groups.manager;
        if (name === undefined) {
          return { status: 200, body: [...manager.groups.values()].map((g) => ({ groupId: g.groupId, state: g.listedState, protocolType: g.consumer ? 'consumer' : g.protocolType, members: g.memberCount })).sort((a, b) => a.groupId.localeCompare(b.groupId)) };
        }
        const g = manager.groups.get(name);
        if (!g) return notFound(`group ${name}`);
        const offsets = committedOffsets(g).map((o) => {
          const end = local(o.topic, o.partition)?.highWatermark ?? null;
          return { ...o, end, lag: end === null ? null : Math.max(0, end - o.offset) };
        }).sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition);
        // A KIP-848 group's assignment is the coordinator's, by topic id; a classic group's, the leader's bytes.
        const members = g.consumer
          ? [...g.consumer.members.values()].map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost, assignment: Object.fromEntries([...m.assigned].map(([id, ps]) => [d.metadata.topicsById.get(id)?.name ?? id, [...ps]])) }))
          : [...g.members.values()].map((m) => ({ memberId: m.memberId, clientId: m.clientId, host: m.clientHost, assignment: Object.fromEntries(readAssignment(m.assignment)) }));
        return { status: 200, body: { groupId: g.groupId, state: g.listedState, protocol: g.consumer ? g.consumer.assignorName : g.protocolName, members, offsets } };
      }
      case 'stats':
        return { status: 200, body: { time: Date.now(), topics: await d.metrics.topicTotals() } };
      default:
        return null;
    }
  };
}

/** The last `limit` records below the high watermark, newest last: key, value and header values in base64. */
async function latestRecords(log: { logStartOffset: number; read(offset: number, maxBytes: number, maxOffset?: number): Buffer[] }, hw: number, limit: number) {
  const from = Math.max(log.logStartOffset, hw - limit);
  if (from >= hw) return [];
  const reads = log.read(from, 4 << 20, hw);
  const blob = Buffer.concat(reads);
  for (const r of reads) release(r);
  const b64 = (x: Buffer | null) => (x === null ? null : x.toString('base64'));
  return (await decodeRecords(blob)).filter((b) => !b.isControl).flatMap((b) => b.records)
    .filter((r) => r.offset >= from && r.offset < hw).slice(-limit)
    .map((r) => ({ offset: r.offset, timestamp: r.timestamp, key: b64(r.key), value: b64(r.value), headers: r.headers.map((h) => ({ key: h.key, value: b64(h.value) })) }));
}
