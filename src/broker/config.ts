// Broker and topic configuration under Kafka's own names and defaults. A broker config
// comes from (highest first) a dynamic override (AlterConfigs), the static config
// (server.properties / --set), then Kafka's default. A topic config comes from the topic's
// own override, else the broker config it is derived from (its "synonym"), else default.

export type ConfigType = 'BOOLEAN' | 'STRING' | 'INT' | 'SHORT' | 'LONG' | 'DOUBLE' | 'LIST' | 'CLASS' | 'PASSWORD';

/** DescribeConfigs configType codes (KIP-569). */
export const ConfigTypeCode: Record<ConfigType, number> = {
  BOOLEAN: 1, STRING: 2, INT: 3, SHORT: 4, LONG: 5, DOUBLE: 6, LIST: 7, CLASS: 8, PASSWORD: 9,
};

/** DescribeConfigs configSource codes. */
export const ConfigSource = {
  DYNAMIC_TOPIC_CONFIG: 1,
  DYNAMIC_BROKER_CONFIG: 2,
  DYNAMIC_DEFAULT_BROKER_CONFIG: 3,
  STATIC_BROKER_CONFIG: 4,
  DEFAULT_CONFIG: 5,
  CLIENT_METRICS_CONFIG: 7,
  GROUP_CONFIG: 8,
} as const;

export interface ConfigDef {
  type: ConfigType;
  default: string | null;
  /** Shown in DescribeConfigs; read-only configs cannot be altered at runtime. */
  readOnly?: boolean;
  sensitive?: boolean;
}

const LONG_MAX = '9223372036854775807';

