// Feature levels (KIP-584): what this broker supports and what its cluster has finalized,
// as ApiVersions v3+ reports them and UpdateFeatures changes them. Clients switch
// protocols on a finalized level: a Kafka 4 producer uses transaction version 2 (EndTxn
// v5, Produce v12, an epoch bump per transaction: KIP-890 part 2) only where
// `transaction.version` is finalized at 2.
// Kafka sets levels when a cluster is formatted (`kafka-storage format --feature`); here
// the first broker of a cluster writes the levels it was started with (`krill start
// --feature`) to the cluster metadata, and from then on the cluster's levels hold, on every
// broker and across restarts, until UpdateFeatures changes them.
import { ConfigError } from './config.js';
import type { FinalizedFeatures } from './controller/cluster-metadata.js';
import { ErrorCode } from '../protocol/errors.js';

/** metadata.version levels: 7 is 3.3-IV3 (the oldest Kafka 4 takes), 29 is 4.2-IV1. */
export const SUPPORTED_FEATURES = {
  'metadata.version': { min: 7, max: 29 },
  'transaction.version': { min: 0, max: 2 },
  'group.version': { min: 0, max: 1 },
} as const satisfies Record<string, { min: number; max: number }>;

export type FeatureName = keyof typeof SUPPORTED_FEATURES;
export type FeatureLevels = Partial<Record<FeatureName, number>>;

/** What a Kafka 4.2 cluster is formatted with by default. group.version 1: KIP-848 consumer groups. */
const DEFAULT_LEVELS: Record<FeatureName, number> = { 'metadata.version': 29, 'transaction.version': 2, 'group.version': 1 };

const isFeature = (name: string): name is FeatureName => Object.hasOwn(SUPPORTED_FEATURES, name);

/** Where the cluster's finalized levels live (the cluster metadata). */
export interface FeatureStore {
  readonly features: FinalizedFeatures | null;
  updateFeatures(fn: (current: Record<string, number> | null) => Record<string, number> | null): Promise<void>;
}

/** UpdateFeatures' upgrade types (v1+; v0's AllowDowngrade maps to 1 or 2). */
export const UpgradeType = { UPGRADE: 1, SAFE_DOWNGRADE: 2, UNSAFE_DOWNGRADE: 3 } as const;

export interface FeatureUpdate {
  feature: string;
  level: number;
  upgradeType: number;
}

export class Features {
  /** The levels this broker was started with: the cluster's until it has some of its own. */
  private readonly formatted: Record<FeatureName, number>;

  constructor(levels: FeatureLevels = {}, private readonly store: FeatureStore | null = null, private readonly nodeId = 0) {
    this.formatted = { ...DEFAULT_LEVELS };
    for (const [name, level] of Object.entries(levels)) {
      if (!isFeature(name)) throw new ConfigError(`unknown feature ${name}; known: ${Object.keys(SUPPORTED_FEATURES).join(', ')}`);
      const { min, max } = SUPPORTED_FEATURES[name];
      if (!Number.isInteger(level) || level < min || level > max) throw new ConfigError(`feature ${name} level ${level} is outside ${min}-${max}`);
      this.formatted[name] = level;
    }
  }

  /** Writes the levels this broker was started with when the cluster has none yet, as formatting a cluster does. */
  async bootstrap(): Promise<void> {
    await this.store?.updateFeatures((current) => (current ? null : { ...this.formatted }));
  }

  level(name: FeatureName): number {
    return this.store?.features?.levels[name] ?? this.formatted[name];
  }

