// __consumer_offsets records from Kafka's declarations: the bytes Kafka's formats give
// (OffsetCommitKey/Value v3, GroupMetadataKey/Value v3), as the hand-written codec they
// replaced wrote them, so logs written before read back the same.
import test from 'ava';
import fc from 'fast-check';
import { currentRecord, groupEpochRecord, memberRecord } from '../../../src/broker/group/consumer-records.js';
import { groupKey, groupValue, offsetKey, offsetValue, readCoordinatorRecord } from '../../../src/broker/group/records.js';

const hex = (b: Buffer) => b.toString('hex');

const group = {
  protocolType: 'consumer', generation: 5, protocol: 'range', leader: 'm1', currentStateTimestamp: 1700000000001,
  members: [
    { memberId: 'm1', groupInstanceId: 'i1', clientId: 'c', clientHost: '/h', rebalanceTimeout: 30000, sessionTimeout: 10000, subscription: Buffer.from('sub'), assignment: Buffer.from('asg') },
    { memberId: 'm2', groupInstanceId: null, clientId: 'c2', clientHost: '/h2', rebalanceTimeout: 30000, sessionTimeout: 10000, subscription: Buffer.alloc(0), assignment: Buffer.alloc(0) },
  ],
};
const GROUP_VALUE = '00030008636f6e73756d657200000005000572616e676500026d310000018bcfe568010000000200026d310002693100016300022f680000753000002710000000037375620000000361736700026d32ffff0002633200032f683200007530000027100000000000000000';

test('offset commit records are Kafka\'s bytes and read back', (t) => {
  const value = { offset: 42, leaderEpoch: 3, metadata: 'meta', commitTimestamp: 1700000000000 };
  t.is(hex(offsetKey('g', 't', 7)), '000100016700017400000007');
  t.is(hex(offsetValue(value)), '0003000000000000002a0000000300046d6574610000018bcfe56800');
  t.deepEqual(readCoordinatorRecord(offsetKey('g', 't', 7), offsetValue(value)), { kind: 'offset', group: 'g', topic: 't', partition: 7, value });
  t.deepEqual(readCoordinatorRecord(offsetKey('g', 't', 7), null), { kind: 'offset', group: 'g', topic: 't', partition: 7, value: null });
});

test('a legacy offset key (type 0) reads as an offset commit', (t) => {
  const legacy = Buffer.from('000000016700017400000007', 'hex');
  t.like(readCoordinatorRecord(legacy, null), { kind: 'offset', group: 'g', topic: 't', partition: 7 });
});

test('group metadata records are Kafka\'s bytes and read back', (t) => {
  t.is(hex(groupKey('g')), '0002000167');
  t.is(hex(groupValue(group)), GROUP_VALUE);
  t.deepEqual(readCoordinatorRecord(groupKey('g'), Buffer.from(GROUP_VALUE, 'hex')), { kind: 'group', group: 'g', value: group });
});

test('KIP-848 consumer group records are Kafka\'s bytes and read back', (t) => {
  // ConsumerGroupMetadataKey/Value (type 3): key version 3, group; value version 0, epoch, no tags.
  const epoch = groupEpochRecord('g', 7);
  t.is(hex(epoch.key), '0003000167');
  t.is(hex(epoch.value!), '00000000000700');
  t.deepEqual(readCoordinatorRecord(epoch.key, epoch.value), { kind: 'consumer-group', group: 'g', epoch: 7 });
  // ConsumerGroupCurrentMemberAssignmentKey/Value (type 8): epochs, state 2 (UNREVOKED), compact arrays of topic id and partitions.
  const t1 = '00000000000000000000000000000001';
  const t2 = '00000000000000000000000000000002';
  const value = { memberEpoch: 5, previousMemberEpoch: 4, state: 'UNREVOKED_PARTITIONS' as const, assigned: new Map([[t1, [0, 1]]]), pendingRevocation: new Map([[t2, [2]]]) };
  const current = currentRecord('g', 'm', value);
  t.is(hex(current.key), '000800016700016d');
  t.is(hex(current.value!), `0000000000050000000402 02${t1}03000000000000000100 02${t2}020000000200 00`.replaceAll(' ', ''));
  t.deepEqual(readCoordinatorRecord(current.key, current.value), { kind: 'consumer-current', group: 'g', memberId: 'm', value });
  // A tombstone reads back as the member gone.
  const gone = memberRecord('g', 'm', null);
  t.deepEqual(readCoordinatorRecord(gone.key, gone.value), { kind: 'consumer-member', group: 'g', memberId: 'm', value: null });
});

test('a record type this broker does not know is skipped', (t) => {
  // Type 9, a share group's record: not served here.
  t.is(readCoordinatorRecord(Buffer.from('00090001', 'hex'), null), null);
});

test('any group metadata value reads back as written (property)', (t) => {
  const str = fc.string({ maxLength: 12 });
  const member = fc.record({
    memberId: str, groupInstanceId: fc.option(str, { nil: null }), clientId: str, clientHost: str,
    rebalanceTimeout: fc.integer({ min: -1, max: 2 ** 31 - 1 }), sessionTimeout: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
    subscription: fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)), assignment: fc.uint8Array({ maxLength: 16 }).map((a) => Buffer.from(a)),
  });
  const value = fc.record({
    protocolType: str, generation: fc.integer({ min: -1, max: 2 ** 31 - 1 }), protocol: fc.option(str, { nil: null }), leader: fc.option(str, { nil: null }),
    currentStateTimestamp: fc.integer({ min: -1, max: 2 ** 52 }), members: fc.array(member, { maxLength: 4 }),
  });
  fc.assert(fc.property(str, value, (id, v) => {
    const r = readCoordinatorRecord(groupKey(id), groupValue(v));
    t.deepEqual(r, { kind: 'group', group: id, value: v });
  }), { numRuns: 200 });
});
