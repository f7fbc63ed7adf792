// The slots of a request, found from its schema: the topics, partitions, groups or ids it
// names, which its response answers one by one. An error goes in every slot a request
// names (or at the top, for an API that names none), as Kafka's getErrorResponse puts it:
// a test kit fault in the slots it matches (the broker handles the rest as usual), a
// refused cluster operation in all of them. One
// generic walk over Kafka's declarations serves every API: the request's arrays are
// mirrored into the response's by their key fields.
import { type FieldSchema, inRange, type MessageSchema } from '../protocol/schema.js';

type Obj = Record<string, unknown>;

/** Key fields of one meaning under their names in Kafka's declarations. */
const KEY_CLASSES: readonly (readonly string[])[] = [
  ['name', 'topic', 'topicName'],
  ['topicId'],
  ['partitionIndex', 'index', 'partition', 'partitionId'],
  ['groupId'],
  ['transactionalId'],
  ['resourceName'],
  ['key'],
];
const TOPIC = 0;
const TOPIC_ID = 1;
const PARTITION = 2;
const classOf = (name: string): number => KEY_CLASSES.findIndex((c) => c.includes(name));
const isInt = (f: FieldSchema) => f.type === 'int32' || f.type === 'int16' || f.type === 'int64';

/** Which slots a fault applies to: all, or those of a topic, or of one of its partitions. */
export interface SlotFilter {
  topic?: string;
  /** The id of `topic`, for versions that name topics by id (Fetch v13+, Produce v13, ...); unset for an unknown topic. */
  topicId?: string;
  partition?: number;
}

const fieldsAt = (fields: readonly FieldSchema[] | undefined, v: number) => (fields ?? []).filter((f) => inRange(v, f.versions));
const keysOf = (fields: readonly FieldSchema[]) => fields.filter((f) => classOf(f.name) >= 0);

/** The request array a response array answers, and how its elements' keys map. */
function answered(reqFields: readonly FieldSchema[], res: FieldSchema, v: number): { req: FieldSchema; keys: Array<[string, string | null]> } | null {
  const resKeys = keysOf(fieldsAt(res.fields, v));
  if (resKeys.length === 0) return null;
  for (const g of reqFields) {
    if (!g.array) continue;
    if (g.type === 'struct') {
      const reqKeys = keysOf(fieldsAt(g.fields, v));
      const keys = resKeys.map((rk): [string, string | null] => [rk.name, reqKeys.find((k) => classOf(k.name) === classOf(rk.name))?.name ?? null]);
      if (keys.some(([, src]) => src !== null)) return { req: g, keys };
    } else {
      // An array of ids (partition indexes, group ids, topic names): the response key of that kind.
      const rk = resKeys.find((k) => (isInt(g) ? classOf(k.name) === PARTITION && isInt(k) : k.type === g.type && classOf(k.name) !== PARTITION));
      if (rk) return { req: g, keys: [[rk.name, null]] };
    }
  }
  return null;
}

/**
 * The response to `req` with `errorCode` in every slot it names; at the top when it names
 * none. `message`, when given, goes beside each error code that has an errorMessage field.
 */
export function errorResponse(reqSchema: MessageSchema, resSchema: MessageSchema, v: number, req: object, errorCode: number, message: string | null = null): Obj {
  const error = { code: errorCode, message };
  const { out, slots } = mirror(fieldsAt(reqSchema.fields, v), req as Obj, fieldsAt(resSchema.fields, v), v, error, false);
  if (slots === 0) setError(out, fieldsAt(resSchema.fields, v), error);
  return out;
}

/** Sets the error code (and the message, where the struct has a field for it); false when the struct has no error code. */
function setError(out: Obj, fields: readonly FieldSchema[], error: { code: number; message: string | null }): boolean {
  if (!fields.some((f) => f.name === 'errorCode')) return false;
  out['errorCode'] = error.code;
  if (error.message !== null && fields.some((f) => f.name === 'errorMessage')) out['errorMessage'] = error.message;
  return true;
}

