// The cluster's metadata as one broker sees it: a local, synchronously readable copy of
// what the coordination store holds (topics with ids, replicas, leaders, leader epochs
// and ISRs; live brokers; the controller; dynamic broker configs), kept current by a
// watch. Every write goes to the store as a compare-and-set, and returns once this
// broker's copy has caught up with it, so a handler reads its own writes.
import { endpointOn } from '../net/endpoints.js';
import { randomBytes } from 'node:crypto';
import type { BrokerInfo } from './placement.js';
import type { QuotaEntry } from '../quotas/quota-entities.js';
import type { AclBinding } from '../security/acl.js';
import type { CoordinationStore, Lease, WatchEvent } from './store.js';

export interface PartitionState {
  partition: number;
  replicas: number[];
  /** -1 while no replica can lead. */
  leader: number;
  leaderEpoch: number;
  isr: number[];
  /** While a reassignment moves the partition (KIP-455): the replicas it adds, and those it removes; both in `replicas` meanwhile. */
  adding?: number[];
  removing?: number[];
}

export interface TopicState {
  name: string;
  /** 32 hex digits. */
  topicId: string;
  internal: boolean;
  partitions: PartitionState[];
  configs: Record<string, string>;
}

export type MetadataChange =
  | { kind: 'topic'; name: string; before: TopicState | undefined; after: TopicState | undefined }
  | { kind: 'brokers' }
  | { kind: 'controller' }
  | { kind: 'configs' }
  | { kind: 'quotas' }
  | { kind: 'features' }
  | { kind: 'acls' }
  | { kind: 'named-configs' };

/** Config resources kept by name beside topics and brokers: client metrics subscriptions (KIP-714), groups (KIP-848), users' SCRAM credentials (KIP-554). */
export type NamedConfigKind = 'client-metrics' | 'group-configs' | 'scram-credentials';

/** The cluster's finalized feature levels and the store revision of their last change (ApiVersions' epoch). */
export interface FinalizedFeatures {
  levels: Record<string, number>;
  epoch: number;
}

/** A random topic id, never the all-zero id that means "none". */
export const newTopicId = (): string => {
  let id;
  do id = randomBytes(16).toString('hex');
  while (/^0+$/.test(id));
  return id;
};

export const Keys = {
  clusterId: 'cluster-id',
  broker: (id: number) => `brokers/${id}`,
  controller: 'controller',
  topic: (name: string) => `topics/${name}`,
  brokerConfigs: 'broker-configs',
  producerIds: 'producer-id-block',
  clientQuotas: 'client-quotas',
  features: 'finalized-features',
  acls: 'acls',
  namedConfigs: (kind: NamedConfigKind, name: string) => `${kind}/${name}`,
} as const;

/** The metadata file of a single broker before the coordination store, as store keys. */
export function legacyMetadata(prefix: string, data: unknown): Array<[string, string]> | null {
  const d = data as { clusterId?: string; topics?: TopicState[]; brokerConfigs?: Record<string, string>; nextProducerIdBlock?: number };
  if (!d.clusterId || !Array.isArray(d.topics)) return null;
  return [
    [prefix + Keys.clusterId, d.clusterId],
    ...d.topics.map((t): [string, string] => [prefix + Keys.topic(t.name), JSON.stringify(t)]),
    [prefix + Keys.brokerConfigs, JSON.stringify(d.brokerConfigs ?? {})],
    [prefix + Keys.producerIds, String(d.nextProducerIdBlock ?? 0)],
  ];
}

export class ClusterMetadata {
  readonly topics = new Map<string, TopicState>();
  readonly topicsById = new Map<string, TopicState>();
  readonly brokers = new Map<number, BrokerInfo>();
  brokerConfigs: Record<string, string> = {};
  /** Client quotas (AlterClientQuotas), every entity with at least one value. */
  clientQuotas: readonly QuotaEntry[] = [];
  /** Client metrics subscriptions (KIP-714): config resources of type CLIENT_METRICS, by name. */
  readonly clientMetrics = new Map<string, Record<string, string>>();
  /** Group configs (KIP-848): config resources of type GROUP, by group id. */
  readonly groupConfigs = new Map<string, Record<string, string>>();
  /** Users' SCRAM credentials (salt, stored and server keys, iterations) by mechanism type. */
  readonly scramCredentials = new Map<string, Record<string, string>>();
  /** The ACLs (CreateAcls), every binding once. */
  acls: readonly AclBinding[] = [];
  /** Finalized feature levels (UpdateFeatures); null until the first broker writes those it was started with. */
  features: FinalizedFeatures | null = null;
  clusterId = '';
  controllerId = -1;
  private readonly versions = new Map<string, number>();
  private applied = 0;
  private readonly caughtUp: Array<{ version: number; resolve: () => void }> = [];
  private cancelWatch: (() => Promise<void>) | null = null;
  private readonly listeners: Array<(c: MetadataChange) => void> = [];

  constructor(readonly store: CoordinationStore, readonly prefix = '/krill/') {}

