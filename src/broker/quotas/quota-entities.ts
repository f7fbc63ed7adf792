// Client quota entities and their values, checked as Kafka's controller checks them
// (ClientQuotaControlManager): which entity types combine, which keys each takes, which
// values are valid, and how DescribeClientQuotas' filters match. Pure: no I/O but the
// host lookup Kafka does for an ip entity (InetAddress.getByName), passed in.

export const USER = 'user';
export const CLIENT_ID = 'client-id';
export const IP = 'ip';
export type EntityType = typeof USER | typeof CLIENT_ID | typeof IP;

/** An entity: its types and names in Kafka's order (user, client-id, ip); a null name is the type's default. */
export type QuotaEntity = ReadonlyArray<readonly [EntityType, string | null]>;

/** One entity's quotas, as the cluster's metadata keeps them. */
export interface QuotaEntry {
  entity: QuotaEntity;
  values: Record<string, number>;
}

type ValueType = 'LONG' | 'INT' | 'DOUBLE';

/** QuotaConfig.userAndClientQuotaConfigs() and ipConfigs(). */
const USER_AND_CLIENT_KEYS: Record<string, ValueType> = {
  producer_byte_rate: 'LONG', consumer_byte_rate: 'LONG', request_percentage: 'DOUBLE', controller_mutation_rate: 'DOUBLE',
};
const IP_KEYS: Record<string, ValueType> = { connection_creation_rate: 'INT' };

const ORDER: Record<EntityType, number> = { [USER]: 0, [CLIENT_ID]: 1, [IP]: 2 };
const isEntityType = (t: string): t is EntityType => t in ORDER;

/** The key an entity is kept under: its parts in order, a default as the empty name's marker. */
export const entityKey = (e: QuotaEntity): string => e.map(([t, n]) => `${t}=${n === null ? '<default>' : `'${n}'`}`).join(',');

export type Checked<T> = { ok: T } | { error: string };

/** validateEntity: known types, once each, no empty names. */
export function checkEntity(parts: ReadonlyArray<{ entityType: string; entityName: string | null }>): Checked<QuotaEntity> {
  if (parts.length === 0) return { error: 'Invalid empty client quota entity' };
  const seen = new Map<EntityType, string | null>();
  for (const { entityType, entityName } of parts) {
    if (!isEntityType(entityType)) return { error: `Unhandled client quota entity type: ${entityType}` };
    if (seen.has(entityType)) return { error: `Invalid client quota entity, duplicate entity entry ${entityType}` };
    seen.set(entityType, entityName);
    if (entityName === '') return { error: `Empty ${entityType} not supported` };
  }
  return { ok: [...seen].sort((a, b) => ORDER[a[0]] - ORDER[b[0]]) };
}

/** configKeysForEntityType: an ip stands alone and must be an address or a host that resolves. */
export async function keysFor(entity: QuotaEntity, resolves: (host: string) => Promise<boolean>): Promise<Checked<Record<string, ValueType>>> {
  const ip = entity.find(([t]) => t === IP);
  if (ip) {
    if (entity.length > 1) return { error: 'Invalid quota entity combination, IP entity shouldnot be combined with User or ClientId' };
    if (ip[1] !== null && !(await resolves(ip[1]))) return { error: `${ip[1]} is not a valid IP or resolvable host.` };
    return { ok: IP_KEYS };
  }
  return { ok: USER_AND_CLIENT_KEYS };
}

/** validateQuotaKeyValue: a key the entity takes, above 0, whole where the key is integral. */
export function checkValue(keys: Record<string, ValueType>, key: string, value: number): string | null {
  const type = keys[key];
  if (!type) return `Invalid configuration key ${key}`;
  if (!(value > 0)) return `Quota ${key} must be greater than 0`;
  if (type === 'DOUBLE') return null;
  if (type === 'INT' && value > 2 ** 31 - 1) return `Proposed value for ${key} is too large for an INT.`;
  if (type === 'LONG' && value > 2 ** 63) return `Proposed value for ${key} is too large for a LONG.`;
  return Math.abs(value % 1) > 1e-6 ? `${key} cannot be a fractional value.` : null;
}

/** A DescribeClientQuotas filter component (match type 0 exact, 1 default, 2 any name). */
export interface FilterComponent {
  entityType: string;
  matchType: number;
  match: string | null;
}

export interface Filter {
  /** Types that must be present with this name (null: the default). */
  exact: Map<string, string | null>;
  /** Types that must be present under any name. */
  any: Set<string>;
  strict: boolean;
}

export class FilterError extends Error {
  constructor(readonly code: 'INVALID_REQUEST' | 'UNSUPPORTED_VERSION', message: string) {
    super(message);
  }
}

