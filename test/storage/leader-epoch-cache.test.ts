// The leader-epoch cache alone: what OffsetForLeaderEpoch answers, and what it persists.
import test from 'ava';
import { type EpochEntry, LeaderEpochCache } from '../../src/storage/leader-epoch-cache.js';

function cache() {
  const persisted: Array<readonly EpochEntry[]> = [];
  const c = new LeaderEpochCache((e) => persisted.push([...e]));
  return { c, persisted };
}

test('epochs are recorded in order, an older or equal one is ignored, and each change is persisted', (t) => {
  const { c, persisted } = cache();
  c.assign(0, 0);
  c.assign(2, 10);
  c.assign(1, 20);
  c.assign(2, 30);
  t.is(c.latestEpoch, 2);
  t.deepEqual(persisted, [[[0, 0]], [[0, 0], [2, 10]]]);
});

test('end offsets and the epoch of an offset are Kafka\'s', (t) => {
  const { c } = cache();
  c.assign(0, 0);
  c.assign(2, 10);
  c.assign(5, 25);
  t.deepEqual(c.endOffsetFor(5, 40), { leaderEpoch: 5, endOffset: 40 }, 'the latest epoch ends at the log end');
  t.deepEqual(c.endOffsetFor(2, 40), { leaderEpoch: 2, endOffset: 25 });
  t.deepEqual(c.endOffsetFor(3, 40), { leaderEpoch: 2, endOffset: 25 }, 'an unknown epoch between two answers the one below');
  t.deepEqual(c.endOffsetFor(9, 40), { leaderEpoch: -1, endOffset: -1 }, 'newer than any known');
  t.deepEqual(c.endOffsetFor(-1, 40), { leaderEpoch: -1, endOffset: -1 });
  t.is(c.epochAt(9), 0);
  t.is(c.epochAt(10), 2);
  t.is(c.epochAt(100), 5);
});

test('truncation forgets the epochs that start at or past the new log end', (t) => {
  const { c, persisted } = cache();
  c.assign(0, 0);
  c.assign(2, 10);
  c.truncateFrom(10);
  t.is(c.latestEpoch, 0);
  t.deepEqual(persisted[persisted.length - 1], [[0, 0]]);
  c.clear();
  t.is(c.latestEpoch, -1);
});
