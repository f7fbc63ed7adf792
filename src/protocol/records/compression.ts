// The four codecs Kafka batches use. Only needed off the hot path: converting for old
// clients, and reading records in tools and tests. The native codec modules load on first
// use, which keeps them out of the broker's start-up time.
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import { Compression } from './batch.js';

const snappyModule = () => import('snappy').then((m) => m.default);
const lz4Module = () => import('lz4-napi');
const zstdModule = () => import('@mongodb-js/zstd');

const gzip = promisify(zlib.gzip);
const gunzip = promisify(zlib.gunzip);

// Java clients frame snappy the xerial way: a magic header, then [int32 length, block]*.
const XERIAL_MAGIC = Buffer.from([0x82, 0x53, 0x4e, 0x41, 0x50, 0x50, 0x59, 0x00]);

function isXerial(b: Buffer): boolean {
  return b.length >= 16 && b.subarray(0, 8).equals(XERIAL_MAGIC);
}

async function unsnappy(b: Buffer): Promise<Buffer> {
  const snappy = await snappyModule();
  if (!isXerial(b)) return snappy.uncompressSync(b, { asBuffer: true }) as Buffer;
  const parts: Buffer[] = [];
  let at = 16;
  while (at + 4 <= b.length) {
    const n = b.readInt32BE(at);
    at += 4;
    parts.push(snappy.uncompressSync(b.subarray(at, at + n), { asBuffer: true }) as Buffer);
    at += n;
  }
  return Buffer.concat(parts);
}

export class UnsupportedCompressionError extends Error {}

export async function decompress(codec: number, data: Buffer): Promise<Buffer> {
  switch (codec) {
    case Compression.none: return data;
    case Compression.gzip: return gunzip(data);
    case Compression.snappy: return unsnappy(data);
    case Compression.lz4: return (await lz4Module()).decompressFrame(data);
    case Compression.zstd: return (await zstdModule()).decompress(data);
    default: throw new UnsupportedCompressionError(`compression codec ${codec}`);
  }
}

export async function compress(codec: number, data: Buffer): Promise<Buffer> {
  switch (codec) {
    case Compression.none: return data;
    case Compression.gzip: return gzip(data);
    case Compression.snappy: return (await snappyModule()).compressSync(data);
    case Compression.lz4: return (await lz4Module()).compressFrame(data);
    case Compression.zstd: return (await zstdModule()).compress(data, 3);
    default: throw new UnsupportedCompressionError(`compression codec ${codec}`);
  }
}
