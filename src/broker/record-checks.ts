// The checks of Kafka's LogValidator that look inside records (KIP-467): every record of
// a compacted topic has a key, and a CreateTime timestamp is within
// message.timestamp.before.max.ms / after.max.ms of the broker's clock. They run only on
// topics whose configs ask for them; elsewhere batches pass through unread.
import { ErrorCode } from '../protocol/errors.js';
import { Reader } from '../protocol/primitives.js';
import { Attr, BATCH_HEADER_SIZE, readBatchHeader } from '../protocol/records/batch.js';
import { decompress } from '../protocol/records/compression.js';

/** A topic's rules for its records, as its configs set them. */
export interface RecordRules {
  /** cleanup.policy includes compact. */
  compacted: boolean;
  /** message.timestamp.type=LogAppendTime: the broker stamps the time, so the producer's is not checked. */
  logAppendTime: boolean;
  /** Kafka's longs, so an error message shows the bound as Kafka computes it. */
  timestampBeforeMaxMs: bigint;
  timestampAfterMaxMs: bigint;
}

/** A produce answer's record_errors entry: the record's index in its batch and why. */
export interface RecordError {
  batchIndex: number;
  batchIndexErrorMessage: string | null;
}

export interface RecordsRejected {
  errorCode: number;
  errorMessage: string | null;
  recordErrors: RecordError[];
}

export const LONG_MAX = 2n ** 63n - 1n;
const NO_TIMESTAMP = -1;

export function needsRecordChecks(rules: RecordRules): boolean {
  return rules.compacted || (!rules.logAppendTime && (rules.timestampBeforeMaxMs !== LONG_MAX || rules.timestampAfterMaxMs !== LONG_MAX));
}

/** Java's long arithmetic, overflow included, for the bounds an error message shows. */
const javaLong = (v: bigint) => BigInt.asIntN(64, v);

/**
 * Checks every record of the batches. The first batch with a bad record rejects the whole
 * request's records for the partition, with one entry per bad record of that batch, as
 * Kafka's processRecordErrors does; null when every record passes.
 */
export async function checkRecords(batches: readonly Buffer[], rules: RecordRules, now: number, topicPartition: string): Promise<RecordsRejected | null> {
  const checkTimes = !rules.logAppendTime;
  for (const batch of batches) {
    const h = readBatchHeader(batch);
    let payload: Buffer;
    try {
      payload = await decompress(h.attributes & Attr.compressionMask, batch.subarray(BATCH_HEADER_SIZE, h.size));
    } catch {
      return { errorCode: ErrorCode.CORRUPT_MESSAGE, errorMessage: null, recordErrors: [] };
    }
    const errors: Array<RecordError & { timestamp: boolean }> = [];
    const r = new Reader(payload);
    try {
      for (let i = 0; i < h.recordCount; i++) {
        const end = r.varint() + r.pos;
        r.int8();
        const timestamp = h.baseTimestamp + r.varlong();
        const offset = h.baseOffset + r.varint();
        const hasKey = r.varint() >= 0;
        r.pos = end;
        if (rules.compacted && !hasKey) {
          errors.push({ batchIndex: i, batchIndexErrorMessage: `Compacted topic cannot accept message without key in topic partition ${topicPartition}.`, timestamp: false });
        } else if (checkTimes && timestamp !== NO_TIMESTAMP) {
          const behind = BigInt(now) - BigInt(timestamp);
          if (behind > rules.timestampBeforeMaxMs || -behind > rules.timestampAfterMaxMs) {
            const from = javaLong(BigInt(now) - rules.timestampBeforeMaxMs);
            const to = javaLong(BigInt(now) + rules.timestampAfterMaxMs);
            errors.push({ batchIndex: i, batchIndexErrorMessage: `Timestamp ${timestamp} of message with offset ${offset} is out of range. The timestamp should be within [${from}, ${to}]`, timestamp: true });
          }
        }
      }
      if (r.pos !== payload.length) throw new RangeError('records past the count');
    } catch {
      // A record that does not parse inside a batch whose CRC holds: Kafka's InvalidRecordException.
      return { errorCode: ErrorCode.INVALID_RECORD, errorMessage: null, recordErrors: [] };
    }
    if (errors.length > 0) {
      const recordErrors = errors.map(({ batchIndex, batchIndexErrorMessage }) => ({ batchIndex, batchIndexErrorMessage }));
      if (errors.some((e) => e.timestamp)) return { errorCode: ErrorCode.INVALID_TIMESTAMP, errorMessage: 'One or more records have been rejected due to invalid timestamp', recordErrors };
      const shown = recordErrors.slice(0, 3).map((e) => `RecordError(batchIndex=${e.batchIndex}, message='${e.batchIndexErrorMessage}')`).join(', ');
      return { errorCode: ErrorCode.INVALID_RECORD, errorMessage: `One or more records have been rejected due to ${errors.length} record errors in total, and only showing the first three errors at most: [${shown}]`, recordErrors };
    }
  }
  return null;
}
