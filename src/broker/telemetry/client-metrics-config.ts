// Client metrics subscriptions (KIP-714): config resources of type CLIENT_METRICS, each
// naming the metrics wanted (`metrics`, prefixes or `*`), how often (`interval.ms`) and of
// which clients (`match`: client_instance_id, client_id, client_software_name,
// client_software_version, client_source_address, client_source_port = a regular
// expression the whole value must match), checked as Kafka's ClientMetricsConfigs checks
// them.
import { RE2JS } from 're2js';

export const CLIENT_METRICS_CONFIGS = {
  metrics: { type: 'LIST', default: '' },
  'interval.ms': { type: 'INT', default: '300000' },
  match: { type: 'LIST', default: '' },
} as const satisfies Record<string, { type: 'LIST' | 'INT'; default: string }>;

export const DEFAULT_INTERVAL_MS = 300_000;
const MIN_INTERVAL_MS = 100;
const MAX_INTERVAL_MS = 3_600_000;

/** The client attributes a `match` pattern may name. */
export const MATCH_KEYS = ['client_instance_id', 'client_id', 'client_software_name', 'client_software_version', 'client_source_address', 'client_source_port'] as const;
export type MatchKey = (typeof MATCH_KEYS)[number];

export interface Subscription {
  name: string;
  metrics: string[];
  intervalMs: number;
  match: Map<MatchKey, RE2JS>;
}

/** Kafka's refusals: INVALID_REQUEST for names, keys and intervals, INVALID_CONFIG for patterns. */
export class ClientMetricsConfigError extends Error {
  constructor(readonly code: 'INVALID_REQUEST' | 'INVALID_CONFIG', message: string) {
    super(message);
  }
}

const list = (v: string | undefined): string[] => (v ?? '').split(',').map((s) => s.trim()).filter((s) => s.length > 0);

/** parseMatchingPatterns: `key=regex` pairs of known keys with patterns that compile. */
function parseMatch(patterns: string[]): Map<MatchKey, RE2JS> {
  const out = new Map<MatchKey, RE2JS>();
  for (const pattern of patterns) {
    const pair = pattern.split('=');
    const key = pair[0]?.trim() as MatchKey;
    if (pair.length !== 2 || !MATCH_KEYS.includes(key)) throw new ClientMetricsConfigError('INVALID_CONFIG', `Illegal client matching pattern: ${pattern}`);
    try {
      out.set(key, RE2JS.compile(pair[1]!.trim()));
    } catch {
      throw new ClientMetricsConfigError('INVALID_CONFIG', `Illegal client matching pattern: ${pattern}`);
    }
  }
  return out;
}

/** ClientMetricsConfigs.validate; throws ClientMetricsConfigError. */
export function validateClientMetrics(name: string, configs: Record<string, string>): void {
  if (name === '') throw new ClientMetricsConfigError('INVALID_REQUEST', 'Subscription name can\'t be empty');
  for (const key of Object.keys(configs)) {
    if (!(key in CLIENT_METRICS_CONFIGS)) throw new ClientMetricsConfigError('INVALID_REQUEST', `Unknown client metrics configuration: ${key}`);
  }
  const interval = configs['interval.ms'];
  if (interval !== undefined) {
    const ms = Number(interval);
    if (!Number.isInteger(ms) || ms < MIN_INTERVAL_MS || ms > MAX_INTERVAL_MS) {
      throw new ClientMetricsConfigError('INVALID_REQUEST', `Invalid value ${interval} for interval.ms, interval must be between 100 and 3600000 (1 hour)`);
    }
  }
  if (configs.match !== undefined) parseMatch(configs.match.split(','));
}

/** A stored subscription as the telemetry manager uses it (its configs were validated when set). */
export function subscriptionOf(name: string, configs: Record<string, string>): Subscription {
  return {
    name,
    metrics: list(configs.metrics),
    intervalMs: configs['interval.ms'] !== undefined ? Number(configs['interval.ms']) : DEFAULT_INTERVAL_MS,
    match: parseMatch(list(configs.match)),
  };
}
