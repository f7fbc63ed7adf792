// Data-driven codecs: one declaration per API key (see messages/) covers every version.
// A schema is compiled once per version into a decoder and an encoder, so adding a
// version is a change to the declaration, never new code.
import { ProtocolDecodeError, Reader, Writer } from './primitives.js';

/** Inclusive [min, max] version range; max 32767 means "and later". */
export type VersionRange = readonly [number, number];

/** Record data in a message: one Buffer when decoded; a list of Buffers may be encoded without copying. */
export type Records = Buffer | readonly Buffer[] | null;

export type FieldType =
  | 'bool' | 'int8' | 'int16' | 'uint16' | 'int32' | 'uint32' | 'int64' | 'float64'
  | 'string' | 'bytes' | 'uuid' | 'records' | 'struct';

export interface FieldSchema {
  readonly name: string;
  readonly type: FieldType;
  readonly array?: boolean;
  readonly versions: VersionRange | null;
  readonly nullableVersions?: VersionRange;
  readonly taggedVersions?: VersionRange;
  readonly tag?: number;
  readonly default?: string | number | boolean | null;
  readonly fields?: readonly FieldSchema[];
}

export interface MessageSchema {
  readonly apiKey: number;
  readonly name: string;
  readonly validVersions: VersionRange;
  readonly flexibleVersions: VersionRange | null;
  readonly fields: readonly FieldSchema[];
}

export const inRange = (v: number, r: VersionRange | null | undefined): boolean => r != null && v >= r[0] && v <= r[1];

export const isFlexible = (schema: MessageSchema, version: number): boolean => inRange(version, schema.flexibleVersions);

type Obj = Record<string, unknown>;
type Decode = (r: Reader) => unknown;
type Encode = (w: Writer, value: unknown) => void;

export interface Codec<T = Obj> {
  decode(r: Reader): T;
  encode(w: Writer, value: T): void;
}

const ZERO_UUID = '0'.repeat(32);
const EMPTY = Buffer.alloc(0);

function zeroValue(f: FieldSchema, version: number): unknown {
  if (f.default !== undefined) return f.default;
  if (f.array) return [];
  switch (f.type) {
    case 'bool': return false;
    case 'string': return inRange(version, f.nullableVersions) ? null : '';
    case 'bytes': return inRange(version, f.nullableVersions) ? null : EMPTY;
    case 'records': return null;
    case 'uuid': return ZERO_UUID;
    case 'struct': return defaults(f.fields ?? [], version);
    default: return 0;
  }
}

function defaults(fields: readonly FieldSchema[], version: number): Obj {
  const o: Obj = {};
  for (const f of fields) o[f.name] = zeroValue(f, version);
  return o;
}

function lengthReader(flexible: boolean): (r: Reader) => number {
  // Returns -1 for null. Compact lengths are stored plus one, so 0 means null.
  return flexible ? (r) => r.uvarint() - 1 : (r) => r.int32();
}

function primitive(type: FieldType, flexible: boolean, nullable: boolean): { dec: Decode; enc: Encode } {
  const len = lengthReader(flexible);
  const strLen = flexible ? (r: Reader) => r.uvarint() - 1 : (r: Reader) => r.int16();
  const writeLen = flexible ? (w: Writer, n: number) => w.uvarint(n + 1) : (w: Writer, n: number) => w.int32(n);
  const writeStrLen = flexible ? (w: Writer, n: number) => w.uvarint(n + 1) : (w: Writer, n: number) => w.int16(n);
  switch (type) {
    case 'bool': return { dec: (r) => r.bool(), enc: (w, v) => w.bool(Boolean(v)) };
    case 'int8': return { dec: (r) => r.int8(), enc: (w, v) => w.int8(Number(v ?? 0)) };
    case 'int16': return { dec: (r) => r.int16(), enc: (w, v) => w.int16(Number(v ?? 0)) };
    case 'uint16': return { dec: (r) => r.uint16(), enc: (w, v) => w.uint16(Number(v ?? 0)) };
    case 'int32': return { dec: (r) => r.int32(), enc: (w, v) => w.int32(Number(v ?? 0)) };
    case 'uint32': return { dec: (r) => r.uint32(), enc: (w, v) => w.uint32(Number(v ?? 0)) };
    case 'int64': return { dec: (r) => r.int64(), enc: (w, v) => w.int64(Number(v ?? 0)) };
    case 'float64': return { dec: (r) => r.float64(), enc: (w, v) => w.float64(Number(v ?? 0)) };
    case 'uuid': return { dec: (r) => r.uuid(), enc: (w, v) => w.uuid(typeof v === 'string' ? v : ZERO_UUID) };
    case 'string':
      return {
        dec: (r) => {
          const n = strLen(r);
          if (n < 0) {
            if (!nullable) throw new ProtocolDecodeError('null string in a non-nullable field');
            return null;
          }
          return r.utf8(n);
        },
        enc: (w, v) => {
          if (v === null || v === undefined) {
            writeStrLen(w, nullable ? -1 : 0);
            return;
          }
          const s = String(v);
          const n = Buffer.byteLength(s);
          writeStrLen(w, n);
          w.utf8(s, n);
        },
      };
    case 'bytes':
    case 'records':
      return {
        dec: (r) => {
          const n = len(r);
          if (n < 0) {
            if (!nullable) throw new ProtocolDecodeError('null bytes in a non-nullable field');
            return null;
          }
          return r.view(n);
        },
        enc: (w, v) => {
          if (v === null || v === undefined) {
            writeLen(w, nullable ? -1 : 0);
            return;
          }
          if (Array.isArray(v)) {
            const parts = v as Buffer[];
            let n = 0;
            for (const p of parts) n += p.length;
            writeLen(w, n);
            for (const p of parts) w.raw(p);
            return;
          }
          const b = v as Buffer;
          writeLen(w, b.length);
          w.raw(b);
        },
      };
    default:
      throw new Error(`not a primitive: ${type}`);
  }
}

