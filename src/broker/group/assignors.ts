// The server-side assignors of KIP-848 consumer groups (group.consumer.assignors): the
// coordinator, not a client, decides which member gets which partitions. `uniform`
// balances partitions over the members subscribed to them and moves as few as it can;
// `range` gives each member a contiguous range of each topic it subscribes to.

/** Partitions by topic id, each list sorted. */
export type Assignment = ReadonlyMap<string, readonly number[]>;

export interface AssignmentSpec {
  /** The members, with the ids of the topics each subscribes to. */
  members: ReadonlyArray<{ memberId: string; topics: ReadonlySet<string> }>;
  /** The partition count of each subscribed topic, by topic id. */
  partitions: ReadonlyMap<string, number>;
  /** The current target assignment, which `uniform` keeps where the balance allows. */
  current: ReadonlyMap<string, Assignment>;
}

export interface ServerAssignor {
  readonly name: string;
  assign(spec: AssignmentSpec): Map<string, Assignment>;
}

type Slot = [topicId: string, partition: number];

function toAssignment(slots: readonly Slot[]): Assignment {
  const out = new Map<string, number[]>();
  for (const [t, p] of slots) {
    if (!out.has(t)) out.set(t, []);
    out.get(t)!.push(p);
  }
  for (const ps of out.values()) ps.sort((a, b) => a - b);
  return out;
}

const byId = <T extends { memberId: string }>(a: T, b: T) => (a.memberId < b.memberId ? -1 : a.memberId > b.memberId ? 1 : 0);

/**
 * Kafka's UniformAssignor: every partition of a subscribed topic goes to one member that
 * subscribes to it, members' counts differ by at most one where their subscriptions
 * allow, and a partition stays with its current owner unless the balance needs it moved.
 */
export const uniform: ServerAssignor = {
  name: 'uniform',
  assign(spec) {
    const members = [...spec.members].sort(byId);
    const owned = new Map<string, Slot[]>(members.map((m) => [m.memberId, []]));
    const owner = new Map<string, string>();
    const key = (t: string, p: number) => `${t}:${p}`;
    // Stickiness: what each member holds and may still hold.
    for (const m of members) {
      for (const [t, ps] of spec.current.get(m.memberId) ?? []) {
        if (!m.topics.has(t)) continue;
        const count = spec.partitions.get(t) ?? 0;
        for (const p of ps) {
          if (p >= count || owner.has(key(t, p))) continue;
          owner.set(key(t, p), m.memberId);
          owned.get(m.memberId)!.push([t, p]);
        }
      }
    }
    const eligible = (t: string) => members.filter((m) => m.topics.has(t));
    const fewest = (t: string) => eligible(t).reduce<{ memberId: string } | null>((best, m) => (best === null || owned.get(m.memberId)!.length < owned.get(best.memberId)!.length ? m : best), null);
    // Every partition without an owner goes to the least loaded member that subscribes to its topic.
    for (const t of [...spec.partitions.keys()].sort()) {
      for (let p = 0; p < spec.partitions.get(t)!; p++) {
        if (owner.has(key(t, p))) continue;
        const m = fewest(t);
        if (!m) continue;
        owner.set(key(t, p), m.memberId);
        owned.get(m.memberId)!.push([t, p]);
      }
    }
    // Balance: move a partition from a member holding two more than another that could take it.
    for (let moved = true, rounds = 0; moved && rounds < 10_000; rounds++) {
      moved = false;
      const heaviest = [...members].sort((a, b) => owned.get(b.memberId)!.length - owned.get(a.memberId)!.length || byId(a, b));
      for (const from of heaviest) {
        const slots = owned.get(from.memberId)!;
        for (let i = slots.length - 1; i >= 0 && !moved; i--) {
          const [t, p] = slots[i]!;
          const to = fewest(t);
          if (!to || owned.get(to.memberId)!.length + 1 >= slots.length) continue;
          slots.splice(i, 1);
          owned.get(to.memberId)!.push([t, p]);
          owner.set(key(t, p), to.memberId);
          moved = true;
        }
        if (moved) break;
      }
    }
    return new Map([...owned].map(([id, slots]) => [id, toAssignment(slots)]));
  },
};

/**
 * Kafka's server-side RangeAssignor: for each topic, its subscribers in member id order
 * each take a contiguous range, the first ones one partition more when it does not divide.
 */
export const range: ServerAssignor = {
  name: 'range',
  assign(spec) {
    const members = [...spec.members].sort(byId);
    const slots = new Map<string, Slot[]>(members.map((m) => [m.memberId, []]));
    for (const [t, count] of spec.partitions) {
      const subscribers = members.filter((m) => m.topics.has(t));
      if (subscribers.length === 0) continue;
      const per = Math.floor(count / subscribers.length);
      const extra = count % subscribers.length;
      subscribers.forEach((m, i) => {
        const start = i * per + Math.min(i, extra);
        for (let p = start; p < start + per + (i < extra ? 1 : 0); p++) slots.get(m.memberId)!.push([t, p]);
      });
    }
    return new Map([...slots].map(([id, s]) => [id, toAssignment(s)]));
  },
};

export const SERVER_ASSIGNORS: ReadonlyMap<string, ServerAssignor> = new Map([uniform, range].map((a) => [a.name, a]));