  /** Reads everything and starts following changes. */
  async start(): Promise<void> {
    await this.store.compareAndSet(this.prefix + Keys.clusterId, 0, randomBytes(16).toString('base64url'));
    const snap = await this.store.list(this.prefix);
    for (const kv of snap.items) this.apply({ type: 'put', key: kv.key, value: kv.value, version: kv.version }, false);
    this.applied = snap.revision;
    this.cancelWatch = await this.store.watch(this.prefix, snap.revision, (e) => this.apply(e, true));
  }

  async stop(): Promise<void> {
    await this.cancelWatch?.();
    this.cancelWatch = null;
  }

  onChange(fn: (c: MetadataChange) => void): void {
    this.listeners.push(fn);
  }

  private apply(e: WatchEvent, notify: boolean): void {
    const key = e.key.slice(this.prefix.length);
    if ((this.versions.get(key) ?? 0) < e.version || e.type === 'delete') {
      if (e.type === 'put') this.versions.set(key, e.version);
      else this.versions.delete(key);
      const change = this.applyKey(key, e.type === 'put' ? e.value : null);
      if (change && notify) for (const l of this.listeners) l(change);
    }
    this.applied = Math.max(this.applied, e.version);
    while (this.caughtUp.length && this.caughtUp[0]!.version <= this.applied) this.caughtUp.shift()!.resolve();
  }

  private applyKey(key: string, value: string | null): MetadataChange | null {
    if (key === Keys.clusterId) {
      if (value) this.clusterId = value;
      return null;
    }
    if (key === Keys.controller) {
      this.controllerId = value === null ? -1 : Number(value);
      return { kind: 'controller' };
    }
    if (key === Keys.brokerConfigs) {
      this.brokerConfigs = value ? (JSON.parse(value) as Record<string, string>) : {};
      return { kind: 'configs' };
    }
    if (key === Keys.features) {
      this.features = value ? { levels: JSON.parse(value) as Record<string, number>, epoch: this.versions.get(key) ?? 0 } : null;
      return { kind: 'features' };
    }
    if (key === Keys.acls) {
      this.acls = value ? (JSON.parse(value) as AclBinding[]) : [];
      return { kind: 'acls' };
    }
    if (key === Keys.clientQuotas) {
      this.clientQuotas = value ? (JSON.parse(value) as QuotaEntry[]) : [];
      return { kind: 'quotas' };
    }
    for (const [kind, map] of [['client-metrics', this.clientMetrics], ['group-configs', this.groupConfigs], ['scram-credentials', this.scramCredentials]] as const) {
      if (!key.startsWith(`${kind}/`)) continue;
      const name = key.slice(kind.length + 1);
      if (value) map.set(name, JSON.parse(value) as Record<string, string>);
      else map.delete(name);
      return { kind: 'named-configs' };
    }
    if (key.startsWith('brokers/')) {
      const id = Number(key.slice('brokers/'.length));
      if (value) this.brokers.set(id, JSON.parse(value) as BrokerInfo);
      else this.brokers.delete(id);
      return { kind: 'brokers' };
    }
    if (key.startsWith('topics/')) {
      const name = key.slice('topics/'.length);
      const before = this.topics.get(name);
      if (before) this.topicsById.delete(before.topicId);
      if (value) {
        const after = JSON.parse(value) as TopicState;
        this.topics.set(name, after);
        this.topicsById.set(after.topicId, after);
        return { kind: 'topic', name, before, after };
      }
      this.topics.delete(name);
      return { kind: 'topic', name, before, after: undefined };
    }
    return null;
  }

  /** Resolves once this copy has applied the store's revision `version`. */
  catchUp(version: number): Promise<void> {
    if (version <= this.applied) return Promise.resolve();
    return new Promise((resolve) => {
      this.caughtUp.push({ version, resolve });
      this.caughtUp.sort((a, b) => a.version - b.version);
    });
  }

