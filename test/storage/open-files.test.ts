// The descriptor budget: segment files past it are closed least recently used first and
// opened again on their next use, so idle partitions hold no descriptors.
import fs from 'node:fs';
import path from 'node:path';
import test from 'ava';
import { ErrorCode } from '../../src/protocol/errors.js';
import { decodeRecords, encodeBatchUncompressed } from '../../src/protocol/records/records.js';
import { descriptorsInUse, LazyFile, OpenFiles, segmentFiles } from '../../src/storage/open-files.js';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { tempDir } from '../support/helpers.js';
import { logConfig } from '../support/log-config.js';

test('past its capacity the budget closes the least recently used file; a closed one opens again on use', (t) => {
  const dir = tempDir(t, 'lazy');
  const budget = new OpenFiles(3);
  const files = ['a', 'b', 'c', 'd', 'e'].map((n) => {
    const f = LazyFile.open(path.join(dir, n), budget, true);
    fs.writeSync(f.fd(), Buffer.from(n), 0, 1, 0);
    return f;
  });
  t.is(budget.size, 3);
  t.deepEqual(files.map((f) => f.isOpen), [false, false, true, true, true]);
  const b = Buffer.alloc(1);
  fs.readSync(files[0]!.fd(), b, 0, 1, 0);
  t.is(b.toString(), 'a', 'opened again with its data');
  t.deepEqual(files.map((f) => f.isOpen), [true, false, false, true, true], 'c, the least recently used, went');
  files[3]!.pinned++;
  files[1]!.fd();
  files[2]!.fd();
  t.true(files[3]!.isOpen, 'a file under an fsync is never closed');
  for (const f of files) f.close();
  t.is(budget.size, 0);
});

test('200 partitions on disk under a budget of 16: descriptors stay bounded and every record reads back', async (t) => {
  const dir = tempDir(t, 'budget');
  segmentFiles.capacity = 16;
  const before = descriptorsInUse()!;
  const logs = Array.from({ length: 200 }, (_, i) => PartitionLog.open(path.join(dir, `t-${i}`), logConfig(), 0, 0));
  for (const [i, log] of logs.entries()) {
    const r = log.append([encodeBatchUncompressed({ records: [{ key: `k${i}`, value: `v${i}` }] })], { leaderEpoch: 0, now: Date.now(), logAppendTime: false });
    t.is(r.error, ErrorCode.NONE);
  }
  t.true(segmentFiles.size <= 16);
  t.true(descriptorsInUse()! - before <= 16 + 4, `${descriptorsInUse()! - before} more descriptors`);
  for (const [i, log] of logs.entries()) {
    const [batch] = await decodeRecords(Buffer.concat(log.read(0, 1 << 20)));
    t.is(batch!.records[0]!.value!.toString(), `v${i}`);
  }
  for (const log of logs) log.close();
  t.is(segmentFiles.size, 0);
});
