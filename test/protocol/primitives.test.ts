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

test('fixed-width integers match Buffer\'s own encodings, int64 across its whole range', (t) => {
  const int64 = fc.oneof(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }).map(Number), fc.integer({ min: -(2 ** 53), max: 2 ** 53 }));
  fc.assert(fc.property(fc.integer({ min: -128, max: 127 }), fc.integer({ min: -32768, max: 32767 }), fc.integer({ min: 0, max: 65535 }), fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }), fc.integer({ min: 0, max: 2 ** 32 - 1 }), int64, (i8, i16, u16, i32, u32, i64) => {
    const ours = new Writer().int8(i8).int16(i16).uint16(u16).int32(i32).uint32(u32).int64(i64).toBuffer();
    const ref = Buffer.alloc(21);
    ref.writeInt8(i8, 0);
    ref.writeInt16BE(i16, 1);
    ref.writeUInt16BE(u16, 3);
    ref.writeInt32BE(i32, 5);
    ref.writeUInt32BE(u32, 9);
    ref.writeBigInt64BE(BigInt(i64) >= 2n ** 63n ? 2n ** 63n - 1n : BigInt(i64), 13);
    if (!ours.equals(ref)) return false;
    const r = new Reader(ours);
    return r.int8() === i8 && r.int16() === i16 && r.uint16() === u16 && r.int32() === i32 && r.uint32() === u32
      && r.int64() === Number(ref.readBigInt64BE(13));
  }));
  // Beyond int64, values clamp; beyond 2^53, reads round to the nearest double as Number(bigint) does.
  t.deepEqual(new Reader(new Writer().int64(1e30).toBuffer()).int64(), Number(2n ** 63n - 1n));
  t.deepEqual(new Reader(new Writer().int64(-1e30).toBuffer()).int64(), -(2 ** 63));
  const odd = Buffer.alloc(8);
  odd.writeBigInt64BE(2n ** 60n + 1n);
  t.is(new Reader(odd).int64(), Number(2n ** 60n + 1n));
  t.throws(() => new Writer().int16(40000), { instanceOf: RangeError });
  t.throws(() => new Writer().int64(Number.NaN), { instanceOf: RangeError });
});
