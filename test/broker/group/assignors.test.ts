// The KIP-848 server-side assignors and member reconciliation, as pure functions: what
// they promise (every partition once, balance, stickiness, revoke before assign) checked
// on examples and on generated groups.
import test from 'ava';
import fc from 'fast-check';
import { type Assignment, range, uniform } from '../../../src/broker/group/assignors.js';
import { type MemberAssignment, reconcile } from '../../../src/broker/group/reconciliation.js';

const A = 'a'.repeat(32);
const B = 'b'.repeat(32);
const asObject = (m: Map<string, Assignment>) => Object.fromEntries([...m].map(([id, a]) => [id, Object.fromEntries(a)]));
const count = (a: Assignment | undefined) => [...(a ?? new Map()).values()].reduce((n, ps) => n + ps.length, 0);

test('uniform: members of one subscription get counts that differ by at most one', (t) => {
  const out = uniform.assign({ members: ['m1', 'm2', 'm3', 'm4'].map((memberId) => ({ memberId, topics: new Set([A, B]) })), partitions: new Map([[A, 5], [B, 2]]), current: new Map() });
  t.deepEqual([...out.values()].map(count).sort(), [1, 2, 2, 2]);
});

test('uniform: a member joining takes partitions from the others and moves no more than it needs', (t) => {
  const current = uniform.assign({ members: [{ memberId: 'm1', topics: new Set([A]) }, { memberId: 'm2', topics: new Set([A]) }], partitions: new Map([[A, 6]]), current: new Map() });
  const next = uniform.assign({ members: ['m1', 'm2', 'm3'].map((memberId) => ({ memberId, topics: new Set([A]) })), partitions: new Map([[A, 6]]), current });
  t.deepEqual([...next.values()].map(count), [2, 2, 2]);
  for (const id of ['m1', 'm2']) t.true(next.get(id)!.get(A)!.every((p) => current.get(id)!.get(A)!.includes(p)), `${id} keeps what it keeps from before`);
});

test('uniform: a partition goes only to a member subscribed to its topic', (t) => {
  const out = uniform.assign({ members: [{ memberId: 'm1', topics: new Set([A]) }, { memberId: 'm2', topics: new Set([A, B]) }], partitions: new Map([[A, 2], [B, 4]]), current: new Map() });
  t.deepEqual(asObject(out).m1, { [A]: [0, 1] });
  t.deepEqual(asObject(out).m2, { [B]: [0, 1, 2, 3] });
});

test('uniform: any group, any history: every subscribed partition exactly once, to a subscriber', (t) => {
  const topics = [A, B, 'c'.repeat(32)];
  const group = fc.record({
    partitions: fc.tuple(...topics.map(() => fc.integer({ min: 0, max: 12 }))),
    members: fc.uniqueArray(fc.record({ memberId: fc.string({ minLength: 1, maxLength: 4 }), topics: fc.subarray(topics, { minLength: 1 }) }), { selector: (m) => m.memberId, minLength: 1, maxLength: 6 }),
  });
  fc.assert(fc.property(group, group, (g1, g2) => {
    const spec = (g: typeof g1, current: Map<string, Assignment>) => ({ members: g.members.map((m) => ({ memberId: m.memberId, topics: new Set(m.topics) })), partitions: new Map(topics.map((x, i) => [x, g.partitions[i]!])), current });
    const first = uniform.assign(spec(g1, new Map()));
    const second = uniform.assign(spec(g2, first));
    const seen = new Map<string, string>();
    for (const [id, a] of second) {
      const member = g2.members.find((m) => m.memberId === id)!;
      for (const [topic, ps] of a) {
        if (!member.topics.includes(topic)) return false;
        for (const p of ps) {
          if (seen.has(`${topic}:${p}`) || p >= g2.partitions[topics.indexOf(topic)]!) return false;
          seen.set(`${topic}:${p}`, id);
        }
      }
    }
    const expected = topics.reduce((n, x, i) => n + (g2.members.some((m) => m.topics.includes(x)) ? g2.partitions[i]! : 0), 0);
    return seen.size === expected;
  }), { numRuns: 300 });
  t.pass();
});

test('range: each subscriber takes a contiguous range of each topic, the first ones one more', (t) => {
  const out = range.assign({ members: ['m2', 'm1', 'm3'].map((memberId) => ({ memberId, topics: new Set([A]) })), partitions: new Map([[A, 7]]), current: new Map() });
  t.deepEqual(asObject(out), { m1: { [A]: [0, 1, 2] }, m2: { [A]: [3, 4] }, m3: { [A]: [5, 6] } });
});

const member = (over: Partial<MemberAssignment>): MemberAssignment => ({ state: 'STABLE', memberEpoch: 1, previousMemberEpoch: 0, assigned: new Map(), pendingRevocation: new Map(), ...over });

test('reconcile: partitions to give up are revoked first, at the same epoch, until the member stops reporting them', (t) => {
  const m = member({ assigned: new Map([[A, [0, 1, 2, 3]]]) });
  const target = new Map([[A, [0, 1]]]);
  const owned = [{ topicId: A, partitions: [0, 1, 2, 3] }];
  const r = reconcile(m, 2, target, () => -1, owned);
  t.like(r, { state: 'UNREVOKED_PARTITIONS', memberEpoch: 1 });
  t.deepEqual(Object.fromEntries(r.assigned), { [A]: [0, 1] });
  t.deepEqual(Object.fromEntries(r.pendingRevocation), { [A]: [2, 3] });
  t.is(reconcile(r, 2, target, () => -1, owned), r, 'still reported: still waiting');
  const done = reconcile(r, 2, target, () => -1, [{ topicId: A, partitions: [0, 1] }]);
  t.like(done, { state: 'STABLE', memberEpoch: 2, previousMemberEpoch: 1 });
  t.deepEqual(Object.fromEntries(done.pendingRevocation), {});
});

test('reconcile: a partition another member still holds is not assigned until it is released', (t) => {
  const m = member({ assigned: new Map() });
  const target = new Map([[A, [2, 3]]]);
  const held = new Set([3]);
  const r = reconcile(m, 2, target, (_t, p) => (held.has(p) ? 1 : -1), []);
  t.like(r, { state: 'UNRELEASED_PARTITIONS', memberEpoch: 2 });
  t.deepEqual(Object.fromEntries(r.assigned), { [A]: [2] });
  held.clear();
  const after = reconcile(r, 2, target, () => -1, [{ topicId: A, partitions: [2] }]);
  t.like(after, { state: 'STABLE', memberEpoch: 2 });
  t.deepEqual(Object.fromEntries(after.assigned), { [A]: [2, 3] });
});
