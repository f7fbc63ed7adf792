// What a request costs against its client's quotas once answered, as Kafka's KafkaApis
// counts it: a Produce its size in bytes (producer_byte_rate), every request the time the
// broker spent on it (request_percentage). Fetch counts its answer's bytes in its handler,
// which must answer empty when throttled. The connection mutes its reads for the
// throttle time returned (KIP-219), so even a client that ignores throttle_time_ms waits.
import type { ClientQuotas, QuotaClient } from './client-quotas.js';
import { ANONYMOUS } from './client-quotas.js';

const PRODUCE = 0;
const FETCH = 1;
const API_VERSIONS = 18;

export interface AnsweredRequest {
  apiKey: number;
  clientId: string | null;
  /** The authenticated user (SASL), or null. */
  user: string | null;
  /** The request's size on the wire. */
  bytes: number;
  /** The broker's own time on it (ms), not time spent waiting for data or replicas. */
  busyMs: number;
  /** Produce with acks=0: no request time is counted (Kafka's rule). */
  noAnswer: boolean;
}

/** A request's client for quotas: its authenticated user (ANONYMOUS on a PLAINTEXT listener, as in Kafka) and client id. */
export const quotaClient = (clientId: string | null, user: string | null = null): QuotaClient => ({ user: user ?? ANONYMOUS, clientId: clientId ?? '' });

/** Kafka's follower fetch: replication, never a client's quota. */
export function isFollowerFetch(apiKey: number, req: object): boolean {
  if (apiKey !== FETCH) return false;
  const r = req as { replicaId?: number; replicaState?: { replicaId: number } };
  return (r.replicaState?.replicaId ?? -1) >= 0 || (r.replicaId ?? -1) >= 0;
}

/** The throttle time `a` earns against its client's quotas (0: none applies or it is within them). */
export function throttleFor(quotas: ClientQuotas, a: AnsweredRequest, now: number): number {
  if (a.apiKey === API_VERSIONS) return 0;
  const client = quotaClient(a.clientId, a.user);
  const bandwidth = a.apiKey === PRODUCE ? quotas.record('producer_byte_rate', client, a.bytes, now) : 0;
  // ms of busy time per second as a percentage of one thread: nanos * 100 / 1e9.
  const request = a.noAnswer ? 0 : quotas.record('request_percentage', client, a.busyMs / 10, now);
  return Math.max(bandwidth, request);
}
