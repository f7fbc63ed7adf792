// Group configs (KIP-848, Kafka 4.0's GroupConfig): per-group overrides of the consumer
// protocol's session timeout and heartbeat interval, config resources of type GROUP,
// checked as Kafka checks them against the broker's bounds.

/** Each group config and the broker config that is its default. */
export const GROUP_CONFIGS = {
  'consumer.session.timeout.ms': { type: 'INT', broker: 'group.consumer.session.timeout.ms' },
  'consumer.heartbeat.interval.ms': { type: 'INT', broker: 'group.consumer.heartbeat.interval.ms' },
} as const;

export type GroupConfigName = keyof typeof GROUP_CONFIGS;

const isGroupConfig = (name: string): name is GroupConfigName => Object.hasOwn(GROUP_CONFIGS, name);

/** The value a group's config has: its override, else the broker's default. */
export function groupConfigValue(overrides: Readonly<Record<string, string>> | undefined, name: GroupConfigName, broker: { get(name: string): string | null }): string {
  return overrides?.[name] ?? broker.get(GROUP_CONFIGS[name].broker) ?? '';
}

/** Kafka's GroupConfig.validate; null when the overrides may be set. */
export function groupConfigError(overrides: Readonly<Record<string, string>>, broker: { get(name: string): string | null; int(name: string): number }): string | null {
  for (const name of Object.keys(overrides)) if (!isGroupConfig(name)) return `Unknown group config name: ${name}`;
  for (const [name, value] of Object.entries(overrides)) {
    if (!/^-?\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) return `Invalid value ${value} for configuration ${name}: Not a number of type INT`;
  }
  const heartbeat = Number(groupConfigValue(overrides, 'consumer.heartbeat.interval.ms', broker));
  const session = Number(groupConfigValue(overrides, 'consumer.session.timeout.ms', broker));
  const bounds = (name: string, value: number, prefix: 'heartbeat.interval' | 'session.timeout') => {
    if (value < broker.int(`group.consumer.min.${prefix}.ms`)) return `${name} must be greater than or equal to group.consumer.min.${prefix}.ms`;
    if (value > broker.int(`group.consumer.max.${prefix}.ms`)) return `${name} must be less than or equal to group.consumer.max.${prefix}.ms`;
    return null;
  };
  return bounds('consumer.heartbeat.interval.ms', heartbeat, 'heartbeat.interval') ?? bounds('consumer.session.timeout.ms', session, 'session.timeout')
    ?? (heartbeat >= session ? 'consumer.heartbeat.interval.ms must be less than consumer.session.timeout.ms' : null);
}
