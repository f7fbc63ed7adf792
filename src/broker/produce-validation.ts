// What the leader checks before appending a produce request's records (Kafka's
// LogValidator): whole v2 batches, sane header counts, the CRC32C, the size limit; and,
// where a topic's configs ask, each record (record-checks.ts). Legacy v0/v1 message sets
// from Produce v0-v2 are converted to v2 batches.
import { ErrorCode } from '../protocol/errors.js';
import { Attr, crcMatches, LOG_OVERHEAD, Off } from '../protocol/records/batch.js';
import { decodeMessageSet, encodeBatch, readMessageSet } from '../protocol/records/records.js';
import { checkRecords, needsRecordChecks, type RecordError, type RecordRules } from './record-checks.js';

export type Validated = { errorCode: typeof ErrorCode.NONE; batches: Buffer[] } | { errorCode: number; errorMessage: string | null; recordErrors?: RecordError[] };

const bad = (errorCode: number, errorMessage: string): Validated => ({ errorCode, errorMessage });

/** Splits and checks v2 batches; null when it is a legacy message set. */
export function validateBatches(records: Buffer, maxMessageBytes: number): Validated | null {
  const batches: Buffer[] = [];
  let at = 0;
  if (records.length === 0) return bad(ErrorCode.INVALID_RECORD, 'Produce request has no record batch');
  while (at < records.length) {
    if (records.length - at < 61) {
      if (records.length - at >= 17 && records[at + Off.magic]! < 2) return null;
      return bad(ErrorCode.CORRUPT_MESSAGE, 'Record batch is truncated');
    }
    const magic = records[at + Off.magic]!;
    if (magic < 2) return at === 0 ? null : bad(ErrorCode.INVALID_RECORD, 'Mixed record formats in one request');
    if (magic > 2) return bad(ErrorCode.CORRUPT_MESSAGE, `Unknown magic ${magic}`);
    const size = records.readInt32BE(at + Off.batchLength) + LOG_OVERHEAD;
    if (size < 61 || at + size > records.length) return bad(ErrorCode.CORRUPT_MESSAGE, 'Record batch length does not match the data');
    const batch = records.subarray(at, at + size);
    if (size > maxMessageBytes) return bad(ErrorCode.MESSAGE_TOO_LARGE, `The record batch of ${size} bytes exceeds max.message.bytes ${maxMessageBytes}`);
    if (!crcMatches(batch)) return bad(ErrorCode.CORRUPT_MESSAGE, 'Record batch CRC does not match its contents');
    const count = batch.readInt32BE(Off.recordCount);
    const lastDelta = batch.readInt32BE(Off.lastOffsetDelta);
    if (count <= 0 || lastDelta + 1 !== count) return bad(ErrorCode.INVALID_RECORD, `Record count ${count} does not match lastOffsetDelta ${lastDelta}`);
    if ((batch.readInt16BE(Off.attributes) & Attr.compressionMask) > 4) return bad(ErrorCode.UNSUPPORTED_COMPRESSION_TYPE, 'Unknown compression codec');
    // Markers are the transaction coordinator's to write (WriteTxnMarkers), as in Kafka.
    if ((batch.readInt16BE(Off.attributes) & Attr.control) !== 0) return bad(ErrorCode.INVALID_RECORD, 'Clients are not allowed to write control records');
    batches.push(batch);
    at += size;
  }
  return { errorCode: ErrorCode.NONE, batches };
}

/** Converts a v0/v1 message set (Produce v0-v2) to one v2 batch with the same codec. */
export async function convertLegacy(records: Buffer, maxMessageBytes: number): Promise<Validated> {
  const messages = readMessageSet(records);
  if (messages.length === 0) return bad(ErrorCode.CORRUPT_MESSAGE, 'Empty or truncated message set');
  if (messages.some((m) => !m.crcValid)) return bad(ErrorCode.CORRUPT_MESSAGE, 'Message CRC does not match its contents');
  if (records.length > maxMessageBytes) return bad(ErrorCode.MESSAGE_TOO_LARGE, `The message set of ${records.length} bytes exceeds max.message.bytes ${maxMessageBytes}`);
  const codec = messages[0]!.attributes & 0x07;
  const decoded = await decodeMessageSet(records);
  const batch = await encodeBatch({
    compression: codec,
    records: decoded.flatMap((b) => b.records).map((r) => ({ key: r.key, value: r.value, timestamp: r.timestamp < 0 ? Date.now() : r.timestamp })),
  });
  return { errorCode: ErrorCode.NONE, batches: [batch] };
}

/**
 * The records checked as their topic's configs ask (record-checks.ts), at the broker's
 * `now`: the validated batches as they are when no rule applies, asynchronously otherwise.
 */
export function withRecordChecks(v: Validated, rules: RecordRules, now: () => number, topicPartition: string): Validated | Promise<Validated> {
  if (!('batches' in v) || !needsRecordChecks(rules)) return v;
  return checkRecords(v.batches, rules, now(), topicPartition).then((rejected) => rejected ?? v);
}
