// A memory volume keeps a broker's in-memory logs for the next broker started over it, as a
// log directory keeps its files, and a broker without one keeps nothing.
import test from 'ava';
import { encodeBatch } from '../../src/protocol/records/records.js';
import { LogManager, MemoryVolume } from '../../src/storage/log-manager.js';
import { logConfig } from '../support/log-config.js';

const opts = { leaderEpoch: 0, now: Date.now(), logAppendTime: false };
const batch = (n: number) => encodeBatch({ records: Array.from({ length: n }, (_, i) => ({ value: `v${i}` })) });

for (const stop of ['close', 'abandon'] as const) {
  test(`logs in a memory volume outlive their broker (${stop}) and meet the next one's configs`, async (t) => {
    const volume = new MemoryVolume();
    const first = new LogManager({ kind: 'memory', volume });
    first.highWatermarkOf = () => 3;
    const log = first.open('t', 0, logConfig());
    log.append([await batch(5)], opts);
    first.writeCheckpoints();
    first.highWatermarkOf = () => 5;
    first[stop]();

    const next = new LogManager({ kind: 'memory', volume });
    t.deepEqual(next.onDisk(), [{ topic: 't', partition: 0 }]);
    // A clean stop checkpoints its high watermarks; a killed broker leaves the last checkpoint.
    t.is(next.checkpointedHighWatermark('t', 0), stop === 'close' ? 5 : 3);
    const again = next.open('t', 0, logConfig({ retentionMs: 1000 }));
    t.is(again, log);
    t.is(again.logEndOffset, 5);
    t.is(again.config.retentionMs, 1000);
    t.is(Buffer.concat(again.read(0, 1 << 20)).readInt32BE(57), 5, 'the batch is whole: its record count');

    next.delete('t', 0);
    const after = new LogManager({ kind: 'memory', volume });
    t.deepEqual(after.onDisk(), [], 'a deleted log leaves the volume');
    t.is(after.checkpointedHighWatermark('t', 0), 0, 'and so does its checkpointed high watermark');
  });
}

test('without a volume a broker\'s memory logs go with it', async (t) => {
  const logs = new LogManager({ kind: 'memory' });
  const log = logs.open('t', 0, logConfig());
  log.append([await batch(1)], opts);
  logs.close();
  t.deepEqual(new LogManager({ kind: 'memory' }).onDisk(), []);
});

test('clearing a volume lets go of its logs\' memory', async (t) => {
  const volume = new MemoryVolume();
  const logs = new LogManager({ kind: 'memory', volume });
  const log = logs.open('t', 0, logConfig());
  log.append([await batch(1)], opts);
  logs.close();
  t.true(Buffer.concat(log.read(0, 1 << 20)).length > 0);
  volume.clear();
  t.is(Buffer.concat(log.read(0, 1 << 20)).length, 0, 'the closed log holds no bytes');
  t.deepEqual(new LogManager({ kind: 'memory', volume }).onDisk(), []);
});
