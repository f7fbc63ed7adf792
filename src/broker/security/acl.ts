// Kafka's ACL model: a binding is a resource pattern (type, name, LITERAL or PREFIXED)
// and an entry (principal, host, operation, ALLOW or DENY), by the codes Kafka's
// protocol carries (org.apache.kafka.common.acl and .resource). Filters match bindings as
// AclBindingFilter does: ANY matches everything; MATCH matches the patterns that would
// apply to a named resource (that literal name, the `*` wildcard, prefixes of it).

export const ResourceType = { UNKNOWN: 0, ANY: 1, TOPIC: 2, GROUP: 3, CLUSTER: 4, TRANSACTIONAL_ID: 5, DELEGATION_TOKEN: 6, USER: 7 } as const;
export const PatternType = { UNKNOWN: 0, ANY: 1, MATCH: 2, LITERAL: 3, PREFIXED: 4 } as const;
export const AclOperation = {
  UNKNOWN: 0, ANY: 1, ALL: 2, READ: 3, WRITE: 4, CREATE: 5, DELETE: 6, ALTER: 7, DESCRIBE: 8, CLUSTER_ACTION: 9,
  DESCRIBE_CONFIGS: 10, ALTER_CONFIGS: 11, IDEMPOTENT_WRITE: 12, CREATE_TOKENS: 13, DESCRIBE_TOKENS: 14,
} as const;
export const AclPermission = { UNKNOWN: 0, ANY: 1, DENY: 2, ALLOW: 3 } as const;

export type ResourceTypeCode = (typeof ResourceType)[keyof typeof ResourceType];
export type AclOperationCode = (typeof AclOperation)[keyof typeof AclOperation];

/** The one name a CLUSTER resource has. */
export const CLUSTER_NAME = 'kafka-cluster';
/** A literal resource name that stands for every name; a principal or host that stands for any. */
export const WILDCARD = '*';
export const WILDCARD_PRINCIPAL = 'User:*';

const nameOf = (codes: Record<string, number>, code: number) => Object.keys(codes).find((k) => codes[k] === code) ?? 'UNKNOWN';
export const resourceTypeName = (code: number) => nameOf(ResourceType, code);
export const operationName = (code: number) => nameOf(AclOperation, code);

export interface AclBinding {
  resourceType: number;
  resourceName: string;
  patternType: number;
  principal: string;
  host: string;
  operation: number;
  permissionType: number;
}

/** A filter over bindings: null strings match any; ANY codes match any (MATCH for the pattern type, as above). */
export interface AclFilter {
  resourceType: number;
  resourceName: string | null;
  patternType: number;
  principal: string | null;
  host: string | null;
  operation: number;
  permissionType: number;
}

/** Whether a code is one Kafka knows (a request with an unknown one does not parse in Kafka). */
const known = (codes: Record<string, number>, code: number) => code !== 0 && Object.values(codes).includes(code);

/** True when a binding or filter names only known codes. */
export function knownCodes(a: { resourceType: number; patternType: number; operation: number; permissionType: number }): boolean {
  return known(ResourceType, a.resourceType) && known(PatternType, a.patternType) && known(AclOperation, a.operation) && known(AclPermission, a.permissionType);
}

/** Why a new binding is refused (Kafka's AclControlManager and AclApis checks), or null. */
export function invalidBinding(b: AclBinding): string | null {
  if (b.resourceType === ResourceType.CLUSTER && b.resourceName !== CLUSTER_NAME) return `The only valid name for the CLUSTER resource is ${CLUSTER_NAME}`;
  if (b.resourceName === '') return 'Invalid empty resource name';
  if (b.resourceType === ResourceType.ANY || !known(ResourceType, b.resourceType)) return `Invalid resourceType ${resourceTypeName(b.resourceType)}`;
  if (b.patternType !== PatternType.LITERAL && b.patternType !== PatternType.PREFIXED) return `Invalid patternType ${nameOf(PatternType, b.patternType)}`;
  if (b.operation === AclOperation.ANY || !known(AclOperation, b.operation)) return `Invalid operation ${operationName(b.operation)}`;
  if (b.permissionType !== AclPermission.ALLOW && b.permissionType !== AclPermission.DENY) return `Invalid permissionType ${nameOf(AclPermission, b.permissionType)}`;
  if (!b.principal.includes(':')) return `Could not parse principal from \`${b.principal}\` (no colon is present separating the principal type from the principal name)`;
  return null;
}

/** AclBindingFilter.matches. */
export function filterMatches(f: AclFilter, b: AclBinding): boolean {
  if (f.resourceType !== ResourceType.ANY && f.resourceType !== b.resourceType) return false;
  if (f.patternType !== PatternType.ANY && f.patternType !== PatternType.MATCH && f.patternType !== b.patternType) return false;
  if (f.resourceName !== null) {
    if (f.patternType === PatternType.ANY || f.patternType === b.patternType) {
      if (f.resourceName !== b.resourceName) return false;
    } else if (b.patternType === PatternType.LITERAL) {
      if (f.resourceName !== b.resourceName && b.resourceName !== WILDCARD) return false;
    } else if (!f.resourceName.startsWith(b.resourceName)) return false;
  }
  return (f.principal === null || f.principal === b.principal)
    && (f.host === null || f.host === b.host)
    && (f.operation === AclOperation.ANY || f.operation === b.operation)
    && (f.permissionType === AclPermission.ANY || f.permissionType === b.permissionType);
}

export const sameBinding = (a: AclBinding, b: AclBinding) =>
  a.resourceType === b.resourceType && a.resourceName === b.resourceName && a.patternType === b.patternType
  && a.principal === b.principal && a.host === b.host && a.operation === b.operation && a.permissionType === b.permissionType;

/** The operations each resource type supports (AclEntry.supportedOperations): what authorized-operations fields list. */
export const SUPPORTED_OPERATIONS: Readonly<Record<number, readonly number[]>> = {
  [ResourceType.TOPIC]: [AclOperation.READ, AclOperation.WRITE, AclOperation.CREATE, AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.ALTER, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
  [ResourceType.GROUP]: [AclOperation.READ, AclOperation.DESCRIBE, AclOperation.DELETE, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS],
  [ResourceType.CLUSTER]: [AclOperation.CREATE, AclOperation.CLUSTER_ACTION, AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS, AclOperation.IDEMPOTENT_WRITE, AclOperation.ALTER, AclOperation.DESCRIBE],
  [ResourceType.TRANSACTIONAL_ID]: [AclOperation.DESCRIBE, AclOperation.WRITE],
  [ResourceType.DELEGATION_TOKEN]: [AclOperation.DESCRIBE],
  [ResourceType.USER]: [AclOperation.CREATE_TOKENS, AclOperation.DESCRIBE_TOKENS],
};
