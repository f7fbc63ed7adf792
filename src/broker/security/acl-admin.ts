// CreateAcls, DescribeAcls and DeleteAcls over the cluster's bindings, as Kafka's
// AclControlManager applies them: a creation is checked alone and an existing binding is
// not added twice; a deletion removes every binding its filter matches and lists them;
// a description groups the bindings a filter matches by resource pattern.
import { ErrorCode } from '../../protocol/errors.js';
import { type AclBinding, type AclFilter, AclOperation, filterMatches, invalidBinding, knownCodes, sameBinding } from './acl.js';
import type { Access } from './authorizer.js';

export interface AclResult {
  errorCode: number;
  errorMessage: string | null;
}

/**
 * Why a CreateAcls or DeleteAcls request is refused whole, as Kafka refuses it: 'unparseable'
 * when an entry has an UNKNOWN code (Kafka cannot parse it and closes the connection), the
 * result every entry gets without ALTER on the cluster (`notAuthorized`: Kafka's message
 * naming the request) or without an authorizer, or null.
 */
export function aclChangeRefusal(entries: ReadonlyArray<Parameters<typeof knownCodes>[0]>, access: Access, enabled: boolean, notAuthorized: () => string): 'unparseable' | AclResult | null {
  if (!entries.every(knownCodes)) return 'unparseable';
  if (!access.cluster(AclOperation.ALTER)) return { errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: notAuthorized() };
  if (!enabled) return { errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured.' };
  return null;
}

/**
 * Applies an ACL change in one read-modify-write of the cluster's bindings, retried while
 * another broker writes in between: resolves to the outcome of the attempt that counted.
 */
export async function changeAcls<R extends { next: AclBinding[] | null }>(
  bindings: { updateAcls(fn: (current: readonly AclBinding[]) => AclBinding[] | null): Promise<void> },
  change: (current: readonly AclBinding[]) => R,
): Promise<R> {
  const last: { outcome?: R } = {};
  await bindings.updateAcls((current) => (last.outcome = change(current)).next);
  return last.outcome!;
}

/** The result of each creation in order, and the bindings to keep (null: nothing changes). */
export function createAcls(current: readonly AclBinding[], creations: readonly AclBinding[]): { results: AclResult[]; next: AclBinding[] | null } {
  const next = [...current];
  const results = creations.map((b): AclResult => {
    const invalid = invalidBinding(b);
    if (invalid !== null) return { errorCode: ErrorCode.INVALID_REQUEST, errorMessage: invalid };
    if (!next.some((e) => sameBinding(e, b))) next.push(b);
    return { errorCode: ErrorCode.NONE, errorMessage: null };
  });
  return { results, next: next.length > current.length ? next : null };
}

/** Each filter's matches (a binding two filters match is listed under both, as in Kafka), and the bindings left. */
export function deleteAcls(current: readonly AclBinding[], filters: readonly AclFilter[]): { matches: AclBinding[][]; next: AclBinding[] | null } {
  const matches = filters.map((f) => current.filter((b) => filterMatches(f, b)));
  const gone = new Set(matches.flat());
  return { matches, next: gone.size > 0 ? current.filter((b) => !gone.has(b)) : null };
}

export interface DescribedResource {
  resourceType: number;
  resourceName: string;
  patternType: number;
  acls: Array<{ principal: string; host: string; operation: number; permissionType: number }>;
}

/** The bindings `filter` matches, by resource pattern, in the order they were created. */
export function describeAcls(acls: readonly AclBinding[], filter: AclFilter): DescribedResource[] {
  const out = new Map<string, DescribedResource>();
  for (const b of acls) {
    if (!filterMatches(filter, b)) continue;
    const key = JSON.stringify([b.resourceType, b.resourceName, b.patternType]);
    let r = out.get(key);
    if (!r) out.set(key, (r = { resourceType: b.resourceType, resourceName: b.resourceName, patternType: b.patternType, acls: [] }));
    r.acls.push({ principal: b.principal, host: b.host, operation: b.operation, permissionType: b.permissionType });
  }
  return [...out.values()];
}
