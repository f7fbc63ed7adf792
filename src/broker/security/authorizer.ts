// Kafka's StandardAuthorizer semantics over the cluster's ACLs: super users may do
// anything; otherwise the ACLs whose pattern covers the resource (its literal name, the
// `*` wildcard, any prefix of it) and whose principal and host match decide, a DENY
// beating any ALLOW; READ, WRITE, DELETE and ALTER imply DESCRIBE, ALTER_CONFIGS implies
// DESCRIBE_CONFIGS, ALL implies everything. A resource no ACL names at all is allowed only
// with allow.everyone.if.no.acl.found. Without `authorizer.class.name` everything is
// allowed and the ACL APIs answer SECURITY_DISABLED.
import { ConfigError } from '../config.js';
import { splitAddress } from '../net/address.js';
import { type AclBinding, AclOperation, type AclOperationCode, AclPermission, CLUSTER_NAME, PatternType, ResourceType, type ResourceTypeCode, SUPPORTED_OPERATIONS, WILDCARD, WILDCARD_PRINCIPAL } from './acl.js';

/** The class names Kafka's authorizers go by; either turns the ACLs on. */
export const AUTHORIZER_CLASSES = ['org.apache.kafka.metadata.authorizer.StandardAuthorizer', 'kafka.security.authorizer.AclAuthorizer'];

/** Who asks: Kafka's principal (`User:alice`) and the client's address. */
export interface Session {
  readonly principal: string;
  readonly host: string;
}

/** What a connection knows of its client (its address as `ip:port`), as a Session. */
export function sessionOf(c: { principal: string; remoteAddress: string }): Session {
  return { principal: `User:${c.principal}`, host: splitAddress(c.remoteAddress).ip };
}

/** Every operation a resource type supports, as a bit field. */
const allOperations = (type: ResourceTypeCode) => (SUPPORTED_OPERATIONS[type] ?? []).reduce((bits, op) => bits | (1 << op), 0);

/** The view of a broker without an authorizer: everything allowed, and nothing to look up on the way. */
const EVERYTHING: Access = { topic: () => true, group: () => true, transactionalId: () => true, cluster: () => true, anyOf: () => true, operations: allOperations };

const IMPLIES_DESCRIBE: readonly number[] = [AclOperation.DESCRIBE, AclOperation.READ, AclOperation.WRITE, AclOperation.DELETE, AclOperation.ALTER];
const IMPLIES_DESCRIBE_CONFIGS: readonly number[] = [AclOperation.DESCRIBE_CONFIGS, AclOperation.ALTER_CONFIGS];

/** One client's view of the authorizer. */
export interface Access {
  topic(op: AclOperationCode, name: string): boolean;
  group(op: AclOperationCode, id: string): boolean;
  transactionalId(op: AclOperationCode, id: string): boolean;
  cluster(op: AclOperationCode): boolean;
  /** Whether the client may do `op` on some resource of `type` (authorizeByResourceType). */
  anyOf(op: AclOperationCode, type: ResourceTypeCode): boolean;
  /** The authorized-operations bit field of a resource. */
  operations(type: ResourceTypeCode, name: string): number;
}

interface Configs {
  get(name: string): string | null;
}

export class Authorizer {
  /** False without an authorizer configured: everything is allowed. */
  readonly enabled: boolean;
  private readonly superUsers: ReadonlySet<string>;
  private readonly allowIfNoAcl: boolean;

  constructor(config: Configs, private readonly acls: () => readonly AclBinding[]) {
    const cls = config.get('authorizer.class.name') ?? '';
    if (cls !== '' && !AUTHORIZER_CLASSES.includes(cls)) throw new ConfigError(`authorizer.class.name ${cls} is not served: use ${AUTHORIZER_CLASSES[0]}`);
    this.enabled = cls !== '';
    this.superUsers = new Set((config.get('super.users') ?? '').split(';').map((s) => s.trim()).filter(Boolean));
    this.allowIfNoAcl = config.get('allow.everyone.if.no.acl.found') === 'true';
  }

