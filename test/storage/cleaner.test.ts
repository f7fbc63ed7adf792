import test from 'ava';
import { decodeRecords, encodeBatch } from '../../src/protocol/records/records.js';
import { compactLog } from '../../src/storage/cleaner.js';
import { PartitionLog } from '../../src/storage/partition-log.js';
import { tempDir } from '../support/helpers.js';
import { logConfig } from '../support/log-config.js';

const config = logConfig({ segmentBytes: 400 });
const opts = { leaderEpoch: 0, now: Date.now(), logAppendTime: false };

async function contents(log: PartitionLog): Promise<Array<[number, string, string | null]>> {
  const out: Array<[number, string, string | null]> = [];
  for (const b of await decodeRecords(Buffer.concat(log.read(log.logStartOffset, 1 << 30)))) {
    for (const r of b.records) out.push([r.offset, r.key!.toString(), r.value?.toString() ?? null]);
  }
  return out;
}

for (const kind of ['memory', 'disk'] as const) {
  test(`${kind}: compaction keeps the last record per key in closed segments, offsets unchanged`, async (t) => {
    const dir = tempDir(t, 'clean');
    const log = kind === 'memory' ? PartitionLog.memory(config) : PartitionLog.open(dir, config, 0, 0);
    const writes: Array<[string, string | null]> = [['a', '1'], ['b', '1'], ['a', '2'], ['c', '1'], ['b', null], ['a', '3'], ['c', '2'], ['d', '1'], ['a', '4']];
    for (const [k, v] of writes) log.append([await encodeBatch({ records: [{ key: k, value: v === null ? null : v.padEnd(100, '.') }] })], opts);
    t.true(log.closedSegments().length >= 2);
    const before = await contents(log);
    const removed = await compactLog(log, Date.now(), 86400_000);
    t.true(removed > 0);
    const after = await contents(log);
    t.is(log.logEndOffset, writes.length, 'the log end does not move');
    // Every key's latest value is still there, at its original offset.
    const latest = new Map<string, [number, string | null]>();
    for (const [o, k, v] of before) latest.set(k, [o, v]);
    for (const [k, [o, v]] of latest) t.true(after.some(([ao, ak, av]) => ao === o && ak === k && av === v), `key ${k}`);
    t.true(after.length < before.length);
    const offsets = after.map(([o]) => o);
    t.deepEqual(offsets, [...offsets].sort((x, y) => x - y), 'offsets stay in order');
    t.true(after.some(([, k, v]) => k === 'b' && v === null), 'a fresh tombstone is kept');
    // Tombstones go once delete.retention.ms has passed.
    await compactLog(log, Date.now() + 10, 0);
    const final = await contents(log);
    t.false(final.some(([, k]) => k === 'b'), 'the expired tombstone and everything it deleted are gone');
    if (kind === 'disk') {
      log.close();
      const reopened = PartitionLog.open(dir, config, 0, 0);
      t.deepEqual(await contents(reopened), final);
      t.is(reopened.logEndOffset, writes.length);
      t.like(reopened.append([await encodeBatch({ records: [{ key: 'e', value: 'x' }] })], opts), { baseOffset: writes.length });
    }
  });
}