  /**
   * Resolves once this copy has every write the store had when called (or after
   * `timeoutMs`, or at once if the store cannot be asked), so an answer given after it is
   * no older than the store was when asked, however far this broker's watch is behind. A
   * client that takes the leader from each Metadata answer as it comes (librdkafka 2.0.2)
   * can otherwise be sent back to the old leader by a lagging broker, and stay there.
   */
  async fresh(timeoutMs: number): Promise<void> {
    let latest: number;
    try {
      latest = await this.store.latestRevision(this.prefix);
    } catch {
      return;
    }
    if (latest <= this.applied) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.catchUp(latest), new Promise<void>((r) => (timer = setTimeout(r, timeoutMs)))]);
    clearTimeout(timer);
  }

  liveBrokers(): BrokerInfo[] {
    return [...this.brokers.values()].sort((a, b) => a.nodeId - b.nodeId);
  }

  /** The live brokers as a client on `listener` is told of them: at their address on it; those without it are left out, as Kafka leaves them out. */
  liveBrokersOn(listener: string): Array<{ nodeId: number; host: string; port: number; rack: string | null }> {
    return this.liveBrokers().flatMap((b) => {
      const at = endpointOn(b, listener);
      return at ? [{ nodeId: b.nodeId, host: at.host, port: at.port, rack: b.rack }] : [];
    });
  }

  /** The brokers of `live` whose replica of the partition is online: not on a log directory their broker reports failed. */
  replicasUp(topic: TopicState, partition: number, live: ReadonlySet<number>): ReadonlySet<number> {
    let up: Set<number> | null = null;
    for (const b of this.brokers.values()) {
      if (!b.offlineReplicas?.[topic.topicId]?.includes(partition)) continue;
      up ??= new Set(live);
      up.delete(b.nodeId);
    }
    return up ?? live;
  }

  // ---- writes -----------------------------------------------------------------------

  async register(info: BrokerInfo, lease: Lease): Promise<void> {
    await this.catchUp(await this.store.put(this.prefix + Keys.broker(info.nodeId), JSON.stringify(info), lease));
  }

  /** Removes a broker's registration (an earlier run of this broker that did not end cleanly). */
  async deregister(id: number): Promise<void> {
    await this.catchUp(await this.store.delete(this.prefix + Keys.broker(id)));
  }

  /** Creates a topic; false when one of that name exists. */
  async createTopic(t: TopicState): Promise<boolean> {
    const key = this.prefix + Keys.topic(t.name);
    const v = await this.store.compareAndSet(key, 0, JSON.stringify(t));
    if (v !== null) await this.catchUp(v);
    else {
      // Someone else created it: make sure this copy has their topic before answering.
      const cur = await this.store.get(key);
      if (cur) await this.catchUp(cur.version);
    }
    return v !== null;
  }

  /**
   * Read-modify-write of a topic, retried while someone else writes in between. `fn`
   * returns the new state, or null to leave the topic as it is. Resolves to the state
   * written (null: unchanged or the topic is gone).
   */
  updateTopic(name: string, fn: (t: TopicState) => TopicState | null): Promise<TopicState | null> {
    return this.readModifyWrite<TopicState>(Keys.topic(name), (cur) => cur && fn(cur));
  }

  async deleteTopic(name: string): Promise<void> {
    await this.catchUp(await this.store.delete(this.prefix + Keys.topic(name)));
  }

  /** Sets the configs of a resource kept by name (a client metrics subscription, a group); none removes them. */
  async setNamedConfigs(kind: NamedConfigKind, name: string, configs: Record<string, string>): Promise<void> {
    const key = this.prefix + Keys.namedConfigs(kind, name);
    await this.catchUp(Object.keys(configs).length > 0 ? await this.store.put(key, JSON.stringify(configs)) : await this.store.delete(key));
  }

  async setBrokerConfigs(configs: Record<string, string>): Promise<void> {
    await this.catchUp(await this.store.put(this.prefix + Keys.brokerConfigs, JSON.stringify(configs)));
  }

  /** Read-modify-write of the client quotas; `fn` returns the new list, or null to write nothing. */
  async updateClientQuotas(fn: (current: readonly QuotaEntry[]) => QuotaEntry[] | null): Promise<void> {
    await this.readModifyWrite<QuotaEntry[]>(Keys.clientQuotas, (cur) => fn(cur ?? []));
  }

  /** Read-modify-write of the ACLs; `fn` returns the new list, or null to write nothing. */
  async updateAcls(fn: (current: readonly AclBinding[]) => AclBinding[] | null): Promise<void> {
    await this.readModifyWrite<AclBinding[]>(Keys.acls, (cur) => fn(cur ?? []));
  }

  /** Read-modify-write of the finalized feature levels (null: none yet); `fn` returns the new levels, or null to write nothing. */
  async updateFeatures(fn: (current: Record<string, number> | null) => Record<string, number> | null): Promise<void> {
    await this.readModifyWrite(Keys.features, fn);
  }

  /**
   * Read-modify-write of a JSON value, retried while another broker writes in between;
   * resolves to what was written once this copy has it, or null when `fn` wrote nothing.
   */
  private async readModifyWrite<T>(name: string, fn: (current: T | null) => T | null): Promise<T | null> {
    const key = this.prefix + name;
    for (;;) {
      const cur = await this.store.get(key);
      const next = fn(cur ? (JSON.parse(cur.value) as T) : null);
      if (next === null) return null;
      const v = await this.store.compareAndSet(key, cur?.version ?? 0, JSON.stringify(next));
      if (v !== null) {
        await this.catchUp(v);
        return next;
      }
    }
  }

  /** Reserves `size` producer ids; returns the first. */
  async reserveProducerIds(size: number): Promise<number> {
    const key = this.prefix + Keys.producerIds;
    for (;;) {
      const cur = await this.store.get(key);
      const first = cur ? Number(cur.value) : 0;
      if (await this.store.compareAndSet(key, cur?.version ?? 0, String(first + size)) !== null) return first;
    }
  }
}