/** Kafka's DescribeClientQuotasRequest.filter and the controller's validate: throws FilterError. */
export function parseFilter(components: readonly FilterComponent[], strict: boolean): Filter {
  const f: Filter = { exact: new Map(), any: new Set(), strict };
  for (const c of components) {
    if (c.matchType < 0 || c.matchType > 2) throw new FilterError('INVALID_REQUEST', `Unexpected match type: ${c.matchType}`);
    const s = c.entityType;
    if (s === '') throw new FilterError('INVALID_REQUEST', 'Invalid empty entity type.');
    if (f.exact.has(s) || f.any.has(s)) throw new FilterError('INVALID_REQUEST', `Entity type ${s} cannot appear more than once in the filter.`);
    if (!isEntityType(s)) throw new FilterError('UNSUPPORTED_VERSION', `Unsupported entity type ${s}`);
    // An exact match without a name is Kafka's ofEntity(type, null): any name.
    if (c.matchType === 1) f.exact.set(s, null);
    else if (c.matchType === 0 && c.match !== null) f.exact.set(s, c.match);
    else f.any.add(s);
  }
  const has = (t: string) => f.exact.has(t) || f.any.has(t);
  if (has(IP) && (has(USER) || has(CLIENT_ID))) {
    throw new FilterError('INVALID_REQUEST', 'Invalid entity filter component combination. IP filter component should not be used with user or clientId filter component.');
  }
  return f;
}

export function matches(entity: QuotaEntity, f: Filter): boolean {
  if (f.strict && entity.length !== f.exact.size + f.any.size) return false;
  const names = new Map(entity);
  for (const [t, name] of f.exact) if (!names.has(t as EntityType) || names.get(t as EntityType) !== name) return false;
  for (const t of f.any) if (!names.has(t as EntityType)) return false;
  return true;
}

/** An alteration checked: its entity and, per key, the new value or null to remove it. */
export interface CheckedAlteration {
  entity: QuotaEntity;
  ops: Map<string, number | null>;
}

/** As Java prints a ClientQuotaEntity, for Kafka's messages. */
const describeEntity = (parts: ReadonlyArray<{ entityType: string; entityName: string | null }>): string =>
  `ClientQuotaEntity(entries={${parts.map((p) => `${p.entityType}=${p.entityName}`).join(', ')}})`;

/**
 * Checks AlterClientQuotas' entries as Kafka's controller does, entry by entry: an error
 * for the entry, or what it changes. A second entry for one entity, or one entry naming a
 * key twice, is "Ignoring duplicate entity" (Kafka's message for both).
 */
export async function checkAlterations(
  entries: ReadonlyArray<{ entity: ReadonlyArray<{ entityType: string; entityName: string | null }>; ops: ReadonlyArray<{ key: string; value: number; remove: boolean }> }>,
  resolves: (host: string) => Promise<boolean>,
): Promise<Array<{ parts: ReadonlyArray<{ entityType: string; entityName: string | null }>; result: Checked<CheckedAlteration> }>> {
  const out: Array<{ parts: ReadonlyArray<{ entityType: string; entityName: string | null }>; result: Checked<CheckedAlteration> }> = [];
  const seen = new Set<string>();
  for (const e of entries) {
    const id = describeEntity(e.entity);
    const duplicateKey = new Set(e.ops.map((o) => o.key)).size !== e.ops.length;
    if (seen.has(id) || duplicateKey) {
      out.push({ parts: e.entity, result: { error: `Ignoring duplicate entity ${id}` } });
      seen.add(id);
      continue;
    }
    seen.add(id);
    out.push({ parts: e.entity, result: await checkAlteration(e.entity, e.ops, resolves) });
  }
  return out;
}

async function checkAlteration(
  parts: ReadonlyArray<{ entityType: string; entityName: string | null }>,
  ops: ReadonlyArray<{ key: string; value: number; remove: boolean }>,
  resolves: (host: string) => Promise<boolean>,
): Promise<Checked<CheckedAlteration>> {
  const entity = checkEntity(parts);
  if ('error' in entity) return entity;
  const keys = await keysFor(entity.ok, resolves);
  if ('error' in keys) return keys;
  const changes = new Map<string, number | null>();
  for (const op of ops) {
    if (op.remove) {
      changes.set(op.key, null);
      continue;
    }
    const bad = checkValue(keys.ok, op.key, op.value);
    if (bad) return { error: bad };
    changes.set(op.key, op.value);
  }
  return { ok: { entity: entity.ok, ops: changes } };
}

/** The quotas after `alterations`: values set and removed, entities left with none dropped. */
export function applyAlterations(current: readonly QuotaEntry[], alterations: readonly CheckedAlteration[]): QuotaEntry[] {
  const byKey = new Map(current.map((e) => [entityKey(e.entity), { entity: e.entity, values: { ...e.values } }]));
  for (const a of alterations) {
    const k = entityKey(a.entity);
    const entry = byKey.get(k) ?? { entity: a.entity, values: {} };
    for (const [key, value] of a.ops) {
      if (value === null) delete entry.values[key];
      else entry.values[key] = value;
    }
    if (Object.keys(entry.values).length > 0) byKey.set(k, entry);
    else byKey.delete(k);
  }
  return [...byKey.values()];
}
