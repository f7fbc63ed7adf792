// fast-check arbitraries of protocol messages, from their schemas: every field a version
// has, absent and null ones included, as a client may send them.
import fc from 'fast-check';
import { type FieldSchema, inRange } from '../../src/protocol/schema.js';

/** Values a field may hold at `version`, including absent and null ones the encoder must cope with. */
function valueOf(f: FieldSchema, version: number): fc.Arbitrary<unknown> {
  let one: fc.Arbitrary<unknown>;
  switch (f.type) {
    case 'bool': one = fc.boolean(); break;
    case 'int8': one = fc.integer({ min: -128, max: 127 }); break;
    case 'int16': one = fc.integer({ min: -32768, max: 32767 }); break;
    case 'uint16': one = fc.integer({ min: 0, max: 65535 }); break;
    case 'int32': one = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }); break;
    case 'uint32': one = fc.integer({ min: 0, max: 2 ** 32 - 1 }); break;
    case 'int64': one = fc.integer({ min: -(2 ** 53), max: 2 ** 53 }); break;
    case 'float64': one = fc.double({ noNaN: true }); break;
    case 'uuid': one = fc.uint8Array({ minLength: 16, maxLength: 16 }).map((u) => Buffer.from(u).toString('hex')); break;
    case 'string': one = fc.string({ unit: 'grapheme', maxLength: 8 }); break;
    case 'bytes':
    case 'records': one = fc.oneof(fc.uint8Array({ maxLength: 16 }).map((u) => Buffer.from(u)), fc.array(fc.uint8Array({ maxLength: 5000 }).map((u) => Buffer.from(u)), { maxLength: 2 })); break;
    case 'struct': one = structOf(f.fields ?? [], version); break;
  }
  const value = f.array ? fc.array(one, { maxLength: 3 }) : one;
  return inRange(version, f.nullableVersions) ? fc.option(value, { nil: null, freq: 4 }) : fc.option(value, { nil: undefined, freq: 6 });
}

export function structOf(fields: readonly FieldSchema[], version: number): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(Object.fromEntries(fields.map((f) => [f.name, valueOf(f, version)])));
}