function fieldCodec(f: FieldSchema, version: number, flexible: boolean): { dec: Decode; enc: Encode } {
  const nullable = inRange(version, f.nullableVersions);
  const item = f.type === 'struct' ? structCodec(f.fields ?? [], version, flexible) : null;
  const one = item ? { dec: (r: Reader) => item.decode(r), enc: (w: Writer, v: unknown) => item.encode(w, (v ?? {}) as Obj) }
    : primitive(f.type, flexible, f.array ? false : nullable);
  if (!f.array) return one;
  const len = lengthReader(flexible);
  return {
    dec: (r) => {
      const n = len(r);
      if (n < 0) {
        if (!nullable) throw new ProtocolDecodeError(`null array ${f.name}`);
        return null;
      }
      // Every element takes at least one byte, so a count beyond the frame is a lie.
      if (n > r.remaining) throw new ProtocolDecodeError(`array ${f.name} of ${n} in ${r.remaining} bytes`);
      const out = new Array<unknown>(n);
      for (let i = 0; i < n; i++) out[i] = one.dec(r);
      return out;
    },
    enc: (w, v) => {
      if (v === null || v === undefined) {
        if (flexible) w.uvarint(nullable ? 0 : 1);
        else w.int32(nullable ? -1 : 0);
        return;
      }
      const a = v as unknown[];
      if (flexible) w.uvarint(a.length + 1);
      else w.int32(a.length);
      for (const x of a) one.enc(w, x);
    },
  };
}

function isDefault(v: unknown, f: FieldSchema, version: number): boolean {
  if (v === undefined) return true;
  const z = zeroValue(f, version);
  if (Array.isArray(v)) return Array.isArray(z) && v.length === 0;
  if (Buffer.isBuffer(v)) return Buffer.isBuffer(z) && v.length === 0;
  if (typeof v === 'object' && v !== null) return false;
  return v === z;
}

interface Tagged { tag: number; f: FieldSchema; dec: Decode; enc: Encode }

/** Compiles the fields of one struct at one version. */
export function structCodec(fields: readonly FieldSchema[], version: number, flexible: boolean): Codec<Obj> {
  const regular: Array<{ name: string; dec: Decode; enc: Encode }> = [];
  const tagged: Tagged[] = [];
  const absent: Array<{ name: string; f: FieldSchema }> = [];
  for (const f of fields) {
    if (!inRange(version, f.versions)) {
      absent.push({ name: f.name, f });
      continue;
    }
    const c = fieldCodec(f, version, flexible);
    if (flexible && inRange(version, f.taggedVersions)) tagged.push({ tag: f.tag ?? 0, f, ...c });
    else regular.push({ name: f.name, ...c });
  }
  tagged.sort((a, b) => a.tag - b.tag);
  const byTag = new Map(tagged.map((t) => [t.tag, t]));
  return {
    decode(r) {
      const o: Obj = {};
      for (const a of absent) o[a.name] = zeroValue(a.f, version);
      for (const t of tagged) o[t.f.name] = zeroValue(t.f, version);
      for (const x of regular) o[x.name] = x.dec(r);
      if (flexible) {
        const n = r.uvarint();
        for (let i = 0; i < n; i++) {
          const tag = r.uvarint();
          const size = r.uvarint();
          const t = byTag.get(tag);
          if (!t) {
            r.skip(size);
            continue;
          }
          const sub = new Reader(r.buf, r.pos, r.pos + size);
          r.skip(size);
          o[t.f.name] = t.dec(sub);
        }
      }
      return o;
    },
    encode(w, o) {
      for (const x of regular) x.enc(w, o[x.name]);
      if (!flexible) return;
      const present = tagged.filter((t) => !isDefault(o[t.f.name], t.f, version));
      w.uvarint(present.length);
      for (const t of present) {
        const sub = new Writer(64);
        t.enc(sub, o[t.f.name]);
        const bytes = sub.toBuffer();
        w.uvarint(t.tag).uvarint(bytes.length).raw(bytes);
      }
    },
  };
}

const cache = new WeakMap<MessageSchema, Map<number, Codec<Obj>>>();

/** The codec for one message at one version, compiled on first use. */
export function codecFor(schema: MessageSchema, version: number): Codec<Obj> {
  let byVersion = cache.get(schema);
  if (!byVersion) cache.set(schema, (byVersion = new Map()));
  let c = byVersion.get(version);
  if (!c) byVersion.set(version, (c = structCodec(schema.fields, version, isFlexible(schema, version))));
  return c;
}

export function decodeMessage<T>(schema: MessageSchema, version: number, r: Reader): T {
  return codecFor(schema, version).decode(r) as T;
}

export function encodeMessage<T extends object>(schema: MessageSchema, version: number, w: Writer, value: T): void {
  codecFor(schema, version).encode(w, value as Obj);
}
