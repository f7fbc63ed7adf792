// How a KIP-848 member moves from its current assignment to its target, as Kafka's
// CurrentAssignmentBuilder does: partitions it must give up are revoked first (it keeps
// its epoch until it says it no longer owns them); partitions still owned by another
// member are not handed over until that member has released them.
import type { Assignment } from './assignors.js';

export type MemberState = 'STABLE' | 'UNREVOKED_PARTITIONS' | 'UNRELEASED_PARTITIONS';

export interface MemberAssignment {
  state: MemberState;
  memberEpoch: number;
  previousMemberEpoch: number;
  /** What the member may use now. */
  assigned: Assignment;
  /** What it must give up before it moves on. */
  pendingRevocation: Assignment;
}

/** The partitions a member says it owns, as a heartbeat carries them; null when not sent. */
export type Owned = ReadonlyArray<{ topicId: string; partitions: readonly number[] }> | null;

const EMPTY: Assignment = new Map();

/** Whether the member still reports any of these partitions (or reports nothing, so may). */
function ownsAny(owned: Owned, partitions: Assignment): boolean {
  if (owned === null) return true;
  return owned.some((t) => t.partitions.some((p) => partitions.get(t.topicId)?.includes(p)));
}

/**
 * The member's next assignment toward `target` at `targetEpoch`. `ownerEpoch` gives the
 * epoch of the member that holds a partition (assigned or pending revocation), -1 when
 * none does.
 */
export function reconcile(
  member: MemberAssignment, targetEpoch: number, target: Assignment,
  ownerEpoch: (topicId: string, partition: number) => number, owned: Owned,
): MemberAssignment {
  switch (member.state) {
    case 'STABLE':
      return member.memberEpoch === targetEpoch ? member : next(member, member.memberEpoch, targetEpoch, target, ownerEpoch, owned);
    case 'UNREVOKED_PARTITIONS':
      // Revoked once the member no longer reports them; then on to at most the next epoch.
      if (ownsAny(owned, member.pendingRevocation)) return member;
      return next(member, Math.min(member.memberEpoch + 1, targetEpoch), targetEpoch, target, ownerEpoch, owned);
    case 'UNRELEASED_PARTITIONS':
      return next(member, member.memberEpoch, targetEpoch, target, ownerEpoch, owned);
  }
}

function withEpoch(member: MemberAssignment, epoch: number): Pick<MemberAssignment, 'memberEpoch' | 'previousMemberEpoch'> {
  return epoch === member.memberEpoch ? { memberEpoch: member.memberEpoch, previousMemberEpoch: member.previousMemberEpoch } : { memberEpoch: epoch, previousMemberEpoch: member.memberEpoch };
}

function next(
  member: MemberAssignment, memberEpoch: number, targetEpoch: number, target: Assignment,
  ownerEpoch: (topicId: string, partition: number) => number, owned: Owned,
): MemberAssignment {
  const assigned = new Map<string, number[]>();
  const revoke = new Map<string, number[]>();
  const toAssign = new Map<string, number[]>();
  let unreleased = false;
  for (const t of new Set([...target.keys(), ...member.assigned.keys()])) {
    const want = new Set(target.get(t) ?? []);
    const have = member.assigned.get(t) ?? [];
    const keep = have.filter((p) => want.has(p));
    const gone = have.filter((p) => !want.has(p));
    const held = new Set(have);
    const pending = member.pendingRevocation.get(t) ?? [];
    // A partition another member still holds waits; one this member is revoking does not.
    const add = [...want].filter((p) => !held.has(p)).filter((p) => {
      const free = ownerEpoch(t, p) === -1 || pending.includes(p);
      if (!free) unreleased = true;
      return free;
    });
    if (keep.length > 0) assigned.set(t, keep);
    if (gone.length > 0) revoke.set(t, gone);
    if (add.length > 0) toAssign.set(t, add);
  }
  if (revoke.size > 0 && ownsAny(owned, revoke)) {
    return { state: 'UNREVOKED_PARTITIONS', ...withEpoch(member, memberEpoch), assigned: sorted(assigned), pendingRevocation: sorted(revoke) };
  }
  for (const [t, ps] of toAssign) assigned.set(t, [...(assigned.get(t) ?? []), ...ps]);
  return { state: unreleased ? 'UNRELEASED_PARTITIONS' : 'STABLE', ...withEpoch(member, targetEpoch), assigned: sorted(assigned), pendingRevocation: EMPTY };
}

function sorted(a: Map<string, number[]>): Assignment {
  for (const ps of a.values()) ps.sort((x, y) => x - y);
  return a;
}

/** Partitions as a heartbeat or describe answer lists them. */
export function assignmentList(a: Assignment): Array<{ topicId: string; partitions: number[] }> {
  return [...a].map(([topicId, partitions]) => ({ topicId, partitions: [...partitions] }));
}

export function sameAssignment(a: Assignment, b: Assignment): boolean {
  if (a.size !== b.size) return false;
  for (const [t, ps] of a) {
    const qs = b.get(t);
    if (!qs || qs.length !== ps.length || ps.some((p, i) => qs[i] !== p)) return false;
  }
  return true;
}