  /** The checks a request's handler makes, for the connection's client. */
  access(connection: { principal: string; remoteAddress: string }): Access {
    if (!this.enabled) return EVERYTHING;
    const session = sessionOf(connection);
    return {
      topic: (op, name) => this.authorize(session, op, ResourceType.TOPIC, name),
      group: (op, id) => this.authorize(session, op, ResourceType.GROUP, id),
      transactionalId: (op, id) => this.authorize(session, op, ResourceType.TRANSACTIONAL_ID, id),
      cluster: (op) => this.authorizeCluster(session, op),
      anyOf: (op, type) => this.authorizeAny(session, op, type),
      operations: (type, name) => this.authorizedOperations(session, type, name),
    };
  }

  /** Whether `session` may do `operation` on the resource. */
  authorize(session: Session, operation: AclOperationCode, type: ResourceTypeCode, name: string): boolean {
    if (!this.enabled || this.superUsers.has(session.principal)) return true;
    let named = false;
    let allowed = false;
    for (const acl of this.acls()) {
      if (acl.resourceType !== type || !covers(acl, name)) continue;
      named = true;
      if ((acl.principal !== session.principal && acl.principal !== WILDCARD_PRINCIPAL) || (acl.host !== session.host && acl.host !== WILDCARD)) continue;
      if (acl.permissionType === AclPermission.DENY) {
        if (acl.operation === AclOperation.ALL || acl.operation === operation) return false;
      } else if (acl.operation === AclOperation.ALL || acl.operation === operation
        || (operation === AclOperation.DESCRIBE && IMPLIES_DESCRIBE.includes(acl.operation))
        || (operation === AclOperation.DESCRIBE_CONFIGS && IMPLIES_DESCRIBE_CONFIGS.includes(acl.operation))) {
        allowed = true;
      }
    }
    return allowed || (!named && this.allowIfNoAcl);
  }

  authorizeCluster(session: Session, operation: AclOperationCode): boolean {
    return this.authorize(session, operation, ResourceType.CLUSTER, CLUSTER_NAME);
  }

  /**
   * Whether `session` may do `operation` on some resource of `type` (Kafka's
   * authorizeByResourceType, for an idempotent producer's InitProducerId): an ALLOW on any
   * pattern that no DENY on the same or a wider pattern takes back.
   */
  authorizeAny(session: Session, operation: AclOperationCode, type: ResourceTypeCode): boolean {
    if (!this.enabled || this.superUsers.has(session.principal)) return true;
    const applies = (acl: AclBinding, permission: number) => acl.resourceType === type && acl.permissionType === permission
      && (acl.principal === session.principal || acl.principal === WILDCARD_PRINCIPAL) && (acl.host === session.host || acl.host === WILDCARD)
      && (acl.operation === operation || acl.operation === AclOperation.ALL);
    const acls = this.acls();
    const denies = acls.filter((a) => applies(a, AclPermission.DENY));
    if (denies.some((d) => d.patternType === PatternType.LITERAL && d.resourceName === WILDCARD)) return false;
    const allows = acls.filter((a) => applies(a, AclPermission.ALLOW));
    if (allows.length === 0) return this.allowIfNoAcl && !acls.some((a) => a.resourceType === type);
    return allows.some((a) => !denies.some((d) => d.patternType === PatternType.PREFIXED ? a.resourceName.startsWith(d.resourceName) : d.resourceName === a.resourceName && a.patternType === PatternType.LITERAL));
  }

  /** The 32-bit field of the operations `session` may do on the resource (Metadata's and the describes' authorized operations). */
  authorizedOperations(session: Session, type: ResourceTypeCode, name: string): number {
    let bits = 0;
    for (const op of SUPPORTED_OPERATIONS[type] ?? []) if (this.authorize(session, op as AclOperationCode, type, name)) bits |= 1 << op;
    return bits;
  }
}

/** Whether an ACL's pattern covers the resource `name`. */
function covers(acl: AclBinding, name: string): boolean {
  if (acl.patternType === PatternType.PREFIXED) return name.startsWith(acl.resourceName);
  return acl.resourceName === name || acl.resourceName === WILDCARD;
}
