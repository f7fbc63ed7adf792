// A KIP-848 consumer group's records in __consumer_offsets, in Kafka's formats (generated
// from its declarations), so a new coordinator after a failover or a restart knows the
// group as the old one did:
//   ConsumerGroupMetadataKey (group)                        -> the group epoch
//   ConsumerGroupMemberMetadataKey (group, member)          -> subscription and client
//   ConsumerGroupTargetAssignmentMemberKey (group, member)  -> the member's target
//   ConsumerGroupTargetAssignmentMetadataKey (group)        -> the target's epoch
//   ConsumerGroupCurrentMemberAssignmentKey (group, member) -> epochs, state, partitions
import {
  consumerGroupCurrentMemberAssignmentKey, consumerGroupCurrentMemberAssignmentValue, consumerGroupMemberMetadataKey, consumerGroupMemberMetadataValue,
  consumerGroupMetadataKey, consumerGroupMetadataValue, consumerGroupTargetAssignmentMemberKey, consumerGroupTargetAssignmentMemberValue,
  consumerGroupTargetAssignmentMetadataKey, consumerGroupTargetAssignmentMetadataValue,
} from '../../protocol/coordinator/group-coordinator.js';
import { decodeKey, decodeValue, encodeKey, encodeValue } from '../../protocol/coordinator/record-codec.js';
import type { CoordinatorRecord } from '../coordinator/partition-writer.js';
import type { Assignment } from './assignors.js';
import type { ConsumerGroup, ConsumerMember } from './consumer-group.js';
import { assignmentList, type MemberState } from './reconciliation.js';

/** Kafka's MemberState values. */
const STATE_CODES: Record<MemberState, number> = { STABLE: 1, UNREVOKED_PARTITIONS: 2, UNRELEASED_PARTITIONS: 3 };
const STATES = new Map(Object.entries(STATE_CODES).map(([k, v]) => [v, k as MemberState]));

/** The member's subscription and client, as a ConsumerGroupMemberMetadataValue holds them. */
export type MemberMetadata = Pick<ConsumerMember, 'instanceId' | 'rackId' | 'clientId' | 'clientHost' | 'subscribedTopicNames' | 'subscribedTopicRegex' | 'rebalanceTimeoutMs' | 'serverAssignor' | 'classic'>;
export type CurrentAssignment = Pick<ConsumerMember, 'memberEpoch' | 'previousMemberEpoch' | 'state' | 'assigned' | 'pendingRevocation'>;

export type ConsumerGroupRecord =
  | { kind: 'consumer-group'; group: string; epoch: number | null }
  | { kind: 'consumer-member'; group: string; memberId: string; value: MemberMetadata | null }
  | { kind: 'consumer-target'; group: string; memberId: string; value: Assignment | null }
  | { kind: 'consumer-target-epoch'; group: string; epoch: number | null }
  | { kind: 'consumer-current'; group: string; memberId: string; value: CurrentAssignment | null };

const toMap = (list: ReadonlyArray<{ topicId: string; partitions: ReadonlyArray<number> }>): Assignment => new Map(list.map((t) => [t.topicId, [...t.partitions]]));

export const groupEpochRecord = (groupId: string, epoch: number | null): CoordinatorRecord => ({
  key: encodeKey(consumerGroupMetadataKey, { groupId }),
  value: epoch === null ? null : encodeValue(consumerGroupMetadataValue, 0, { epoch }),
});

export const memberRecord = (groupId: string, memberId: string, m: MemberMetadata | null): CoordinatorRecord => ({
  key: encodeKey(consumerGroupMemberMetadataKey, { groupId, memberId }),
  value: m === null ? null : encodeValue(consumerGroupMemberMetadataValue, 0, {
    instanceId: m.instanceId, rackId: m.rackId, clientId: m.clientId, clientHost: m.clientHost, subscribedTopicNames: m.subscribedTopicNames,
    subscribedTopicRegex: m.subscribedTopicRegex, rebalanceTimeoutMs: m.rebalanceTimeoutMs, serverAssignor: m.serverAssignor,
    classicMemberMetadata: m.classic && { sessionTimeoutMs: m.classic.sessionTimeoutMs, supportedProtocols: m.classic.protocols },
  }),
});

export const targetRecord = (groupId: string, memberId: string, a: Assignment | null): CoordinatorRecord => ({
  key: encodeKey(consumerGroupTargetAssignmentMemberKey, { groupId, memberId }),
  value: a === null ? null : encodeValue(consumerGroupTargetAssignmentMemberValue, 0, { topicPartitions: assignmentList(a) }),
});

