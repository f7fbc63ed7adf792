// A log on a disk that fills up: the append that does not fit answers KAFKA_STORAGE_ERROR
// and leaves nothing of itself behind; what was acknowledged before stays readable, and
// once there is room again the log takes appends and reopens whole.
import path from 'node:path';
import test from 'ava';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodeRecords, encodeBatchUncompressed } from '../../src/protocol/records/records.js';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { canMount, smallDisk } from '../support/helpers.js';
import { logConfig } from '../support/log-config.js';

const mountTest = canMount ? test : test.skip;
const batch = (i: number, size = 1000) => encodeBatchUncompressed({ records: [{ key: `k${i}`, value: Buffer.alloc(size, i % 256) }] });
const append = (log: PartitionLog, batches: Buffer[]) => log.append(batches, { leaderEpoch: 0, now: Date.now(), logAppendTime: false });

async function values(log: PartitionLog): Promise<string[]> {
  const out: string[] = [];
  for (const b of await decodeRecords(Buffer.concat(log.read(log.logStartOffset, 1 << 30)))) for (const r of b.records) out.push(`${r.offset}:${r.key}`);
  return out;
}

mountTest('a full disk: KAFKA_STORAGE_ERROR, nothing of the failed append kept, and the log whole after room returns and after reopening', async (t) => {
  const disk = smallDisk(t, 256 * 1024);
  const dir = path.join(disk.dir, 't-0');
  const log = PartitionLog.open(dir, logConfig(), 0, 0);
  const storageErrors: string[] = [];
  log.onStorageError = (e) => storageErrors.push((e as NodeJS.ErrnoException).code ?? '');
  let acked = 0;
  for (;;) {
    const r = append(log, [batch(acked)]);
    if (r.error !== ErrorCode.NONE) {
      t.is(r.error, ErrorCode.KAFKA_STORAGE_ERROR);
      break;
    }
    acked++;
  }
  t.true(acked > 50, `${acked} batches fit`);
  t.is(log.logEndOffset, acked);
  // A request of two batches whose second does not fit: the first is taken back too.
  const two = append(log, [batch(1, 10), batch(2, 200_000)]);
  t.is(two.error, ErrorCode.KAFKA_STORAGE_ERROR);
  t.is(log.logEndOffset, acked, 'no part of a failed request is in the log');
  t.deepEqual(storageErrors, ['ENOSPC'], 'reported once while it keeps failing');
  const expected = Array.from({ length: acked }, (_, i) => `${i}:k${i}`);
  t.deepEqual(await values(log), expected);

  disk.resize(1024 * 1024);
  const after = append(log, [batch(acked)]);
  t.like(after, { error: ErrorCode.NONE, baseOffset: acked });
  log.close();
  const reopened = PartitionLog.open(dir, logConfig(), 0, 0);
  t.deepEqual(await values(reopened), [...expected, `${acked}:k${acked}`]);
  reopened.close();
});
