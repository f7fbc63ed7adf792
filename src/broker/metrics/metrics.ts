// The broker's Prometheus metrics (prom-client), named as Kafka's JMX metrics come out of
// the Prometheus JMX exporter (kafka_server_brokertopicmetrics_bytesin_total, …), so
// dashboards made for Kafka map with little work. Counters move on the request path;
// everything that is state (partitions, leaders, groups, lag, log sizes, connections) is
// read when Prometheus scrapes, and costs the request path nothing.
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from 'prom-client';
import { errorName } from '../../protocol/errors.js';
import { type FieldSchema, inRange, type MessageSchema } from '../../protocol/schema.js';

/** What a scrape reads: this broker's partitions, the cluster metadata, its groups and connections. */
export interface MetricsSource {
  brokerId: number;
  partitions(): Iterable<{ topic: string; index: number; isLeader: boolean; isrSize: number; replicaCount: number; logSize: number; highWatermark: number }>;
  controllerId(): number;
  /** Partitions of the cluster with no leader (counted by the controller, as Kafka's). */
  offlinePartitions(): number;
  connections(): number;
  /** Failed SASL authentications so far. */
  failedAuthentications(): number;
  groups(): Iterable<{ groupId: string; state: string; members: number; offsets: Iterable<{ topic: string; partition: number; offset: number }> }>;
  /** Clients' pushed metrics (KIP-714): each one's latest value, by client instance. */
  clientTelemetry(): Iterable<{ clientInstanceId: string; clientId: string; name: string; attributes: string; value: number }>;
}

/** Every error code in a response, counted (Kafka's ErrorsPerSec counts each one), walked by the schema. */
export function errorCounts(schema: MessageSchema, version: number, response: unknown): Map<number, number> {
  const counts = new Map<number, number>();
  const walk = (fields: readonly FieldSchema[], obj: unknown) => {
    if (typeof obj !== 'object' || obj === null) return;
    const o = obj as Record<string, unknown>;
    for (const f of fields) {
      if (!inRange(version, f.versions)) continue;
      const x = o[f.name];
      if (f.name === 'errorCode' && typeof x === 'number') counts.set(x, (counts.get(x) ?? 0) + 1);
      else if (f.type === 'struct' && f.fields) {
        if (Array.isArray(x)) for (const e of x) walk(f.fields, e);
        else walk(f.fields, x);
      }
    }
  };
  walk(schema.fields, response);
  return counts;
}

export class BrokerMetrics {
  readonly registry = new Registry();
  private readonly messagesIn: Counter<'topic'>;
  private readonly bytesIn: Counter<'topic'>;
  private readonly bytesOut: Counter<'topic'>;
  private readonly requests: Counter<'request' | 'version'>;
  private readonly errors: Counter<'request' | 'error'>;
  private readonly totalTime: Histogram<'request'>;
  private readonly isrShrinks: Counter;
  private readonly isrExpands: Counter;
  private processMetrics = false;

