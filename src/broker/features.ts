// Feature levels (KIP-584): what this broker supports and what its cluster has finalized,
// as ApiVersions v3+ reports them. Clients switch protocols on a finalized level: a Kafka
// 4 producer uses transaction version 2 (EndTxn v5, Produce v12, an epoch bump per
// transaction: KIP-890 part 2) only where `transaction.version` is finalized at 2.
// Kafka sets levels when a cluster is formatted (`kafka-storage format --feature`); here
// they are set when a broker starts (`krill start --feature`), and are the same on every
// broker of a cluster started alike.
import { ConfigError } from './config.js';

export const SUPPORTED_FEATURES = {
  'transaction.version': { min: 0, max: 2 },
} as const satisfies Record<string, { min: number; max: number }>;

export type FeatureName = keyof typeof SUPPORTED_FEATURES;
export type FeatureLevels = Partial<Record<FeatureName, number>>;

/** What a Kafka 4.0 cluster is formatted with by default. */
const DEFAULT_LEVELS: Record<FeatureName, number> = { 'transaction.version': 2 };

const isFeature = (name: string): name is FeatureName => Object.hasOwn(SUPPORTED_FEATURES, name);

export class Features {
  private readonly levels: Record<FeatureName, number>;

  constructor(levels: FeatureLevels = {}) {
    this.levels = { ...DEFAULT_LEVELS };
    for (const [name, level] of Object.entries(levels)) {
      if (!isFeature(name)) throw new ConfigError(`unknown feature ${name}; known: ${Object.keys(SUPPORTED_FEATURES).join(', ')}`);
      const { min, max } = SUPPORTED_FEATURES[name];
      if (!Number.isInteger(level) || level < min || level > max) throw new ConfigError(`feature ${name} level ${level} is outside ${min}-${max}`);
      this.levels[name] = level;
    }
  }

  level(name: FeatureName): number {
    return this.levels[name];
  }

  /**
   * ApiVersions' feature fields. A feature at level 0 is not finalized, as in Kafka. The
   * epoch is Kafka's metadata offset of the last change: levels never change while a
   * broker runs, so any epoch past -1 (unknown) serves.
   */
  apiVersionsFields(): { supportedFeatures: Array<{ name: string; minVersion: number; maxVersion: number }>; finalizedFeaturesEpoch: number; finalizedFeatures: Array<{ name: string; maxVersionLevel: number; minVersionLevel: number }> } {
    const names = Object.keys(SUPPORTED_FEATURES) as FeatureName[];
    return {
      supportedFeatures: names.map((name) => ({ name, minVersion: SUPPORTED_FEATURES[name].min, maxVersion: SUPPORTED_FEATURES[name].max })),
      finalizedFeaturesEpoch: 0,
      finalizedFeatures: names.filter((name) => this.levels[name] > 0).map((name) => ({ name, maxVersionLevel: this.levels[name], minVersionLevel: this.levels[name] })),
    };
  }
}

/** `name=level`, as `kafka-storage format --feature` takes it. */
export function parseFeature(arg: string): [FeatureName, number] {
  const m = /^([a-z.]+)=(\d+)$/.exec(arg);
  if (!m || !isFeature(m[1]!)) throw new ConfigError(`--feature expects name=level with a name of ${Object.keys(SUPPORTED_FEATURES).join(', ')}, got ${arg}`);
  return [m[1], Number(m[2])];
}
