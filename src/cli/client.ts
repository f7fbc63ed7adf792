// The CLI's Kafka client, on Krill's own protocol layer: connections to the brokers a
// bootstrap server names, each request sent at the highest version both sides speak
// (ApiVersions), to the broker that must answer it (any, the controller, a partition's
// leader, a group's coordinator). It works against any Kafka-compatible broker.
import { type ApiKey, apiSchemas, type RequestOf, type ResponseOf } from '../protocol/messages/index.js';
import { ErrorCode, errorName } from '../protocol/errors.js';
import type { Encodable } from '../protocol/schema.js';
import { BrokerClient } from '../broker/net/broker-client.js';
import type { PeerTransport } from '../broker/security/peer-security.js';

const TIMEOUT_MS = 30_000;

export class CliError extends Error {
  constructor(message: string, readonly exitCode = 1) {
    super(message);
  }
}

/** A Kafka error code as the CLI reports it. */
export function check(code: number | undefined, what: string, message?: string | null): void {
  if (code !== undefined && code !== ErrorCode.NONE) throw new CliError(`${what}: ${errorName(code)}${message ? ` (${message})` : ''}`);
}

interface Node {
  client: BrokerClient;
  versions: Map<number, [number, number]>;
}

export interface TopicMeta {
  name: string;
  partitions: Array<{ partition: number; leader: number; replicas: readonly number[]; isr: readonly number[] }>;
}

export class KafkaClient {
  private readonly nodes = new Map<string, Promise<Node>>();
  brokers = new Map<number, { host: string; port: number; rack: string | null }>();
  controllerId = -1;
  clusterId: string | null = null;

  private constructor(private readonly bootstrap: Array<{ host: string; port: number }>, private readonly transport: PeerTransport | null) {}

  /** Connects through the bootstrap servers; `transport` is the security --command-config asks for (TLS, SASL). */
  static async connect(bootstrapServer: string, transport: PeerTransport | null = null): Promise<KafkaClient> {
    const bootstrap = bootstrapServer.split(',').map((hp) => {
      const i = hp.lastIndexOf(':');
      const port = Number(hp.slice(i + 1));
      if (i <= 0 || !Number.isInteger(port)) throw new CliError(`--bootstrap-server expects host:port[,host:port], got ${bootstrapServer}`, 2);
      return { host: hp.slice(0, i), port };
    });
    const c = new KafkaClient(bootstrap, transport);
    await c.metadata([]);
    return c;
  }

  private node(host: string, port: number): Promise<Node> {
    const key = `${host}:${port}`;
    let n = this.nodes.get(key);
    if (!n) {
      n = (async () => {
        const security = this.transport ? { tls: this.transport.tls(host), sasl: this.transport.sasl() } : {};
        const client = await BrokerClient.connect(host, port, 'krill-cli', 5000, security).catch((e: Error) => {
          throw new CliError(`cannot reach ${key}: ${e.message}`);
        });
        const av = await client.request(18, 0, {}, TIMEOUT_MS);
        return { client, versions: new Map(av.apiKeys.map((k) => [k.apiKey, [k.minVersion, k.maxVersion]])) };
      })();
      this.nodes.set(key, n);
      n.catch(() => this.nodes.delete(key));
    }
    return n;
  }

  /** Sends `body` to a broker (an id, or any reachable one) at the highest version both speak, up to `max`. */
  async call<K extends ApiKey>(to: number | 'any', apiKey: K, body: Encodable<RequestOf<K>>, max?: number): Promise<ResponseOf<K>> {
    const n = await this.nodeFor(to);
    const ours = apiSchemas[apiKey].request.validVersions;
    const theirs = n.versions.get(apiKey);
    if (!theirs) throw new CliError(`the broker does not serve ${apiSchemas[apiKey].request.name.replace(/Request$/, '')}`);
    const version = Math.min(theirs[1], ours[1], max ?? Infinity);
    if (version < Math.max(theirs[0], ours[0])) throw new CliError(`no version of ${apiSchemas[apiKey].request.name} both sides speak`);
    return n.client.request(apiKey, version, body, TIMEOUT_MS);
  }

  private async nodeFor(to: number | 'any'): Promise<Node> {
    if (to !== 'any') {
      const b = this.brokers.get(to);
      if (!b) throw new CliError(`broker ${to} is not in the cluster's metadata`);
      return this.node(b.host, b.port);
    }
    let last: unknown = null;
    for (const b of this.bootstrap) {
      try {
        return await this.node(b.host, b.port);
      } catch (e) {
        last = e;
      }
    }
    throw last instanceof Error ? last : new CliError('no bootstrap server answered');
  }

  /** Metadata of the named topics (all with null); refreshes the brokers and the controller. */
  async metadata(topics: string[] | null): Promise<TopicMeta[]> {
    const md = await this.call('any', 3, { topics: topics?.map((name) => ({ name })) ?? null, allowAutoTopicCreation: false, includeTopicAuthorizedOperations: false }, 12);
    this.brokers = new Map(md.brokers.map((b) => [b.nodeId, { host: b.host, port: b.port, rack: b.rack ?? null }]));
    this.controllerId = md.controllerId ?? -1;
    this.clusterId = md.clusterId ?? null;
    return md.topics.map((t) => {
      check(t.errorCode, `topic ${t.name}`);
      return { name: t.name ?? '', partitions: t.partitions.map((p) => ({ partition: p.partitionIndex, leader: p.leaderId, replicas: p.replicaNodes, isr: p.isrNodes })).sort((a, b) => a.partition - b.partition) };
    });
  }

  /** The broker that must take admin requests (Kafka sends them to its controller). */
  controller(): number | 'any' {
    return this.controllerId >= 0 ? this.controllerId : 'any';
  }

  /** The coordinator of a group. */
  async coordinator(groupId: string): Promise<number> {
    const r = await this.call('any', 10, { key: groupId, keyType: 0, coordinatorKeys: [groupId] }, 3);
    check(r.errorCode, `the coordinator of ${groupId}`, r.errorMessage);
    return r.nodeId ?? -1;
  }

  /** Earliest (-2), latest (-1) or by-timestamp offsets of partitions, asked of their leaders. */
  async offsets(topic: TopicMeta, timestamp: number, isolation = 0): Promise<Map<number, number>> {
    const byLeader = new Map<number, number[]>();
    for (const p of topic.partitions) byLeader.set(p.leader, [...(byLeader.get(p.leader) ?? []), p.partition]);
    const out = new Map<number, number>();
    for (const [leader, partitions] of byLeader) {
      const r = await this.call(leader, 2, { replicaId: -1, isolationLevel: isolation, topics: [{ name: topic.name, partitions: partitions.map((partitionIndex) => ({ partitionIndex, currentLeaderEpoch: -1, timestamp, maxNumOffsets: 1 })) }] }, 7);
      for (const p of r.topics[0]?.partitions ?? []) {
        check(p.errorCode, `offsets of ${topic.name}-${p.partitionIndex}`);
        out.set(p.partitionIndex, p.offset ?? p.oldStyleOffsets?.[0] ?? -1);
      }
    }
    return out;
  }

  close(): void {
    for (const n of this.nodes.values()) void n.then((x) => x.client.close(), () => undefined);
  }
}
