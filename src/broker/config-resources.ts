// Shared by DescribeConfigs, AlterConfigs and IncrementalAlterConfigs: what a topic or
// broker resource's configs are, and how changes to them are checked and applied.
import { ErrorCode } from '../protocol/errors.js';
import type { Services } from './services.js';

/** What reading and changing configs takes. */
export type ConfigServices = Services<'brokerId' | 'config' | 'logger' | 'metadata' | 'topicConfigs'>;
import { BROKER_CONFIGS, ConfigSource, ConfigTypeCode, TOPIC_CONFIGS, topicConfigError, validateConfigValue } from './config.js';
import type { TopicState } from './controller/cluster-metadata.js';

export const ResourceType = { TOPIC: 2, BROKER: 4, BROKER_LOGGER: 8 } as const;

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
  return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: `Unsupported resource type ${resourceType}` };
}

/** The current override set of a resource, as AlterConfigs replaces it and IncrementalAlterConfigs edits it. */
export function currentOverrides(services: ConfigServices, resourceType: number, resourceName: string): Record<string, string> {
  if (resourceType === ResourceType.TOPIC) return { ...(services.metadata.topics.get(resourceName)?.configs ?? {}) };
  return { ...services.metadata.brokerConfigs };
}
