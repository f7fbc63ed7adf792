// Properties of the compiled codecs over every message, every version: what they encode
// decodes to the same message, and arbitrary bytes are either a message or a decode error.
import test from 'ava';
import fc from 'fast-check';
import { apiKeys, apiSchemas } from '../../src/protocol/messages/index.js';
import { ProtocolDecodeError, Reader, Writer } from '../../src/protocol/primitives.js';
import { decodeMessage, encodeMessage, inRange, type FieldSchema, type MessageSchema } from '../../src/protocol/schema.js';

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

function structOf(fields: readonly FieldSchema[], version: number): fc.Arbitrary<Record<string, unknown>> {
  return fc.record(Object.fromEntries(fields.map((f) => [f.name, valueOf(f, version)])));
}

function* everyVersion(): Generator<[MessageSchema, number]> {
  for (const { request, response } of apiKeys.map((k) => apiSchemas[k])) {
    for (const schema of [request, response]) {
      for (let v = schema.validVersions[0]; v <= schema.validVersions[1]; v++) yield [schema, v];
    }
  }
}

const encode = (schema: MessageSchema, v: number, value: unknown): Buffer => {
  const w = new Writer();
  encodeMessage(schema, v, w, value);
  return w.toBuffer();
};

test('every message at every version re-encodes to the bytes it was decoded from', (t) => {
  let versions = 0;
  for (const [schema, v] of everyVersion()) {
    fc.assert(fc.property(structOf(schema.fields, v), (value) => {
      const bytes = encode(schema, v, value);
      const r = new Reader(bytes);
      const decoded = decodeMessage(schema, v, r);
      return r.remaining === 0 && encode(schema, v, decoded).equals(bytes);
    }), { numRuns: 25 });
    versions++;
  }
  t.true(versions > 300);
});

test('arbitrary bytes decode to a message or fail with a decode error, never another exception', (t) => {
  for (const [schema, v] of everyVersion()) {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 120 }), (u) => {
      try {
        decodeMessage(schema, v, new Reader(Buffer.from(u)));
      } catch (e) {
        // RangeError: a string or buffer length past what Node will allocate.
        if (!(e instanceof ProtocolDecodeError) && !(e instanceof RangeError)) throw e;
      }
    }), { numRuns: 40 });
  }
  t.pass();
});