export const BROKER_CONFIGS: Record<string, ConfigDef> = {
  'broker.id': { type: 'INT', default: '0', readOnly: true },
  'node.id': { type: 'INT', default: '-1', readOnly: true },
  'broker.rack': { type: 'STRING', default: null, readOnly: true },
  'listeners': { type: 'STRING', default: 'PLAINTEXT://127.0.0.1:9092', readOnly: true },
  'advertised.listeners': { type: 'STRING', default: null, readOnly: true },
  'inter.broker.listener.name': { type: 'STRING', default: null, readOnly: true },
  'security.inter.broker.protocol': { type: 'STRING', default: 'PLAINTEXT', readOnly: true },
  'sasl.mechanism.inter.broker.protocol': { type: 'STRING', default: 'GSSAPI', readOnly: true },
  'listener.security.protocol.map': { type: 'STRING', default: 'PLAINTEXT:PLAINTEXT,SSL:SSL,SASL_PLAINTEXT:SASL_PLAINTEXT,SASL_SSL:SASL_SSL', readOnly: true },
  'sasl.enabled.mechanisms': { type: 'LIST', default: 'GSSAPI', readOnly: true },
  'sasl.jaas.config': { type: 'PASSWORD', default: null, readOnly: true, sensitive: true },
  'authorizer.class.name': { type: 'CLASS', default: '', readOnly: true },
  'super.users': { type: 'STRING', default: null, readOnly: true },
  'allow.everyone.if.no.acl.found': { type: 'BOOLEAN', default: 'false', readOnly: true },
  'connection.failed.authentication.delay.ms': { type: 'INT', default: '100', readOnly: true },
  'connections.max.reauth.ms': { type: 'LONG', default: '0', readOnly: true },
  'log.dirs': { type: 'STRING', default: null, readOnly: true },
  'log.dir': { type: 'STRING', default: '/tmp/kafka-logs', readOnly: true },
  'num.partitions': { type: 'INT', default: '1' },
  'default.replication.factor': { type: 'INT', default: '1' },
  'auto.create.topics.enable': { type: 'BOOLEAN', default: 'true', readOnly: true },
  'delete.topic.enable': { type: 'BOOLEAN', default: 'true', readOnly: true },
  'message.max.bytes': { type: 'INT', default: '1048588' },
  'socket.request.max.bytes': { type: 'INT', default: '104857600', readOnly: true },
  'max.connections': { type: 'INT', default: '2147483647', readOnly: true },
  'max.connections.per.ip': { type: 'INT', default: '2147483647', readOnly: true },
  'max.connections.per.ip.overrides': { type: 'STRING', default: '', readOnly: true },
  'connections.max.idle.ms': { type: 'LONG', default: '600000', readOnly: true },
  'queued.max.requests': { type: 'INT', default: '500', readOnly: true },
  'queued.max.request.bytes': { type: 'LONG', default: '-1', readOnly: true },
  'max.request.partition.size.limit': { type: 'INT', default: '2000', readOnly: true },
  'quota.window.num': { type: 'INT', default: '11', readOnly: true },
  'telemetry.max.bytes': { type: 'INT', default: '1048576', readOnly: true },
  'replication.quota.window.num': { type: 'INT', default: '11', readOnly: true },
  'replication.quota.window.size.seconds': { type: 'INT', default: '1', readOnly: true },
  'leader.replication.throttled.rate': { type: 'LONG', default: '9223372036854775807' },
  'follower.replication.throttled.rate': { type: 'LONG', default: '9223372036854775807' },
  'quota.window.size.seconds': { type: 'INT', default: '1', readOnly: true },
  'log.segment.bytes': { type: 'INT', default: '1073741824' },
  'log.segment.delete.delay.ms': { type: 'LONG', default: '60000' },
  'log.roll.hours': { type: 'INT', default: '168', readOnly: true },
  'log.roll.ms': { type: 'LONG', default: null },
  'log.retention.hours': { type: 'INT', default: '168', readOnly: true },
  'log.retention.minutes': { type: 'INT', default: null, readOnly: true },
  'log.retention.ms': { type: 'LONG', default: null },
  'log.retention.bytes': { type: 'LONG', default: '-1' },
  'log.retention.check.interval.ms': { type: 'LONG', default: '300000', readOnly: true },
  'log.flush.interval.messages': { type: 'LONG', default: LONG_MAX },
  'log.flush.interval.ms': { type: 'LONG', default: null },
  'log.flush.scheduler.interval.ms': { type: 'LONG', default: LONG_MAX, readOnly: true },
  'log.index.interval.bytes': { type: 'INT', default: '4096' },
  'log.cleanup.policy': { type: 'LIST', default: 'delete' },
  'log.message.timestamp.type': { type: 'STRING', default: 'CreateTime' },
  'log.message.timestamp.difference.max.ms': { type: 'LONG', default: LONG_MAX },
  'log.message.timestamp.before.max.ms': { type: 'LONG', default: LONG_MAX },
  'log.message.timestamp.after.max.ms': { type: 'LONG', default: LONG_MAX },
  'log.message.format.version': { type: 'STRING', default: '3.0-IV1' },
  'compression.type': { type: 'STRING', default: 'producer' },
  'min.insync.replicas': { type: 'INT', default: '1' },
  'unclean.leader.election.enable': { type: 'BOOLEAN', default: 'false' },
  'replica.lag.time.max.ms': { type: 'LONG', default: '30000', readOnly: true },
  'replica.fetch.wait.max.ms': { type: 'INT', default: '500', readOnly: true },
  'replica.fetch.min.bytes': { type: 'INT', default: '1', readOnly: true },
  'replica.fetch.max.bytes': { type: 'INT', default: '1048576', readOnly: true },
  'replica.fetch.response.max.bytes': { type: 'INT', default: '10485760', readOnly: true },
  'replica.fetch.backoff.ms': { type: 'INT', default: '1000', readOnly: true },
  'replica.socket.timeout.ms': { type: 'INT', default: '30000', readOnly: true },
  'replica.selector.class': { type: 'CLASS', default: null, readOnly: true },
  'broker.session.timeout.ms': { type: 'INT', default: '9000', readOnly: true },
  'leader.imbalance.check.interval.seconds': { type: 'LONG', default: '300', readOnly: true },
  'offsets.topic.num.partitions': { type: 'INT', default: '50', readOnly: true },
  'offsets.topic.replication.factor': { type: 'SHORT', default: '3', readOnly: true },
  'offsets.topic.segment.bytes': { type: 'INT', default: '104857600', readOnly: true },
  'offsets.commit.timeout.ms': { type: 'INT', default: '5000', readOnly: true },
  'transaction.state.log.num.partitions': { type: 'INT', default: '50', readOnly: true },
  'transaction.state.log.replication.factor': { type: 'SHORT', default: '3', readOnly: true },
  'transaction.state.log.min.isr': { type: 'INT', default: '2', readOnly: true },
  'transaction.state.log.segment.bytes': { type: 'INT', default: '104857600', readOnly: true },
  'transaction.max.timeout.ms': { type: 'INT', default: '900000', readOnly: true },
  'transactional.id.expiration.ms': { type: 'INT', default: '604800000', readOnly: true },
  'transaction.abort.timed.out.transaction.cleanup.interval.ms': { type: 'INT', default: '10000', readOnly: true },
  'transaction.remove.expired.transaction.cleanup.interval.ms': { type: 'INT', default: '3600000', readOnly: true },
  'offsets.retention.minutes': { type: 'INT', default: '10080', readOnly: true },
  'offsets.retention.check.interval.ms': { type: 'LONG', default: '600000', readOnly: true },
  'group.initial.rebalance.delay.ms': { type: 'INT', default: '0', readOnly: true },
  'group.min.session.timeout.ms': { type: 'INT', default: '6000', readOnly: true },
  'group.max.session.timeout.ms': { type: 'INT', default: '1800000', readOnly: true },
  'group.max.size': { type: 'INT', default: '2147483647', readOnly: true },
  'group.coordinator.rebalance.protocols': { type: 'LIST', default: 'classic,consumer', readOnly: true },
  'group.consumer.session.timeout.ms': { type: 'INT', default: '45000', readOnly: true },
  'group.consumer.heartbeat.interval.ms': { type: 'INT', default: '5000', readOnly: true },
  'group.consumer.min.session.timeout.ms': { type: 'INT', default: '45000', readOnly: true },
  'group.consumer.max.session.timeout.ms': { type: 'INT', default: '60000', readOnly: true },
  'group.consumer.min.heartbeat.interval.ms': { type: 'INT', default: '5000', readOnly: true },
  'group.consumer.max.heartbeat.interval.ms': { type: 'INT', default: '15000', readOnly: true },
  'group.consumer.max.size': { type: 'INT', default: '2147483647', readOnly: true },
  'group.consumer.migration.policy': { type: 'STRING', default: 'bidirectional', readOnly: true },
  'group.consumer.assignors': { type: 'LIST', default: 'uniform,range', readOnly: true },
  'auto.leader.rebalance.enable': { type: 'BOOLEAN', default: 'true', readOnly: true },
  'log.message.downconversion.enable': { type: 'BOOLEAN', default: 'true' },
  'log.cleaner.enable': { type: 'BOOLEAN', default: 'true', readOnly: true },
  'log.cleaner.backoff.ms': { type: 'LONG', default: '15000', readOnly: true },
  'log.cleaner.delete.retention.ms': { type: 'LONG', default: '86400000' },
};

