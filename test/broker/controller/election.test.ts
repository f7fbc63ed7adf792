// Leader election rules: ISR first in assignment order, the last ISR member kept, unclean
// election only when allowed, preferred-replica election, and the epoch bump on change.
import test from 'ava';
import { electForLiveBrokers, electPreferred, electUnclean } from '../../../src/broker/controller/election.js';

const p = (leader: number, isr: number[], replicas = [0, 1, 2], leaderEpoch = 4) => ({ partition: 0, replicas, leader, leaderEpoch, isr });
const live = (...ids: number[]) => new Set(ids);

test('a dead leader is replaced by the first live ISR replica, with the epoch bumped', (t) => {
  t.deepEqual(electForLiveBrokers(p(0, [0, 1, 2]), live(1, 2), false), p(1, [1, 2], [0, 1, 2], 5));
  t.deepEqual(electForLiveBrokers(p(0, [0, 2]), live(1, 2), false), p(2, [2], [0, 1, 2], 5), 'broker 1 is alive but out of sync');
});

test('a dead follower only leaves the ISR; nothing changes when everyone lives', (t) => {
  t.deepEqual(electForLiveBrokers(p(0, [0, 1, 2]), live(0, 2), false), p(0, [0, 2]));
  t.is(electForLiveBrokers(p(0, [0, 1, 2]), live(0, 1, 2), false), null);
});

test('with no live ISR member the partition goes leaderless and keeps its last ISR, unless unclean election is on', (t) => {
  t.deepEqual(electForLiveBrokers(p(0, [0]), live(1, 2), false), p(-1, [0], [0, 1, 2], 5));
  t.is(electForLiveBrokers(p(-1, [0]), live(1, 2), false), null, 'already leaderless: no new epoch');
  t.deepEqual(electForLiveBrokers(p(0, [0]), live(1, 2), true), p(1, [1], [0, 1, 2], 5));
  t.deepEqual(electForLiveBrokers(p(-1, [0]), live(0, 1), false), p(0, [0], [0, 1, 2], 5), 'the last ISR member returns and leads');
});

test('preferred and unclean elections on request', (t) => {
  t.deepEqual(electPreferred(p(1, [0, 1]), live(0, 1)), { state: p(0, [0, 1], [0, 1, 2], 5) });
  t.deepEqual(electPreferred(p(0, [0, 1]), live(0, 1)), { error: 'ELECTION_NOT_NEEDED' });
  t.deepEqual(electPreferred(p(1, [1]), live(0, 1)), { error: 'PREFERRED_LEADER_NOT_AVAILABLE' }, 'preferred replica out of sync');
  t.deepEqual(electPreferred(p(1, [0, 1]), live(1)), { error: 'PREFERRED_LEADER_NOT_AVAILABLE' }, 'preferred replica down');
  t.deepEqual(electUnclean(p(-1, [0]), live(2)), { state: p(2, [2], [0, 1, 2], 5) });
  t.deepEqual(electUnclean(p(1, [1]), live(1, 2)), { error: 'ELECTION_NOT_NEEDED' });
  t.deepEqual(electUnclean(p(-1, [0]), live()), { error: 'ELIGIBLE_LEADERS_NOT_AVAILABLE' });
});
