// The frame splitter under every way a TCP stream can be cut: reads of any length straight
// into the buffers it hands out (as a socket with `onread` does), and pushed chunks.
import test from 'ava';
import fc from 'fast-check';
import { FrameReader, FrameTooLargeError } from '../../../src/broker/net/frame-reader.js';
import { isHeld } from '../../../src/fastpath/blocks.js';

function stream(bodies: Buffer[]): Buffer {
  return Buffer.concat(bodies.flatMap((b) => {
    const size = Buffer.alloc(4);
    size.writeInt32BE(b.length, 0);
    return [size, b];
  }));
}

/** Feeds `bytes` as a socket would: each read fills at most `cut` bytes of the buffer the reader offers. */
function readLikeASocket(r: FrameReader, bytes: Buffer, cuts: number[]): Buffer[] {
  const out: Buffer[] = [];
  let at = 0;
  let i = 0;
  while (at < bytes.length) {
    const into = r.readInto();
    const n = Math.min(into.length, bytes.length - at, cuts[i++ % cuts.length]!);
    bytes.copy(into, 0, at, at + n);
    at += n;
    // Kept as handed out and compared at the end: a frame must not change when the reader's buffers are written again.
    out.push(...r.onRead(n, into));
  }
  return out;
}

// ava's deepEqual renders buffers byte by byte: far too slow for frames this size.
const sameFrames = (a: Buffer[], b: Buffer[]): boolean => a.length === b.length && a.every((x, i) => x.equals(b[i]!));

const bodies = fc.array(fc.oneof(
  fc.uint8Array({ maxLength: 50 }),
  fc.integer({ min: 60_000, max: 150_000 }).map((n) => new Uint8Array(n).fill(n % 251)),
), { maxLength: 12 }).map((xs) => xs.map((x) => Buffer.from(x)));

test('frames read straight into the reader\'s buffers come out whole, in order, however the reads are cut', (t) => {
  fc.assert(fc.property(bodies, fc.array(fc.integer({ min: 1, max: 300_000 }), { minLength: 1, maxLength: 8 }), (bs, cuts) => {
    const got = readLikeASocket(new FrameReader(1 << 20), stream(bs), cuts);
    return sameFrames(got, bs);
  }), { numRuns: 200 });
  t.pass();
});

test('readers on several connections, their reads interleaved, each get their own frames whole', (t) => {
  // Small frames land in a read buffer every reader shares; nothing of one connection's
  // stream may be left in it for the next read, which may be another connection's.
  fc.assert(fc.property(bodies, bodies, fc.array(fc.integer({ min: 1, max: 300_000 }), { minLength: 1, maxLength: 8 }), (as, bs, cuts) => {
    const streams = [as, bs].map((frames) => ({ frames, reader: new FrameReader(1 << 20), bytes: stream(frames), at: 0, got: [] as Buffer[] }));
    for (let i = 0; streams.some((s) => s.at < s.bytes.length); i++) {
      const s = streams[i % 2]!;
      if (s.at >= s.bytes.length) continue;
      const into = s.reader.readInto();
      const n = Math.min(into.length, s.bytes.length - s.at, cuts[(i >> 1) % cuts.length]!);
      s.bytes.copy(into, 0, s.at, s.at + n);
      s.at += n;
      s.got.push(...s.reader.onRead(n, into));
    }
    return streams.every((s) => sameFrames(s.got, s.frames));
  }), { numRuns: 200 });
  t.pass();
});

test('frames pushed as chunks come out whole, in order, however the stream is cut', (t) => {
  fc.assert(fc.property(bodies, fc.array(fc.integer({ min: 1, max: 300_000 }), { minLength: 1, maxLength: 8 }), (bs, cuts) => {
    const r = new FrameReader(1 << 20);
    const bytes = stream(bs);
    const got: Buffer[] = [];
    for (let at = 0, i = 0; at < bytes.length; i++) {
      const n = Math.min(cuts[i % cuts.length]!, bytes.length - at);
      got.push(...r.push(bytes.subarray(at, at + n)));
      at += n;
    }
    return sameFrames(got, bs);
  }), { numRuns: 200 });
  t.pass();
});

test('a size prefix over the limit, or negative, is refused whichever way it arrives', (t) => {
  const big = Buffer.from([0, 0x10, 0, 1]);
  t.throws(() => new FrameReader(1 << 20).push(big), { instanceOf: FrameTooLargeError });
  const r = new FrameReader(1 << 20);
  t.deepEqual(readLikeASocket(r, Buffer.from([0xff, 0xff]), [1]), []);
  t.throws(() => readLikeASocket(r, Buffer.from([0xff, 0xff]), [2]), { instanceOf: FrameTooLargeError });
});

test('a large frame is read into its own buffer once its size is known', (t) => {
  const r = new FrameReader(1 << 20);
  const body = Buffer.alloc(500_000, 7);
  const bytes = stream([body]);
  const first = r.readInto();
  bytes.copy(first, 0, 0, 1000);
  t.deepEqual(r.onRead(1000, first), []);
  const rest = r.readInto();
  t.is(rest.length, body.length - 996, 'the next read may fill exactly the rest of the frame');
  bytes.copy(rest, 0, 1000);
  const [frame] = r.onRead(rest.length, rest);
  t.is(frame!.buffer, rest.buffer, 'the frame is the buffer the socket read into');
  t.true(frame!.equals(body));
});

test('a large frame cut off by the connection closing goes back to the block pool', (t) => {
  const r = new FrameReader(1 << 20);
  const bytes = stream([Buffer.alloc(500_000, 7)]);
  const first = r.readInto();
  bytes.copy(first, 0, 0, 1000);
  r.onRead(1000, first);
  const partial = r.readInto();
  t.true(isHeld(partial));
  r.close();
  t.false(isHeld(partial), 'released');
  t.is(r.readInto(), first, 'and the reader no longer offers it');
});