/** A topic config: its type, the broker config it falls back to, Kafka's default, and any check beyond the type. */
export interface TopicConfigDef {
  type: ConfigType;
  synonym: string | null;
  default: string | null;
  /** Kafka's validator for the value, past its type: the reason it is refused, or null. */
  check?: (value: string) => string | null;
}

const atLeast = (min: number) => (v: string) => (Number(v) >= min ? null : `Value must be at least ${min}`);
const between = (min: number, max: number) => (v: string) => (Number(v) < min ? `Value must be at least ${min}` : Number(v) > max ? `Value must be no more than ${max}` : null);

/** Kafka 3.x's ThrottledReplicaListValidator: '*' or partition:broker pairs. */
function throttledReplicas(name: string) {
  return (v: string) => {
    const items = v.split(',').map((x) => x.trim());
    if (items.every((x) => /^(\d+:\d+)?$/.test(x)) || items.join('') === '*') return null;
    return `${name} must be the literal '*' or a list of replicas in the following format: [partitionId]:[brokerId],[partitionId]:[brokerId],...`;
  };
}

/**
 * Kafka 3.x's MetadataVersionValidator: an inter-broker protocol version such as 0.10.2,
 * 2.8 or 3.0-IV1 (0.x versions keep three parts, later ones two).
 */
function metadataVersion(v: string): string | null {
  const parts = v.split('.');
  const key = parts.length > (v.startsWith('0.') ? 3 : 2) ? parts.slice(0, v.startsWith('0.') ? 3 : 2).join('.') : v;
  return /^(0\.(8\.[0-2]|9\.0|10\.[0-2]|11\.0)|1\.[01]|2\.[0-8]|3\.[0-9])(-IV\d+)?$/.test(key) ? null : `Version ${v} is not a valid version`;
}

/**
 * Topic configs with the broker config each falls back to: every config a Kafka 3.x topic
 * describes. message.format.version and message.timestamp.difference.max.ms, which Kafka 4
 * removed, are kept for the 2.x/3.x clients and suites that still set them.
 */
