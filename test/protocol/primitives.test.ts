import test from 'ava';
import fc from 'fast-check';
import { ProtocolDecodeError, Reader, Writer } from '../../src/protocol/primitives.js';

test('unsigned varints round-trip over the whole uint32 range', (t) => {
  fc.assert(fc.property(fc.integer({ min: 0, max: 0xffffffff }), (n) => {
    const b = new Writer().uvarint(n).toBuffer();
    return new Reader(b).uvarint() === n;
  }));
  t.pass();
});

test('zigzag varints and varlongs round-trip', (t) => {
  fc.assert(fc.property(fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: -(2 ** 52), max: 2 ** 52 }), (i, l) => {
    const b = new Writer().varint(i).varlong(l).toBuffer();
    const r = new Reader(b);
    return r.varint() === i && r.varlong() === l;
  }));
  t.pass();
});

test('known encodings match the Kafka spec examples', (t) => {
  t.deepEqual([...new Writer().uvarint(300).toBuffer()], [0xac, 0x02]);
  t.deepEqual([...new Writer().varint(-1).toBuffer()], [0x01]);
  t.deepEqual([...new Writer().varint(1).toBuffer()], [0x02]);
  t.deepEqual([...new Writer().int64(-1).toBuffer()], Array(8).fill(0xff));
});

test('reading past the end of a frame is a decode error, not a crash', (t) => {
  t.throws(() => new Reader(Buffer.from([1, 2])).int32(), { instanceOf: ProtocolDecodeError });
  t.throws(() => new Reader(Buffer.from([0xff, 0xff, 0xff, 0xff, 0xff, 0xff])).uvarint(), { instanceOf: ProtocolDecodeError });
});

test('large buffers are referenced, not copied, by the writer', (t) => {
  const big = Buffer.alloc(10000, 7);
  const w = new Writer().int32(1).raw(big).int16(2);
  const chunks = w.chunksOut();
  t.true(chunks.includes(big));
  t.is(Buffer.concat(chunks).length, 4 + 10000 + 2);
});
