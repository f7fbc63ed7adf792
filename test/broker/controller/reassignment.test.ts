// Partition reassignment as Kafka's controller runs it: start, complete once the new
// replicas are in sync, cancel, and the leader and epoch through each step.
import test from 'ava';
import type { PartitionState } from '../../../src/broker/controller/cluster-metadata.js';
import { assignmentError, cancelReassignment, completeReassignment, isReassigning, startReassignment, targetReplicationFactor } from '../../../src/broker/controller/reassignment.js';

const live = new Set([0, 1, 2, 3]);
const p = (replicas: number[], isr: number[], leader: number, more: Partial<PartitionState> = {}): PartitionState => ({ partition: 0, replicas, isr, leader, leaderEpoch: 5, ...more });

test('a move to new brokers lists target then leaving replicas, and waits for the new ones to catch up', (t) => {
  const started = startReassignment(p([0, 1], [0, 1], 0), [1, 2], live);
  t.like(started, { replicas: [1, 2, 0], adding: [2], removing: [0], isr: [0, 1], leader: 0, leaderEpoch: 5 });
  t.true(isReassigning(started));
  t.is(targetReplicationFactor(started), 2);
  t.is(completeReassignment(started, live), null, 'broker 2 is not in sync yet');
  // The leader adds 2 to the ISR: the move completes, 0 goes, and it led, so 1 leads at the next epoch.
  t.like(completeReassignment({ ...started, isr: [0, 1, 2] }, live), { replicas: [1, 2], isr: [1, 2], adding: [], removing: [], leader: 1, leaderEpoch: 6 });
});

test('reordering or dropping in-sync replicas completes at once; the epoch moves only when a replica goes or the leader changes', (t) => {
  t.like(startReassignment(p([0, 1, 2], [0, 1, 2], 0), [2, 1, 0], live), { replicas: [2, 1, 0], adding: [], removing: [], leader: 0, leaderEpoch: 5 });
  t.like(startReassignment(p([0, 1, 2], [0, 1, 2], 0), [1, 2], live), { replicas: [1, 2], isr: [1, 2], leader: 1, leaderEpoch: 6 });
  t.like(startReassignment(p([0, 1, 2], [0, 1, 2], 1), [1, 2], live), { replicas: [1, 2], leader: 1, leaderEpoch: 6 }, 'the leader stays; 0 is fenced');
});

test('a new reassignment replaces an ongoing one, measured from the replicas before it', (t) => {
  const first = startReassignment(p([0, 1], [0, 1], 0), [1, 2], live);
  const second = startReassignment(first, [1, 3], live);
  t.like(second, { replicas: [1, 3, 0], adding: [3], removing: [0], isr: [0, 1] });
  const again = startReassignment(first, [1, 2], live);
  t.like(again, { replicas: [1, 2, 0], adding: [2], removing: [0] }, 'the same target waits for 2 again, not completed early');
});

test('cancelling drops the replicas being added and keeps those being removed', (t) => {
  const started = startReassignment(p([0, 1], [0, 1], 0), [1, 2], live);
  // In the order of the list during the move, as Kafka's revert leaves it; 2 is fenced.
  t.like(cancelReassignment({ ...started, isr: [0, 1] }, live, false), { replicas: [1, 0], isr: [0, 1], adding: [], removing: [], leader: 0, leaderEpoch: 6 });
  // Only new replicas in sync (the old ones fell out): reverting needs an unclean election.
  const stranded = { ...startReassignment(p([0], [0], 0), [2], live), isr: [2], leader: 2 };
  t.is(cancelReassignment(stranded, live, false), 'unclean');
  t.like(cancelReassignment(stranded, live, true), { replicas: [0], isr: [0], leader: 0 });
});

test('targets are checked as Kafka checks a manual assignment', (t) => {
  t.is(assignmentError([], live), 'The manual partition assignment includes an empty replica list.');
  t.is(assignmentError([1, 9, 7], live), 'The manual partition assignment includes broker 7, but no such broker is registered.');
  t.is(assignmentError([2, 1, 2], live), 'The manual partition assignment includes the broker 2 more than once.');
  t.is(assignmentError([2, 1], live), null);
});
