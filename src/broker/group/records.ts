// The group coordinator's records in __consumer_offsets, in Kafka's formats (generated from
// its declarations: protocol/coordinator/group-coordinator.ts), so the topic is readable
// by Kafka's own tools and group state survives restarts:
//   OffsetCommitKey (group, topic, partition) -> OffsetCommitValue v3
//   GroupMetadataKey (group)                  -> GroupMetadataValue v3
// and a KIP-848 group's records (consumer-records.ts).
import {
  type GroupMetadataValue, groupMetadataKey, groupMetadataValue, offsetCommitKey, offsetCommitValue,
} from '../../protocol/coordinator/group-coordinator.js';
import { decodeKey, decodeValue, encodeKey, encodeValue, keyType } from '../../protocol/coordinator/record-codec.js';
import { type ConsumerGroupRecord, readConsumerGroupRecord } from './consumer-records.js';

/** The value versions written: what Kafka 3.x writes for a classic group. */
const OFFSET_VALUE_VERSION = 3;
const GROUP_VALUE_VERSION = 3;
/** LegacyOffsetCommitKey (type 0) has OffsetCommitKey's fields; Kafka reads both. */
const LEGACY_OFFSET_KEY = 0;

export interface OffsetValue {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

export type GroupValue = Required<Pick<GroupMetadataValue, 'protocolType' | 'generation' | 'protocol' | 'leader' | 'currentStateTimestamp'>> & {
  members: Array<Required<GroupMetadataValue['members'][number]>>;
};

export type CoordinatorRecord =
  | { kind: 'offset'; group: string; topic: string; partition: number; value: OffsetValue | null }
  | { kind: 'group'; group: string; value: GroupValue | null }
  | ConsumerGroupRecord;

export const offsetKey = (group: string, topic: string, partition: number): Buffer => encodeKey(offsetCommitKey, { group, topic, partition });

export const offsetValue = (v: OffsetValue): Buffer => encodeValue(offsetCommitValue, OFFSET_VALUE_VERSION, v);

export const groupKey = (group: string): Buffer => encodeKey(groupMetadataKey, { group });

export const groupValue = (v: GroupValue): Buffer => encodeValue(groupMetadataValue, GROUP_VALUE_VERSION, v);

/** Reads one record of __consumer_offsets; null for a record type this broker does not know. */
export function readCoordinatorRecord(key: Buffer, value: Buffer | null): CoordinatorRecord | null {
  const type = keyType(key);
  if (type === LEGACY_OFFSET_KEY || type === offsetCommitKey.apiKey) {
    const { group, topic, partition } = decodeKey(offsetCommitKey, key);
    if (!value) return { kind: 'offset', group, topic, partition, value: null };
    const v = decodeValue(offsetCommitValue, value);
    return { kind: 'offset', group, topic, partition, value: { offset: v.offset, leaderEpoch: v.leaderEpoch ?? -1, metadata: v.metadata, commitTimestamp: v.commitTimestamp } };
  }
  if (type === groupMetadataKey.apiKey) {
    const { group } = decodeKey(groupMetadataKey, key);
    if (!value) return { kind: 'group', group, value: null };
    const v = decodeValue(groupMetadataValue, value);
    return {
      kind: 'group',
      group,
      value: {
        protocolType: v.protocolType, generation: v.generation, protocol: v.protocol, leader: v.leader,
        currentStateTimestamp: v.currentStateTimestamp ?? -1,
        members: v.members.map((m) => ({
          memberId: m.memberId, groupInstanceId: m.groupInstanceId ?? null, clientId: m.clientId, clientHost: m.clientHost,
          rebalanceTimeout: m.rebalanceTimeout ?? -1, sessionTimeout: m.sessionTimeout,
          subscription: m.subscription, assignment: m.assignment,
        })),
      },
    };
  }
  return readConsumerGroupRecord(type, key, value);
}

/** The topics a consumer-protocol subscription names; [] if unreadable. */
export { subscribedTopics } from '../../protocol/consumer-protocol.js';

/** Java's String.hashCode, which decides a group's __consumer_offsets partition. */
export function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs(hash) % partitions (abs as n & 0x7fffffff, so MIN_VALUE maps to 0). */
export const partitionForGroup = (group: string, partitions: number): number => (javaHashCode(group) & 0x7fffffff) % partitions;