  constructor(source: MetricsSource) {
    const registers = [this.registry];
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[] = []) => new Counter<L>({ name, help, labelNames, registers });
    this.messagesIn = counter('kafka_server_brokertopicmetrics_messagesin_total', 'Records appended as leader, by topic (MessagesInPerSec).', ['topic']);
    this.bytesIn = counter('kafka_server_brokertopicmetrics_bytesin_total', 'Bytes of records appended from clients, by topic (BytesInPerSec).', ['topic']);
    this.bytesOut = counter('kafka_server_brokertopicmetrics_bytesout_total', 'Bytes of records sent to consumers and followers, by topic (BytesOutPerSec).', ['topic']);
    this.requests = counter('kafka_network_requestmetrics_requests_total', 'Requests answered, by API and version (RequestsPerSec).', ['request', 'version']);
    this.errors = counter('kafka_network_requestmetrics_errors_total', 'Error codes in answers, by API and error (ErrorsPerSec; NONE included, as Kafka counts it).', ['request', 'error']);
    this.totalTime = new Histogram({
      name: 'kafka_network_requestmetrics_totaltimems', help: 'Milliseconds from a request read to its answer, by API (TotalTimeMs).', labelNames: ['request'], registers,
      buckets: [0.1, 0.5, 1, 2, 5, 10, 25, 50, 100, 250, 500, 1000, 5000, 30000],
    });
    this.isrShrinks = counter('kafka_server_replicamanager_isrshrinks_total', 'ISR shrinks of partitions this broker leads (IsrShrinksPerSec).');
    this.isrExpands = counter('kafka_server_replicamanager_isrexpands_total', 'ISR expansions of partitions this broker leads (IsrExpandsPerSec).');
    const gauge = (name: string, help: string, labelNames: string[], collect: (g: Gauge) => void) =>
      new Gauge({ name, help, labelNames, registers, collect(this: Gauge) { this.reset(); collect(this); } });
    gauge('kafka_server_replicamanager_partitioncount', 'Partitions this broker holds (PartitionCount).', [], (g) => g.set([...source.partitions()].length));
    gauge('kafka_server_replicamanager_leadercount', 'Partitions this broker leads (LeaderCount).', [], (g) => g.set([...source.partitions()].filter((p) => p.isLeader).length));
    gauge('kafka_server_replicamanager_underreplicatedpartitions', 'Partitions led here with fewer in-sync replicas than replicas (UnderReplicatedPartitions).', [],
      (g) => g.set([...source.partitions()].filter((p) => p.isLeader && p.isrSize < p.replicaCount).length));
    gauge('kafka_controller_kafkacontroller_activecontrollercount', '1 on the active controller (ActiveControllerCount).', [], (g) => g.set(source.controllerId() === source.brokerId ? 1 : 0));
    gauge('kafka_controller_kafkacontroller_offlinepartitionscount', 'Partitions without a leader, on the active controller (OfflinePartitionsCount).', [],
      (g) => g.set(source.controllerId() === source.brokerId ? source.offlinePartitions() : 0));
    gauge('kafka_server_socketservermetrics_connection_count', 'Client connections open (socket-server-metrics connection-count).', [], (g) => g.set(source.connections()));
    gauge('kafka_server_socketservermetrics_failed_authentication_total', 'Failed SASL authentications (socket-server-metrics failed-authentication-total).', [], (g) => g.set(source.failedAuthentications()));
    gauge('kafka_log_log_size', 'Bytes of a partition\'s log on this broker (Log Size).', ['topic', 'partition'], (g) => {
      for (const p of source.partitions()) g.set({ topic: p.topic, partition: String(p.index) }, p.logSize);
    });
    gauge('kafka_coordinator_group_groupmetadatamanager_numgroups', 'Groups this broker coordinates, by state (NumGroups, NumGroupsStable, …).', ['state'], (g) => {
      for (const grp of source.groups()) g.inc({ state: grp.state });
    });
    gauge('kafka_consumergroup_members', 'Members of a group this broker coordinates.', ['group'], (g) => {
      for (const grp of source.groups()) g.set({ group: grp.groupId }, grp.members);
    });
    gauge('kafka_client_telemetry', 'The latest value of each metric a client pushed (KIP-714), by client instance, metric name and attributes.',
      ['client_instance_id', 'client_id', 'metric', 'attributes'], (g) => {
        for (const m of source.clientTelemetry()) g.set({ client_instance_id: m.clientInstanceId, client_id: m.clientId, metric: m.name, attributes: m.attributes }, m.value);
      });
    gauge('kafka_consumergroup_lag', 'Records between a group\'s committed offset and the high watermark, for partitions led here.', ['group', 'topic', 'partition'], (g) => {
      const hw = new Map([...source.partitions()].filter((p) => p.isLeader).map((p) => [`${p.topic}\u0000${p.index}`, p.highWatermark]));
      for (const grp of source.groups()) {
        for (const { topic, partition, offset } of grp.offsets) {
          const end = hw.get(`${topic}\u0000${partition}`);
          if (end !== undefined) g.set({ group: grp.groupId, topic, partition: String(partition) }, Math.max(0, end - offset));
        }
      }
    });
  }

  /**
   * prom-client's process metrics (CPU, memory, event-loop lag, GC), once something can
   * scrape them: they sample the process on their own timers, which a broker without an
   * HTTP listener (most test suites' in-process brokers) need not pay for.
   */
  collectProcessMetrics(): void {
    if (this.processMetrics) return;
    this.processMetrics = true;
    collectDefaultMetrics({ register: this.registry });
  }

  /** Records appended as leader for a client. */
  produced(topic: string, messages: number, bytes: number): void {
    this.messagesIn.inc({ topic }, messages);
    this.bytesIn.inc({ topic }, bytes);
  }

  /** Record bytes a fetch answer carries. */
  fetched(topic: string, bytes: number): void {
    if (bytes > 0) this.bytesOut.inc({ topic }, bytes);
  }

  /** A request answered: its API's name, version, time, and the error codes of its answer. */
  answered(request: string, version: number, ms: number, errors: ReadonlyMap<number, number>): void {
    this.requests.inc({ request, version: String(version) });
    this.totalTime.observe({ request }, ms);
    for (const [code, n] of errors) this.errors.inc({ request, error: errorName(code) }, n);
  }

  /** Each topic's records in, bytes in and bytes out so far (the console's throughput charts). */
  async topicTotals(): Promise<Record<string, { messagesIn: number; bytesIn: number; bytesOut: number }>> {
    const out: Record<string, { messagesIn: number; bytesIn: number; bytesOut: number }> = {};
    const add = async (c: Counter<'topic'>, field: 'messagesIn' | 'bytesIn' | 'bytesOut') => {
      for (const v of (await c.get()).values) {
        const topic = String(v.labels.topic);
        (out[topic] ??= { messagesIn: 0, bytesIn: 0, bytesOut: 0 })[field] = v.value;
      }
    };
    await add(this.messagesIn, 'messagesIn');
    await add(this.bytesIn, 'bytesIn');
    await add(this.bytesOut, 'bytesOut');
    return out;
  }

  isrChanged(shrunk: boolean): void {
    (shrunk ? this.isrShrinks : this.isrExpands).inc();
  }

  /** The Prometheus text exposition. */
  text(): Promise<string> {
    return this.registry.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }
}