export const TOPIC_CONFIGS: Record<string, TopicConfigDef> = {
  'cleanup.policy': { type: 'LIST', synonym: 'log.cleanup.policy', default: 'delete' },
  'compression.gzip.level': { type: 'INT', synonym: 'compression.gzip.level', default: '-1', check: (v) => (v === '-1' ? null : between(1, 9)(v)) },
  'compression.lz4.level': { type: 'INT', synonym: 'compression.lz4.level', default: '9', check: between(1, 17) },
  'compression.type': { type: 'STRING', synonym: 'compression.type', default: 'producer' },
  'compression.zstd.level': { type: 'INT', synonym: 'compression.zstd.level', default: '3', check: between(-131072, 22) },
  'delete.retention.ms': { type: 'LONG', synonym: 'log.cleaner.delete.retention.ms', default: '86400000' },
  'file.delete.delay.ms': { type: 'LONG', synonym: 'log.segment.delete.delay.ms', default: '60000' },
  'flush.messages': { type: 'LONG', synonym: 'log.flush.interval.messages', default: LONG_MAX },
  'flush.ms': { type: 'LONG', synonym: 'log.flush.interval.ms', default: LONG_MAX },
  'follower.replication.throttled.replicas': { type: 'LIST', synonym: null, default: '', check: throttledReplicas('follower.replication.throttled.replicas') },
  'index.interval.bytes': { type: 'INT', synonym: 'log.index.interval.bytes', default: '4096' },
  'leader.replication.throttled.replicas': { type: 'LIST', synonym: null, default: '', check: throttledReplicas('leader.replication.throttled.replicas') },
  'local.retention.bytes': { type: 'LONG', synonym: 'log.local.retention.bytes', default: '-2', check: atLeast(-2) },
  'local.retention.ms': { type: 'LONG', synonym: 'log.local.retention.ms', default: '-2', check: atLeast(-2) },
  'max.compaction.lag.ms': { type: 'LONG', synonym: null, default: LONG_MAX },
  'max.message.bytes': { type: 'INT', synonym: 'message.max.bytes', default: '1048588' },
  'message.downconversion.enable': { type: 'BOOLEAN', synonym: 'log.message.downconversion.enable', default: 'true' },
  'message.format.version': { type: 'STRING', synonym: 'log.message.format.version', default: '3.0-IV1', check: metadataVersion },
  'message.timestamp.after.max.ms': { type: 'LONG', synonym: 'log.message.timestamp.after.max.ms', default: LONG_MAX, check: atLeast(0) },
  'message.timestamp.before.max.ms': { type: 'LONG', synonym: 'log.message.timestamp.before.max.ms', default: LONG_MAX, check: atLeast(0) },
  'message.timestamp.difference.max.ms': { type: 'LONG', synonym: 'log.message.timestamp.difference.max.ms', default: LONG_MAX, check: atLeast(0) },
  'message.timestamp.type': { type: 'STRING', synonym: 'log.message.timestamp.type', default: 'CreateTime' },
  'min.cleanable.dirty.ratio': { type: 'DOUBLE', synonym: null, default: '0.5' },
  'min.compaction.lag.ms': { type: 'LONG', synonym: null, default: '0' },
  'min.insync.replicas': { type: 'INT', synonym: 'min.insync.replicas', default: '1' },
  'preallocate': { type: 'BOOLEAN', synonym: null, default: 'false' },
  // No tiered storage here: Kafka refuses the topic as a broker with remote.log.storage.system.enable=false does.
  'remote.storage.enable': { type: 'BOOLEAN', synonym: null, default: 'false', check: (v) => (v.trim().toLowerCase() === 'true' ? 'Tiered Storage functionality is disabled in the broker. Topic cannot be configured with remote log storage.' : null) },
  'retention.bytes': { type: 'LONG', synonym: 'log.retention.bytes', default: '-1' },
  'retention.ms': { type: 'LONG', synonym: 'log.retention.ms', default: '604800000' },
  'segment.bytes': { type: 'INT', synonym: 'log.segment.bytes', default: '1073741824' },
  'segment.index.bytes': { type: 'INT', synonym: null, default: '10485760' },
  'segment.jitter.ms': { type: 'LONG', synonym: null, default: '0' },
  'segment.ms': { type: 'LONG', synonym: 'log.roll.ms', default: '604800000' },
  'unclean.leader.election.enable': { type: 'BOOLEAN', synonym: 'unclean.leader.election.enable', default: 'false' },
};

/** Why a value is refused for a topic config, worded as Kafka's ConfigException; null when it is accepted. */
export function topicConfigError(name: string, value: string | null): string | null {
  const def = TOPIC_CONFIGS[name];
  if (!def) return `Unknown topic config name: ${name}`;
  if (value === null) return `Null value not supported for topic configs: ${name}`;
  const bad = validateConfigValue(def.type, value) ?? def.check?.(value) ?? null;
  return bad === null ? null : `Invalid value ${value} for configuration ${name}: ${bad}`;
}

export class ConfigError extends Error {}

