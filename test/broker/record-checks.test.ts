// The per-record checks of Kafka's LogValidator: which topics need them, what they refuse,
// and that arbitrary record bytes inside a well-formed batch never throw.
import test from 'ava';
import fc from 'fast-check';
import { checkRecords, LONG_MAX, needsRecordChecks, type RecordRules } from '../../src/broker/record-checks.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { BATCH_HEADER_SIZE, Off } from '../../src/protocol/records/batch.js';
import { crc32c } from '../../src/protocol/records/crc32c.js';
import { encodeBatch } from '../../src/protocol/records/records.js';

const open: RecordRules = { compacted: false, logAppendTime: false, timestampBeforeMaxMs: LONG_MAX, timestampAfterMaxMs: LONG_MAX };

test('only compacted topics and topics with CreateTime bounds look inside records', (t) => {
  t.false(needsRecordChecks(open));
  t.true(needsRecordChecks({ ...open, compacted: true }));
  t.true(needsRecordChecks({ ...open, timestampAfterMaxMs: 3600_000n }));
  t.false(needsRecordChecks({ ...open, logAppendTime: true, timestampBeforeMaxMs: 0n }), 'the broker stamps LogAppendTime batches');
  t.true(needsRecordChecks({ ...open, logAppendTime: true, compacted: true }));
});

test('bounds print as Java longs, overflow included, and a record without a timestamp is not checked', async (t) => {
  const now = 1_700_000_000_000;
  const batch = await encodeBatch({ records: [{ key: 'a', value: 'x', timestamp: -1 }, { key: 'b', value: 'y', timestamp: now - 10 }] });
  const res = await checkRecords([batch], { ...open, timestampBeforeMaxMs: 5n }, now, 't-0');
  t.deepEqual(res?.recordErrors, [{ batchIndex: 1, batchIndexErrorMessage: `Timestamp ${now - 10} of message with offset 1 is out of range. The timestamp should be within [${now - 5}, ${BigInt.asIntN(64, BigInt(now) + LONG_MAX)}]` }]);
  t.is(await checkRecords([batch], { ...open, compacted: true }, now, 't-0'), null);
});

test('the first batch with a bad record decides; its keyless records are INVALID_RECORD, at most three shown in the message', async (t) => {
  const good = await encodeBatch({ records: [{ key: 'k', value: 'v' }] });
  const bad = await encodeBatch({ records: [0, 1, 2, 3, 4].map((i) => ({ value: `v${i}` })), compression: 4 });
  const res = await checkRecords([good, bad], { ...open, compacted: true }, Date.now(), 'table-3');
  t.is(res?.errorCode, ErrorCode.INVALID_RECORD);
  t.deepEqual(res?.recordErrors.map((e) => e.batchIndex), [0, 1, 2, 3, 4]);
  t.regex(res?.errorMessage ?? '', /^One or more records have been rejected due to 5 record errors in total, and only showing the first three errors at most: \[RecordError\(batchIndex=0, .*batchIndex=2, message='Compacted topic cannot accept message without key in topic partition table-3.'\)\]$/);
});

test('arbitrary record bytes inside a batch whose CRC holds are refused or pass, never thrown', async (t) => {
  await fc.assert(fc.asyncProperty(fc.uint8Array({ maxLength: 200 }), fc.integer({ min: 1, max: 5 }), async (body, count) => {
    const batch = await encodeBatch({ records: Array.from({ length: count }, () => ({ key: 'k', value: 'v' })) });
    const forged = Buffer.concat([batch.subarray(0, BATCH_HEADER_SIZE), Buffer.from(body)]);
    forged.writeInt32BE(forged.length - 12, Off.batchLength);
    forged.writeUInt32BE(crc32c(forged.subarray(Off.attributes)), Off.crc);
    const res = await checkRecords([forged], { ...open, compacted: true, timestampBeforeMaxMs: 1000n }, Date.now(), 't-0');
    return res === null || [ErrorCode.INVALID_RECORD, ErrorCode.INVALID_TIMESTAMP].includes(res.errorCode as 87 | 32);
  }), { numRuns: 300 });
  t.pass();
});