  /**
   * ApiVersions' feature fields. A feature at level 0 is not finalized, as in Kafka. The
   * epoch is the store revision of the levels' last change (Kafka's metadata offset).
   */
  apiVersionsFields(): { supportedFeatures: Array<{ name: string; minVersion: number; maxVersion: number }>; finalizedFeaturesEpoch: number; finalizedFeatures: Array<{ name: string; maxVersionLevel: number; minVersionLevel: number }> } {
    const names = Object.keys(SUPPORTED_FEATURES) as FeatureName[];
    return {
      supportedFeatures: names.map((name) => ({ name, minVersion: SUPPORTED_FEATURES[name].min, maxVersion: SUPPORTED_FEATURES[name].max })),
      finalizedFeaturesEpoch: this.store?.features?.epoch ?? 0,
      finalizedFeatures: names.filter((name) => this.level(name) > 0).map((name) => ({ name, maxVersionLevel: this.level(name), minVersionLevel: this.level(name) })),
    };
  }

  /**
   * UpdateFeatures as Kafka's controller (FeatureControlManager) takes it: every update
   * checked against the levels as they stand, all written or none; the first refusal is
   * the answer, prefixed as QuorumController prefixes it.
   */
  async update(updates: readonly FeatureUpdate[], validateOnly: boolean): Promise<{ errorCode: number; errorMessage: string | null }> {
    const outcome: { refusal: string | null } = { refusal: null };
    const apply = (current: Record<string, number>): Record<string, number> | null => {
      outcome.refusal = null;
      const next = { ...current };
      for (const u of updates) {
        outcome.refusal = this.refusal(u, current[u.feature] ?? 0);
        if (outcome.refusal) return null;
        next[u.feature] = u.level;
      }
      return validateOnly ? null : next;
    };
    if (this.store) await this.store.updateFeatures((current) => apply(current ?? { ...this.formatted }));
    else apply({ ...this.formatted });
    if (outcome.refusal === null) return { errorCode: ErrorCode.NONE, errorMessage: null };
    return { errorCode: ErrorCode.INVALID_UPDATE_VERSION, errorMessage: `The update failed for all features since the following feature had an error: ${outcome.refusal}` };
  }

  /** Why one update is refused (Kafka's messages), or null. */
  private refusal(u: FeatureUpdate, current: number): string | null {
    const invalid = (why: string) => `Invalid update version ${u.level} for feature ${u.feature}. ${why}`;
    if (u.upgradeType < UpgradeType.UPGRADE || u.upgradeType > UpgradeType.UNSAFE_DOWNGRADE) return invalid('The controller does not support the given upgrade type.');
    if (u.level < 0) return invalid('A feature version cannot be less than 0.');
    const range = isFeature(u.feature) ? SUPPORTED_FEATURES[u.feature] : { min: 0, max: 0 };
    if (u.level < range.min || u.level > range.max) {
      return invalid(range.max === 0 ? `Local controller ${this.nodeId} does not support this feature.` : `Local controller ${this.nodeId} only supports versions ${range.min}-${range.max}`);
    }
    if (!isFeature(u.feature)) return invalid(`No feature found with name ${u.feature}`);
    if (u.level < current && u.upgradeType === UpgradeType.UPGRADE) {
      return invalid('Can\'t downgrade the version of this feature without setting the upgrade type to either safe or unsafe downgrade.');
    }
    if (u.level > current && u.upgradeType !== UpgradeType.UPGRADE) return invalid('Can\'t downgrade to a newer version.');
    if (u.feature === 'metadata.version' && u.level < current) {
      // Every metadata.version step here may have changed the metadata: Kafka refuses such a downgrade.
      const why = u.upgradeType === UpgradeType.UNSAFE_DOWNGRADE ? 'Unsafe metadata downgrade is not supported in this version.'
        : 'Refusing to perform the requested downgrade because it might delete metadata information.';
      return `Unsupported metadata.version downgrade from ${current} to ${u.level}. ${why}`;
    }
    return null;
  }
}

/** `name=level`, as `kafka-storage format --feature` takes it. */
export function parseFeature(arg: string): [FeatureName, number] {
  const m = /^([a-z.]+)=(\d+)$/.exec(arg);
  if (!m || !isFeature(m[1]!)) throw new ConfigError(`--feature expects name=level with a name of ${Object.keys(SUPPORTED_FEATURES).join(', ')}, got ${arg}`);
  return [m[1], Number(m[2])];
}