function mirror(reqFields: readonly FieldSchema[], req: Obj, resFields: readonly FieldSchema[], v: number, error: { code: number; message: string | null }, slot: boolean): { out: Obj; slots: number } {
  const out: Obj = {};
  // How many error codes were set here and below: a topic with no partitions named sets none.
  let slots = 0;
  if (slot && setError(out, resFields, error)) slots++;
  for (const f of resFields) {
    if (!f.array || f.type !== 'struct') continue;
    const a = answered(reqFields, f, v);
    const elements = a ? req[a.req.name] : null;
    if (!a || !Array.isArray(elements)) continue;
    out[f.name] = elements.map((el: unknown) => {
      const primitive = a.req.type !== 'struct';
      const inner = mirror(primitive ? [] : fieldsAt(a.req.fields, v), primitive ? {} : (el as Obj), fieldsAt(f.fields, v), v, error, true);
      slots += inner.slots;
      for (const [to, from] of a.keys) {
        if (primitive) inner.out[to] = el;
        else if (from !== null) inner.out[to] = (el as Obj)[from];
      }
      return inner.out;
    });
  }
  return { out, slots };
}

/**
 * Splits a request by a fault's filter: `hit`, what the fault answers (null when it names
 * nothing the filter matches), and `keep`, what the broker still handles (null when
 * nothing is left). A request with no slots is hit whole when the filter names no topic.
 */
export function splitRequest<T extends object>(schema: MessageSchema<T>, v: number, req: T, filter: SlotFilter): { hit: T | null; keep: T | null };
export function splitRequest(schema: MessageSchema, v: number, req: object, filter: SlotFilter): { hit: object | null; keep: object | null } {
  if (filter.topic === undefined && filter.partition === undefined) return { hit: req, keep: null };
  const r = split(fieldsAt(schema.fields, v), req as Obj, filter, false, v);
  return { hit: r.hits > 0 ? r.hit : null, keep: r.hits === 0 || r.keeps > 0 ? r.keep : null };
}

interface Split { hit: Obj; keep: Obj; hits: number; keeps: number }

function split(fields: readonly FieldSchema[], obj: Obj, filter: SlotFilter, topicMatched: boolean, v: number): Split {
  const s: Split = { hit: { ...obj }, keep: { ...obj }, hits: 0, keeps: 0 };
  for (const f of fields) {
    const elements = obj[f.name];
    if (!f.array || !Array.isArray(elements)) continue;
    const sub = fieldsAt(f.fields, v);
    const topicKey = sub.find((k) => classOf(k.name) === TOPIC && k.type === 'string') ?? sub.find((k) => classOf(k.name) === TOPIC_ID && k.type === 'uuid');
    const partitionKey = sub.find((k) => classOf(k.name) === PARTITION);
    const partitionIds = topicMatched && isInt(f) && /partition/i.test(f.name);
    if (!topicKey && !partitionKey && !partitionIds) continue;
    const hit: unknown[] = [];
    const keep: unknown[] = [];
    for (const el of elements) {
      if (partitionIds) {
        (filter.partition === undefined || el === filter.partition ? hit : keep).push(el);
        continue;
      }
      const e = el as Obj;
      if (topicKey && filter.topic !== undefined && e[topicKey.name] !== (topicKey.type === 'uuid' ? filter.topicId : filter.topic)) {
        keep.push(e);
        continue;
      }
      const matched = topicMatched || topicKey !== undefined;
      if (partitionKey) {
        (filter.partition === undefined || e[partitionKey.name] === filter.partition ? hit : keep).push(e);
        continue;
      }
      const inner = split(sub, e, filter, matched, v);
      if (inner.hits > 0 || (inner.keeps === 0 && matched)) hit.push(inner.hit);
      if (inner.keeps > 0 || (inner.hits === 0 && !matched)) keep.push(inner.keep);
    }
    s.hit[f.name] = hit;
    s.keep[f.name] = keep;
    s.hits += hit.length;
    s.keeps += keep.length;
  }
  return s;
}

/** Adds the error slots of `extra` to a handled response, merging elements with the same keys. */
export function mergeResponses<T extends object>(into: T, extra: object): T {
  mergeInto(into as Obj, extra as Obj);
  return into;
}

function mergeInto(into: Obj, extra: Obj): void {
  for (const [k, v] of Object.entries(extra)) {
    if (!Array.isArray(v)) continue;
    const have = Array.isArray(into[k]) ? [...(into[k] as unknown[])] : [];
    for (const el of v) {
      const twin = typeof el === 'object' && el !== null ? have.find((h) => sameKeys(h as Obj, el as Obj)) : undefined;
      if (twin) mergeInto(twin as Obj, el as Obj);
      else have.push(el);
    }
    into[k] = have;
  }
}

function sameKeys(a: Obj, b: Obj): boolean {
  const keys = Object.keys(b).filter((k) => classOf(k) >= 0 && classOf(k) !== PARTITION);
  return keys.length > 0 && keys.every((k) => a[k] === b[k]) && !Object.keys(b).some((k) => classOf(k) === PARTITION);
}
