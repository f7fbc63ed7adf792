// Kafka's key and value formats for records in __consumer_offsets, so the topic is
// readable by Kafka's own tools and group state survives restarts:
//   OffsetCommitKey v1 (group, topic, partition) -> OffsetCommitValue v3
//   GroupMetadataKey v2 (group)                  -> GroupMetadataValue v3
// A null value is a tombstone.
import { Reader, Writer } from '../../protocol/primitives.js';

export interface OffsetValue {
  offset: number;
  leaderEpoch: number;
  metadata: string;
  commitTimestamp: number;
}

export interface MemberValue {
  memberId: string;
  groupInstanceId: string | null;
  clientId: string;
  clientHost: string;
  rebalanceTimeoutMs: number;
  sessionTimeoutMs: number;
  subscription: Buffer;
  assignment: Buffer;
}

export interface GroupValue {
  protocolType: string;
  generation: number;
  protocol: string | null;
  leader: string | null;
  currentStateTimestamp: number;
  members: MemberValue[];
}

export type CoordinatorRecord =
  | { kind: 'offset'; group: string; topic: string; partition: number; value: OffsetValue | null }
  | { kind: 'group'; group: string; value: GroupValue | null };

const str = (w: Writer, s: string) => {
  const n = Buffer.byteLength(s);
  w.int16(n).utf8(s, n);
};
const nstr = (w: Writer, s: string | null) => (s === null ? w.int16(-1) : str(w, s));
const rstr = (r: Reader) => r.utf8(r.int16());
const rnstr = (r: Reader) => {
  const n = r.int16();
  return n < 0 ? null : r.utf8(n);
};
const bytes = (w: Writer, b: Buffer) => w.int32(b.length).raw(b);
const rbytes = (r: Reader) => {
  const n = r.int32();
  return n < 0 ? Buffer.alloc(0) : Buffer.from(r.view(n));
};

export function offsetKey(group: string, topic: string, partition: number): Buffer {
  const w = new Writer(64).int16(1);
  str(w, group);
  str(w, topic);
  return w.int32(partition).toBuffer();
}

export function offsetValue(v: OffsetValue): Buffer {
  const w = new Writer(64).int16(3).int64(v.offset).int32(v.leaderEpoch);
  str(w, v.metadata);
  return w.int64(v.commitTimestamp).toBuffer();
}

export function groupKey(group: string): Buffer {
  const w = new Writer(32).int16(2);
  str(w, group);
  return w.toBuffer();
}

export function groupValue(v: GroupValue): Buffer {
  const w = new Writer(256).int16(3);
  str(w, v.protocolType);
  w.int32(v.generation);
  nstr(w, v.protocol);
  nstr(w, v.leader);
  w.int64(v.currentStateTimestamp).int32(v.members.length);
  for (const m of v.members) {
    str(w, m.memberId);
    nstr(w, m.groupInstanceId);
    str(w, m.clientId);
    str(w, m.clientHost);
    w.int32(m.rebalanceTimeoutMs).int32(m.sessionTimeoutMs);
    bytes(w, m.subscription);
    bytes(w, m.assignment);
  }
  return w.toBuffer();
}

/** Reads one record of __consumer_offsets; null for a key version this broker does not know. */
export function readCoordinatorRecord(key: Buffer, value: Buffer | null): CoordinatorRecord | null {
  const k = new Reader(key);
  const kv = k.int16();
  if (kv === 0 || kv === 1) {
    const group = rstr(k);
    const topic = rstr(k);
    const partition = k.int32();
    if (!value) return { kind: 'offset', group, topic, partition, value: null };
    const r = new Reader(value);
    const v = r.int16();
    const offset = r.int64();
    const leaderEpoch = v >= 3 ? r.int32() : -1;
    const metadata = rstr(r);
    const commitTimestamp = r.int64();
    return { kind: 'offset', group, topic, partition, value: { offset, leaderEpoch, metadata, commitTimestamp } };
  }
  if (kv === 2) {
    const group = rstr(k);
    if (!value) return { kind: 'group', group, value: null };
    const r = new Reader(value);
    const v = r.int16();
    const protocolType = rstr(r);
    const generation = r.int32();
    const protocol = rnstr(r);
    const leader = rnstr(r);
    const currentStateTimestamp = v >= 2 ? r.int64() : -1;
    const members: MemberValue[] = [];
    const n = r.int32();
    for (let i = 0; i < n; i++) {
      const memberId = rstr(r);
      const groupInstanceId = v >= 3 ? rnstr(r) : null;
      const clientId = rstr(r);
      const clientHost = rstr(r);
      const rebalanceTimeoutMs = v >= 1 ? r.int32() : 0;
      const sessionTimeoutMs = r.int32();
      members.push({ memberId, groupInstanceId, clientId, clientHost, rebalanceTimeoutMs, sessionTimeoutMs, subscription: rbytes(r), assignment: rbytes(r) });
    }
    return { kind: 'group', group, value: { protocolType, generation, protocol, leader, currentStateTimestamp, members } };
  }
  return null;
}

/** The topics a consumer-protocol subscription names (ConsumerProtocolSubscription), or [] if unreadable. */
export function subscribedTopics(subscription: Buffer): string[] {
  try {
    const r = new Reader(subscription);
    r.int16();
    const n = r.int32();
    const out: string[] = [];
    for (let i = 0; i < n; i++) out.push(rstr(r));
    return out;
  } catch {
    return [];
  }
}

/** Java's String.hashCode, which decides a group's __consumer_offsets partition. */
export function javaHashCode(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i++) h = (Math.imul(31, h) + s.charCodeAt(i)) | 0;
  return h;
}

/** Kafka's Utils.abs(hash) % partitions (abs as n & 0x7fffffff, so MIN_VALUE maps to 0). */
export const partitionForGroup = (group: string, partitions: number): number => (javaHashCode(group) & 0x7fffffff) % partitions;
