// Shared by DescribeConfigs, AlterConfigs and IncrementalAlterConfigs: what a topic,
// broker or client metrics resource's configs are, and how changes to them are checked
// and applied.
import { ERROR_MESSAGES, ErrorCode } from '../protocol/errors.js';
import { AclOperation } from './security/acl.js';
import type { Access } from './security/authorizer.js';
import type { Services } from './services.js';

/** What reading and changing configs takes. */
export type ConfigServices = Services<'brokerId' | 'config' | 'logger' | 'metadata' | 'topicConfigs' | 'authorizer'>;
import { BROKER_CONFIGS, ConfigSource, ConfigTypeCode, TOPIC_CONFIGS, topicConfigError, validateConfigValue } from './config.js';
import type { TopicState } from './controller/cluster-metadata.js';
import { CLIENT_METRICS_CONFIGS, ClientMetricsConfigError, validateClientMetrics } from './telemetry/client-metrics-config.js';
import { GROUP_CONFIGS, groupConfigError, type GroupConfigName, groupConfigValue } from './group/group-configs.js';

export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8, CLIENT_METRICS: 16, GROUP: 32 } as const;

/**
 * The refusal of a config resource the client may not describe (DESCRIBE_CONFIGS) or alter
 * (ALTER_CONFIGS), as Kafka words it: topics and groups on themselves, brokers, their
 * loggers and client metrics on the cluster. Null when allowed.
 */
export function configAccessError(access: Access, resourceType: number, name: string, alter: boolean): { errorCode: number; errorMessage: string } | null {
  const op = alter ? AclOperation.ALTER_CONFIGS : AclOperation.DESCRIBE_CONFIGS;
  const code = resourceType === ResourceType.TOPIC ? (access.topic(op, name) ? null : ErrorCode.TOPIC_AUTHORIZATION_FAILED)
    : resourceType === ResourceType.GROUP ? (access.group(op, name) ? null : ErrorCode.GROUP_AUTHORIZATION_FAILED)
    : access.cluster(op) ? null : ErrorCode.CLUSTER_AUTHORIZATION_FAILED;
  return code === null ? null : { errorCode: code, errorMessage: ERROR_MESSAGES[code]! };
}

/** A config's type by resource: whether IncrementalAlterConfigs may append to it. */
export function configType(resourceType: number, name: string): string | undefined {
  if (resourceType === ResourceType.TOPIC) return TOPIC_CONFIGS[name]?.type;
  if (resourceType === ResourceType.CLIENT_METRICS) return (CLIENT_METRICS_CONFIGS as Record<string, { type: string }>)[name]?.type;
  if (resourceType === ResourceType.GROUP) return (GROUP_CONFIGS as Record<string, { type: string }>)[name]?.type;
  return BROKER_CONFIGS[name]?.type;
}

export interface ConfigEntry {
  name: string;
  value: string | null;
  readOnly: boolean;
  isDefault: boolean;
  configSource: number;
  isSensitive: boolean;
  synonyms: Array<{ name: string; value: string | null; source: number }>;
  configType: number;
  documentation: string | null;
}

export function describeTopicConfigs(services: ConfigServices, t: TopicState, keys: string[] | null, includeSynonyms: boolean): ConfigEntry[] {
  const names = Object.keys(TOPIC_CONFIGS).filter((n) => !keys || keys.includes(n));
  return names.map((name) => {
    const def = TOPIC_CONFIGS[name]!;
    const { value, source } = services.topicConfigs.get(t, name);
    const synonyms: ConfigEntry['synonyms'] = [];
    if (includeSynonyms) {
      if (name in t.configs) synonyms.push({ name, value: t.configs[name]!, source: ConfigSource.DYNAMIC_TOPIC_CONFIG });
      if (def.synonym) {
        const b = services.config.lookup(def.synonym);
        if (b.source !== ConfigSource.DEFAULT_CONFIG) synonyms.push({ name: def.synonym, value: b.value, source: b.source });
      }
      synonyms.push({ name: def.synonym ?? name, value: def.default, source: ConfigSource.DEFAULT_CONFIG });
    }
    return {
      name, value, readOnly: false, isDefault: source === ConfigSource.DEFAULT_CONFIG, configSource: source, isSensitive: false,
      synonyms, configType: ConfigTypeCode[def.type], documentation: null,
    };
  });
}

export function describeBrokerConfigs(services: ConfigServices, keys: string[] | null, includeSynonyms: boolean): ConfigEntry[] {
  const names = Object.keys(BROKER_CONFIGS).filter((n) => !keys || keys.includes(n));
  return names.map((name) => {
    const def = BROKER_CONFIGS[name]!;
    const { value, source } = services.config.lookup(name);
    const synonyms: ConfigEntry['synonyms'] = [];
    if (includeSynonyms) {
      if (source !== ConfigSource.DEFAULT_CONFIG) synonyms.push({ name, value, source });
      if (def.default !== null) synonyms.push({ name, value: def.default, source: ConfigSource.DEFAULT_CONFIG });
    }
    return {
      name, value: def.sensitive ? null : value, readOnly: def.readOnly ?? false, isDefault: source === ConfigSource.DEFAULT_CONFIG,
      configSource: source, isSensitive: def.sensitive ?? false, synonyms, configType: ConfigTypeCode[def.type], documentation: null,
    };
  });
}

/**
 * A client metrics subscription's configs: only those set, as Kafka describes them (an
 * unknown subscription has none); an empty name is refused.
 */