/** Checks a value against its declared type; returns an error message or null. */
export function validateConfigValue(type: ConfigType, value: string | null): string | null {
  if (value === null) return null;
  switch (type) {
    case 'INT': case 'SHORT': case 'LONG':
      return /^-?\d+$/.test(value.trim()) ? null : `expected a number, got "${value}"`;
    case 'DOUBLE':
      return Number.isFinite(Number(value)) ? null : `expected a number, got "${value}"`;
    case 'BOOLEAN':
      return /^(true|false)$/i.test(value.trim()) ? null : `expected true or false, got "${value}"`;
    default:
      return null;
  }
}

/** Parses Kafka's server.properties format (key=value or key: value, # and ! comments, \ continuations). */
export function parseProperties(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = text.replace(/\\\r?\n\s*/g, '').split(/\r?\n/);
  for (const raw of lines) {
    const line = raw.trim();
    if (!line || line.startsWith('#') || line.startsWith('!')) continue;
    const m = /^([^=:\s]+)\s*[=:\s]\s*(.*)$/.exec(line);
    if (m) out[m[1]!] = m[2]!;
  }
  return out;
}

export class BrokerConfig {
  /** Overrides from AlterConfigs / IncrementalAlterConfigs, per broker. */
  readonly dynamic = new Map<string, string>();

  constructor(readonly staticConfig: Readonly<Record<string, string>>) {
    for (const [k, v] of Object.entries(staticConfig)) {
      const def = BROKER_CONFIGS[k];
      const err = def && validateConfigValue(def.type, v);
      if (err) throw new ConfigError(`${k}: ${err}`);
    }
  }

  /** A config's value and where it came from. */
  lookup(name: string): { value: string | null; source: number } {
    if (this.dynamic.has(name)) return { value: this.dynamic.get(name)!, source: ConfigSource.DYNAMIC_BROKER_CONFIG };
    if (name in this.staticConfig) return { value: this.staticConfig[name]!, source: ConfigSource.STATIC_BROKER_CONFIG };
    return { value: BROKER_CONFIGS[name]?.default ?? null, source: ConfigSource.DEFAULT_CONFIG };
  }

  get(name: string): string | null {
    return this.lookup(name).value;
  }

  int(name: string): number {
    return Number(this.get(name));
  }

  bool(name: string): boolean {
    return this.get(name) === 'true';
  }

  get brokerId(): number {
    const node = this.int('node.id');
    return node >= 0 && !('broker.id' in this.staticConfig) ? node : this.int('broker.id');
  }

  /** log.dirs, else log.dir: a comma-separated list. */
  get logDirs(): string[] {
    return splitDirs(this.get('log.dirs') ?? this.get('log.dir')!);
  }

  /** log.retention.ms, else .minutes, else .hours, as Kafka resolves them. */
  get retentionMs(): string {
    const ms = this.get('log.retention.ms');
    if (ms !== null) return ms;
    const min = this.get('log.retention.minutes');
    if (min !== null) return String(Number(min) * 60_000);
    return String(this.int('log.retention.hours') * 3_600_000);
  }

  get rollMs(): string {
    return this.get('log.roll.ms') ?? String(this.int('log.roll.hours') * 3_600_000);
  }

  /** The broker-level value a topic config falls back to. */
  topicDefault(name: string): { value: string | null; source: number } {
    const t = TOPIC_CONFIGS[name];
    if (!t) return { value: null, source: ConfigSource.DEFAULT_CONFIG };
    if (name === 'retention.ms') {
      const explicit = ['log.retention.ms', 'log.retention.minutes', 'log.retention.hours'].some((k) => this.lookup(k).source !== ConfigSource.DEFAULT_CONFIG);
      return { value: this.retentionMs, source: explicit ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG };
    }
    if (name === 'segment.ms') {
      const explicit = ['log.roll.ms', 'log.roll.hours'].some((k) => this.lookup(k).source !== ConfigSource.DEFAULT_CONFIG);
      return { value: this.rollMs, source: explicit ? ConfigSource.STATIC_BROKER_CONFIG : ConfigSource.DEFAULT_CONFIG };
    }
    if (name === 'flush.ms') {
      const v = this.lookup('log.flush.interval.ms');
      return v.value === null ? { value: this.get('log.flush.scheduler.interval.ms'), source: ConfigSource.DEFAULT_CONFIG } : v;
    }
    if (t.synonym) {
      const v = this.lookup(t.synonym);
      if (v.value !== null) return v;
    }
    return { value: t.default, source: ConfigSource.DEFAULT_CONFIG };
  }
}

/** A comma-separated list of log directories, as log.dirs takes it. */
export function splitDirs(list: string): string[] {
  return list.split(',').map((d) => d.trim()).filter(Boolean);
}