export const targetEpochRecord = (groupId: string, epoch: number | null): CoordinatorRecord => ({
  key: encodeKey(consumerGroupTargetAssignmentMetadataKey, { groupId }),
  value: epoch === null ? null : encodeValue(consumerGroupTargetAssignmentMetadataValue, 0, { assignmentEpoch: epoch }),
});

export const currentRecord = (groupId: string, memberId: string, c: CurrentAssignment | null): CoordinatorRecord => ({
  key: encodeKey(consumerGroupCurrentMemberAssignmentKey, { groupId, memberId }),
  value: c === null ? null : encodeValue(consumerGroupCurrentMemberAssignmentValue, 0, {
    memberEpoch: c.memberEpoch, previousMemberEpoch: c.previousMemberEpoch, state: STATE_CODES[c.state],
    assignedPartitions: assignmentList(c.assigned), partitionsPendingRevocation: assignmentList(c.pendingRevocation),
  }),
});

/** Reads a consumer group record of record type `type`; null for another type. */
export function readConsumerGroupRecord(type: number, key: Buffer, value: Buffer | null): ConsumerGroupRecord | null {
  switch (type) {
    case consumerGroupMetadataKey.apiKey: {
      const { groupId } = decodeKey(consumerGroupMetadataKey, key);
      return { kind: 'consumer-group', group: groupId, epoch: value && decodeValue(consumerGroupMetadataValue, value).epoch };
    }
    case consumerGroupMemberMetadataKey.apiKey: {
      const { groupId, memberId } = decodeKey(consumerGroupMemberMetadataKey, key);
      const v = value && decodeValue(consumerGroupMemberMetadataValue, value);
      const classic = v?.classicMemberMetadata;
      return {
        kind: 'consumer-member', group: groupId, memberId,
        value: v && {
          instanceId: v.instanceId, rackId: v.rackId, clientId: v.clientId, clientHost: v.clientHost, subscribedTopicNames: [...v.subscribedTopicNames],
          subscribedTopicRegex: v.subscribedTopicRegex, rebalanceTimeoutMs: v.rebalanceTimeoutMs ?? -1, serverAssignor: v.serverAssignor,
          classic: classic ? { sessionTimeoutMs: classic.sessionTimeoutMs, protocols: classic.supportedProtocols.map((x) => ({ name: x.name, metadata: Buffer.from(x.metadata) })) } : null,
        },
      };
    }
    case consumerGroupTargetAssignmentMemberKey.apiKey: {
      const { groupId, memberId } = decodeKey(consumerGroupTargetAssignmentMemberKey, key);
      return { kind: 'consumer-target', group: groupId, memberId, value: value && toMap(decodeValue(consumerGroupTargetAssignmentMemberValue, value).topicPartitions) };
    }
    case consumerGroupTargetAssignmentMetadataKey.apiKey: {
      const { groupId } = decodeKey(consumerGroupTargetAssignmentMetadataKey, key);
      return { kind: 'consumer-target-epoch', group: groupId, epoch: value && decodeValue(consumerGroupTargetAssignmentMetadataValue, value).assignmentEpoch };
    }
    case consumerGroupCurrentMemberAssignmentKey.apiKey: {
      const { groupId, memberId } = decodeKey(consumerGroupCurrentMemberAssignmentKey, key);
      const v = value && decodeValue(consumerGroupCurrentMemberAssignmentValue, value);
      return {
        kind: 'consumer-current', group: groupId, memberId,
        value: v && { memberEpoch: v.memberEpoch, previousMemberEpoch: v.previousMemberEpoch, state: STATES.get(v.state) ?? 'STABLE', assigned: toMap(v.assignedPartitions), pendingRevocation: toMap(v.partitionsPendingRevocation) },
      };
    }
    default:
      return null;
  }
}

export function isConsumerGroupRecord(r: { kind: string }): r is ConsumerGroupRecord {
  return r.kind.startsWith('consumer-');
}

/** A member gone: its current assignment, target and metadata tombstoned, in Kafka's order. */
export function memberTombstones(groupId: string, memberId: string): CoordinatorRecord[] {
  return [currentRecord(groupId, memberId, null), targetRecord(groupId, memberId, null), memberRecord(groupId, memberId, null)];
}

/** The group gone: every member's records, then the group's. */
export function consumerGroupTombstones(cg: ConsumerGroup): CoordinatorRecord[] {
  return [...[...cg.members.keys()].flatMap((id) => memberTombstones(cg.groupId, id)), targetEpochRecord(cg.groupId, null), groupEpochRecord(cg.groupId, null)];
}