export function describeClientMetricsConfigs(services: ConfigServices, name: string, keys: string[] | null): ConfigEntry[] | ResourceResult {
  if (name === '') return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Client metrics subscription name must not be empty' };
  const configs = services.metadata.clientMetrics.get(name) ?? {};
  return Object.entries(configs).filter(([k]) => !keys || keys.includes(k)).map(([k, value]) => ({
    name: k, value, readOnly: false, isDefault: false, configSource: ConfigSource.CLIENT_METRICS_CONFIG, isSensitive: false, synonyms: [],
    configType: ConfigTypeCode[CLIENT_METRICS_CONFIGS[k as keyof typeof CLIENT_METRICS_CONFIGS]?.type ?? 'STRING'], documentation: null,
  }));
}

/** A group's configs (KIP-848): every one, its override or the broker's default, as Kafka describes them; an empty name is refused. */
export function describeGroupConfigs(services: ConfigServices, group: string, keys: string[] | null): ConfigEntry[] | ResourceResult {
  if (group === '') return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Group name must not be empty' };
  const overrides = services.metadata.groupConfigs.get(group);
  return (Object.keys(GROUP_CONFIGS) as GroupConfigName[]).filter((k) => !keys || keys.includes(k)).map((name) => {
    const set = overrides?.[name] !== undefined;
    return {
      name, value: groupConfigValue(overrides, name, services.config), readOnly: false, isDefault: !set,
      configSource: set ? ConfigSource.GROUP_CONFIG : ConfigSource.DEFAULT_CONFIG, isSensitive: false, synonyms: [], configType: ConfigTypeCode.INT, documentation: null,
    };
  });
}

export interface ResourceResult {
  errorCode: number;
  errorMessage: string | null;
}

const ok: ResourceResult = { errorCode: ErrorCode.NONE, errorMessage: null };

/** Checks the broker resource name: this broker's id, or "" for the cluster-wide default. */
export function brokerResourceError(services: ConfigServices, name: string): ResourceResult | null {
  if (name === '' || name === String(services.brokerId)) return null;
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unexpected broker id, expected ${services.brokerId} or empty string, but received ${name}` };
}

/** Validates a full set of new values for a resource, then (unless validateOnly) applies it. */
export async function applyConfigs(services: ConfigServices, resourceType: number, resourceName: string, next: Record<string, string>, validateOnly: boolean): Promise<ResourceResult> {
  if (resourceType === ResourceType.TOPIC) {
    const t = services.metadata.topics.get(resourceName);
    if (!t) return { errorCode: ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, errorMessage: `Topic ${resourceName} does not exist.` };
    for (const [k, v] of Object.entries(next)) {
      const bad = topicConfigError(k, v);
      if (bad) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: bad };
    }
    if (validateOnly) return ok;
    // Every broker holding the topic's partitions applies the new configs from the metadata.
    await services.metadata.updateTopic(t.name, (cur) => ({ ...cur, configs: { ...next } }));
    services.logger.info(`configs of topic ${t.name} changed`);
    return ok;
  }
  if (resourceType === ResourceType.BROKER) {
    const e = brokerResourceError(services, resourceName);
    if (e) return e;
    for (const [k, v] of Object.entries(next)) {
      const def = BROKER_CONFIGS[k];
      if (!def || def.readOnly) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Cannot update these configs dynamically: Set(${k})` };
      const bad = validateConfigValue(def.type, v);
      if (bad) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: `Invalid value ${v} for configuration ${k}: ${bad}` };
    }
    if (validateOnly) return ok;
    await services.metadata.setBrokerConfigs({ ...next });
    services.logger.info('dynamic broker configs changed');
    return ok;
  }
  if (resourceType === ResourceType.CLIENT_METRICS) {
    try {
      validateClientMetrics(resourceName, next);
    } catch (e) {
      if (!(e instanceof ClientMetricsConfigError)) throw e;
      return { errorCode: ErrorCode[e.code], errorMessage: e.message };
    }
    if (validateOnly) return ok;
    await services.metadata.setNamedConfigs('client-metrics', resourceName, next);
    services.logger.info(`client metrics subscription ${resourceName} ${Object.keys(next).length > 0 ? 'set' : 'removed'}`);
    return ok;
  }
  if (resourceType === ResourceType.GROUP) {
    if (resourceName === '') return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: 'Group name must not be empty' };
    const bad = groupConfigError(next, services.config);
    if (bad) return { errorCode: ErrorCode.INVALID_CONFIG, errorMessage: bad };
    if (validateOnly) return ok;
    await services.metadata.setNamedConfigs('group-configs', resourceName, next);
    services.logger.info(`configs of group ${resourceName} changed`);
    return ok;
  }
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type ${resourceType}` };
}

/** The current override set of a resource, as AlterConfigs replaces it and IncrementalAlterConfigs edits it. */
export function currentOverrides(services: ConfigServices, resourceType: number, resourceName: string): Record<string, string> {
  if (resourceType === ResourceType.TOPIC) return { ...(services.metadata.topics.get(resourceName)?.configs ?? {}) };
  if (resourceType === ResourceType.CLIENT_METRICS) return { ...(services.metadata.clientMetrics.get(resourceName) ?? {}) };
  if (resourceType === ResourceType.GROUP) return { ...(services.metadata.groupConfigs.get(resourceName) ?? {}) };
  return { ...services.metadata.brokerConfigs };
}
