// In-memory segments copy small batches into files once they outgrow a buffer of their own,
// reusing those of deleted segments: the next segment must read back only what it wrote, and a reused file must not keep a larger
// segment's memory for long.
import fs from 'node:fs';
import test from 'ava';
import { decodeRecords, encodeBatch } from '../../src/protocol/records/records.js';
import { decayAnonymousFiles, openAnonymousFile, recycleAnonymousFile, spareAnonymousFiles } from '../../src/fastpath/anonymous-files.js';
import { DECAY_MS } from '../../src/fastpath/blocks.js';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { logConfig } from '../support/log-config.js';

const config = logConfig();
const opts = { leaderEpoch: 0, now: Date.now(), logAppendTime: false };

test.serial('a log in memory that takes over a deleted log\'s file reads back only its own records', async (t) => {
  const big = PartitionLog.memory(config);
  big.append([await encodeBatch({ records: Array.from({ length: 200 }, () => ({ value: Buffer.alloc(1000, 'x') })) })], opts);
  const spareBefore = spareAnonymousFiles();
  big.close();
  t.is(spareAnonymousFiles(), spareBefore + 1, 'the closed log\'s file waits for reuse');

  const small = PartitionLog.memory(config);
  small.append([await encodeBatch({ records: [{ value: 'mine' }] })], opts);
  t.is(spareAnonymousFiles(), spareBefore + 1, 'a first small batch stays in the segment\'s own buffer');
  // Past INLINE_MAX (64 KiB) of copies the segment moves them to a file: the spare one.
  small.append([await encodeBatch({ records: Array.from({ length: 70 }, () => ({ value: Buffer.alloc(1000, 'y') })) })], opts);
  t.is(spareAnonymousFiles(), spareBefore, 'the new log took it once its copies outgrew its buffer');
  const read = Buffer.concat(small.read(0, 1 << 20));
  const batches = await decodeRecords(read);
  t.deepEqual(batches.flatMap((b) => b.records.map((r) => r.value?.toString())), ['mine', ...Array.from({ length: 70 }, () => 'y'.repeat(1000))]);
  t.is(small.size, read.length);
  small.close();
});

test.serial('a reused file is cut to what its new segment holds, and spare files are closed, after DECAY_MS', (t) => {
  const first = openAnonymousFile(() => 0);
  fs.writeSync(first, Buffer.alloc(1 << 20, 1), 0, 1 << 20, 0);
  recycleAnonymousFile(first);
  const fd = openAnonymousFile(() => 100);
  t.is(fd, first, 'the spare file is handed out again');
  t.is(fs.fstatSync(fd).size, 1 << 20);
  decayAnonymousFiles(Date.now());
  t.is(fs.fstatSync(fd).size, 1 << 20, 'not cut before DECAY_MS');
  decayAnonymousFiles(Date.now() + DECAY_MS + 1);
  t.is(fs.fstatSync(fd).size, 100, 'the stale tail is gone');

  recycleAnonymousFile(fd);
  t.true(spareAnonymousFiles() >= 1);
  decayAnonymousFiles(Date.now() + DECAY_MS + 1);
  t.is(spareAnonymousFiles(), 0);
  t.throws(() => fs.fstatSync(fd), { code: 'EBADF' }, 'closed, its memory freed');
});
