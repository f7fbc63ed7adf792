// Properties of the compiled codecs over every message, every version: what they encode
// decodes to the same message, and arbitrary bytes are either a message or a decode error.
import test from 'ava';
import fc from 'fast-check';
import { apiKeys, apiSchemas } from '../../src/protocol/messages/index.js';
import { ProtocolDecodeError, Reader, Writer } from '../../src/protocol/primitives.js';
import { decodeMessage, encodeMessage, type MessageSchema } from '../../src/protocol/schema.js';
import { structOf } from '../support/arbitrary-message.js';

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

test('a nullable struct carries Kafka\'s int8 marker: -1 for null, 1 before a value', (t) => {
  const schema = apiSchemas[75].request;
  const base = { topics: [], responsePartitionLimit: 7 };
  // topics (compact array, empty) | limit int32 | cursor | tagged fields
  t.deepEqual([...encode(schema, 0, { ...base, cursor: null })], [1, 0, 0, 0, 7, 0xff, 0]);
  const withCursor = encode(schema, 0, { ...base, cursor: { topicName: 'a', partitionIndex: 2 } });
  t.deepEqual([...withCursor], [1, 0, 0, 0, 7, 1, 2, 0x61, 0, 0, 0, 2, 0, 0]);
  t.like(decodeMessage(schema, 0, new Reader(withCursor)), { cursor: { topicName: 'a', partitionIndex: 2 } });
});
