// The consumer protocol's bytes inside JoinGroup (a member's subscription) and SyncGroup
// (its assignment): a version, then the fields of Kafka's ConsumerProtocolSubscription and
// ConsumerProtocolAssignment declarations. A version newer than those declarations is read
// with the newest known, as Kafka reads it; unreadable bytes read as nothing.
import { type ConsumerProtocolAssignment, consumerProtocolAssignment, type ConsumerProtocolSubscription, consumerProtocolSubscription } from './coordinator/consumer-protocol.js';
import { encodeValue } from './coordinator/record-codec.js';
import { Reader } from './primitives.js';
import { decodeMessage, type MessageSchema } from './schema.js';

function read<T>(schema: MessageSchema<T>, bytes: Buffer): T | null {
  try {
    const r = new Reader(bytes);
    return decodeMessage(schema, Math.min(r.int16(), schema.validVersions[1]), r);
  } catch {
    return null;
  }
}

/** The topics a subscription names; [] when unreadable. */
export function subscribedTopics(subscription: Buffer): string[] {
  return [...(read<ConsumerProtocolSubscription>(consumerProtocolSubscription, subscription)?.topics ?? [])];
}

/** What a classic member's subscription says: its topics, the partitions it owns (v1+), its generation (v2+) and rack (v3+); empty when unreadable. */
export function readSubscription(subscription: Buffer): { topics: string[]; ownedPartitions: Array<{ topic: string; partitions: number[] }>; generationId: number; rackId: string | null } {
  const s = read<ConsumerProtocolSubscription>(consumerProtocolSubscription, subscription);
  return {
    topics: [...(s?.topics ?? [])],
    ownedPartitions: (s?.ownedPartitions ?? []).map((t) => ({ topic: t.topic ?? '', partitions: [...(t.partitions ?? [])] })),
    generationId: s?.generationId ?? -1,
    rackId: s?.rackId ?? null,
  };
}

/** A member's assignment: topic -> partitions; empty when unreadable. */
export function readAssignment(assignment: Buffer): Map<string, number[]> {
  const a = read<ConsumerProtocolAssignment>(consumerProtocolAssignment, assignment);
  return new Map((a?.assignedPartitions ?? []).map((t) => [t.topic, [...t.partitions]]));
}

export const subscriptionBytes = (topics: readonly string[]): Buffer => encodeValue(consumerProtocolSubscription, 0, { topics, userData: null });

export const assignmentBytes = (assigned: ReadonlyMap<string, readonly number[]>): Buffer =>
  encodeValue(consumerProtocolAssignment, 0, { assignedPartitions: [...assigned].map(([topic, partitions]) => ({ topic, partitions })), userData: null });
