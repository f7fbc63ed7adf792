// Replica placement: leadership spread like Kafka's, distinct brokers, racks respected.
import test from 'ava';
import { type BrokerInfo, PlacementError, placeReplicas } from '../../../src/broker/controller/placement.js';

const brokers = (n: number, rack?: (id: number) => string): BrokerInfo[] =>
  Array.from({ length: n }, (_, id) => ({ nodeId: id, host: 'h', port: 9092 + id, rack: rack ? rack(id) : null }));
const leadersPer = (placed: number[][]) => {
  const m = new Map<number, number>();
  for (const r of placed) m.set(r[0]!, (m.get(r[0]!) ?? 0) + 1);
  return m;
};

test('N partitions on N brokers: each broker leads one; replicas of a partition are distinct', (t) => {
  const placed = placeReplicas(brokers(3), 0, 3, 3);
  t.deepEqual([...leadersPer(placed).values()], [1, 1, 1]);
  for (const r of placed) t.is(new Set(r).size, 3);
  t.deepEqual([...leadersPer(placeReplicas(brokers(3), 0, 6, 3)).values()], [2, 2, 2]);
});

test('more brokers than partitions: the extra brokers lead none; fewer: leadership shared evenly', (t) => {
  t.is(leadersPer(placeReplicas(brokers(5), 0, 3, 2)).size, 3);
  const counts = [...leadersPer(placeReplicas(brokers(3), 0, 7, 2)).values()].sort();
  t.deepEqual(counts, [2, 2, 3]);
});

test('growing a topic continues the ring where it stopped', (t) => {
  t.deepEqual(placeReplicas(brokers(3), 3, 3, 1), [[0], [1], [2]]);
  t.deepEqual(placeReplicas(brokers(3), 1, 1, 2), [[1, 2]]);
});

test('a replication factor above the broker count is refused', (t) => {
  t.throws(() => placeReplicas(brokers(2), 0, 1, 3), { instanceOf: PlacementError, message: /only 2 broker/ });
});

test('with broker.rack set, replicas of a partition land in different racks', (t) => {
  // Racks a, a, b, b, c, c: a plain ring would put replicas 0 and 1 both in rack a.
  const bs = brokers(6, (id) => 'abc'[Math.floor(id / 2)]!);
  const rackOf = (id: number) => bs[id]!.rack;
  for (const r of placeReplicas(bs, 0, 12, 3)) t.is(new Set(r.map(rackOf)).size, 3, `replicas ${r}`);
  t.deepEqual([...leadersPer(placeReplicas(bs, 0, 6, 3)).values()], [1, 1, 1, 1, 1, 1]);
  // More replicas than racks: every rack used, the rest anywhere, still distinct brokers.
  for (const r of placeReplicas(brokers(4, (id) => (id < 2 ? 'x' : 'y')), 0, 4, 3)) {
    t.is(new Set(r).size, 3);
    t.is(new Set(r.map((id) => (id < 2 ? 'x' : 'y'))).size, 2);
  }
});
