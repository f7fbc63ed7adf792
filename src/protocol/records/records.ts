// Record-level encoding of v2 batches and legacy v0/v1 message sets. Used where records
// really must be looked at: converting for old clients, control records, tools, tests.
import { crc32 } from '@node-rs/crc32';
import { crc32c } from './crc32c.js';
import { Reader, Writer } from '../primitives.js';
import { Attr, BATCH_HEADER_SIZE, Compression, LOG_OVERHEAD, Off, readBatchHeader, splitBatches } from './batch.js';
import { compress, decompress } from './compression.js';

export interface RecordHeader {
  key: string;
  value: Buffer | null;
}

export interface KafkaRecord {
  offset: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  headers: RecordHeader[];
}

export interface DecodedBatch {
  baseOffset: number;
  lastOffsetDelta: number;
  magic: number;
  attributes: number;
  partitionLeaderEpoch: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  isControl: boolean;
  isTransactional: boolean;
  records: KafkaRecord[];
}

function readRecords(data: Buffer, count: number, baseOffset: number, baseTimestamp: number): KafkaRecord[] {
  const r = new Reader(data);
  const out: KafkaRecord[] = [];
  for (let i = 0; i < count && r.remaining > 0; i++) {
    const len = r.varint();
    const end = r.pos + len;
    r.int8();
    const timestampDelta = r.varlong();
    const offsetDelta = r.varint();
    const kl = r.varint();
    const key = kl < 0 ? null : Buffer.from(r.view(kl));
    const vl = r.varint();
    const value = vl < 0 ? null : Buffer.from(r.view(vl));
    const hn = r.varint();
    const headers: RecordHeader[] = [];
    for (let h = 0; h < hn; h++) {
      const hk = r.utf8(r.varint());
      const hvl = r.varint();
      headers.push({ key: hk, value: hvl < 0 ? null : Buffer.from(r.view(hvl)) });
    }
    r.pos = end;
    out.push({ offset: baseOffset + offsetDelta, timestamp: baseTimestamp + timestampDelta, key, value, headers });
  }
  return out;
}

/** Decodes a v2 batch including its records (decompressing if needed). */
export async function decodeBatch(batch: Buffer): Promise<DecodedBatch> {
  const h = readBatchHeader(batch);
  const payload = await decompress(h.attributes & Attr.compressionMask, batch.subarray(BATCH_HEADER_SIZE, h.size));
  const logAppend = (h.attributes & Attr.logAppendTime) !== 0;
  const records = readRecords(payload, h.recordCount, h.baseOffset, h.baseTimestamp);
  if (logAppend) for (const rec of records) rec.timestamp = h.maxTimestamp;
  return {
    baseOffset: h.baseOffset,
    lastOffsetDelta: h.lastOffsetDelta,
    magic: h.magic,
    attributes: h.attributes,
    partitionLeaderEpoch: h.partitionLeaderEpoch,
    producerId: h.producerId,
    producerEpoch: h.producerEpoch,
    baseSequence: h.baseSequence,
    isControl: (h.attributes & Attr.control) !== 0,
    isTransactional: (h.attributes & Attr.transactional) !== 0,
    records,
  };
}

export interface BatchInput {
  /** `offsetDelta` defaults to the record's position; a compacted batch keeps its records' original deltas. */
  records: Array<{ key?: Buffer | string | null; value: Buffer | string | null; headers?: RecordHeader[]; timestamp?: number; offsetDelta?: number }>;
  baseOffset?: number;
  /** Defaults to the last record's delta; compaction keeps a batch's original offset range. */
  lastOffsetDelta?: number;
  compression?: number;
  producerId?: number;
  producerEpoch?: number;
  baseSequence?: number;
  attributes?: number;
  partitionLeaderEpoch?: number;
}

const asBuf = (v: Buffer | string | null | undefined): Buffer | null =>
  v == null ? null : typeof v === 'string' ? Buffer.from(v) : v;

function encodeRecordsBody(records: BatchInput['records'], ts: number[], baseTimestamp: number): Buffer {
  const body = new Writer(1024);
  records.forEach((rec, i) => {
    const w = new Writer(128);
    w.int8(0).varlong(ts[i]! - baseTimestamp).varint(rec.offsetDelta ?? i);
    const key = asBuf(rec.key);
    const value = asBuf(rec.value);
    if (key) w.varint(key.length).raw(key);
    else w.varint(-1);
    if (value) w.varint(value.length).raw(value);
    else w.varint(-1);
    const headers = rec.headers ?? [];
    w.varint(headers.length);
    for (const h of headers) {
      const hk = Buffer.from(h.key);
      w.varint(hk.length).raw(hk);
      if (h.value) w.varint(h.value.length).raw(h.value);
      else w.varint(-1);
    }
    const b = w.toBuffer();
    body.varint(b.length).raw(b);
  });
  return body.toBuffer();
}

function assembleBatch(input: BatchInput, codec: number, payload: Buffer, baseTimestamp: number, maxTimestamp: number): Buffer {
  const out = Buffer.alloc(BATCH_HEADER_SIZE + payload.length);
  out.writeBigInt64BE(BigInt(input.baseOffset ?? 0), Off.baseOffset);
  out.writeInt32BE(out.length - LOG_OVERHEAD, Off.batchLength);
  out.writeInt32BE(input.partitionLeaderEpoch ?? -1, Off.partitionLeaderEpoch);
  out.writeInt8(2, Off.magic);
  out.writeInt16BE((input.attributes ?? 0) | codec, Off.attributes);
  out.writeInt32BE(input.lastOffsetDelta ?? Math.max(0, input.records.length - 1), Off.lastOffsetDelta);
  out.writeBigInt64BE(BigInt(baseTimestamp), Off.baseTimestamp);
  out.writeBigInt64BE(BigInt(maxTimestamp), Off.maxTimestamp);
  out.writeBigInt64BE(BigInt(input.producerId ?? -1), Off.producerId);
  out.writeInt16BE(input.producerEpoch ?? -1, Off.producerEpoch);
  out.writeInt32BE(input.baseSequence ?? -1, Off.baseSequence);
  out.writeInt32BE(input.records.length, Off.recordCount);
  payload.copy(out, BATCH_HEADER_SIZE);
  out.writeUInt32BE(crc32c(out.subarray(Off.attributes)), Off.crc);
  return out;
}

function timestamps(input: BatchInput): { ts: number[]; base: number; max: number } {
  const now = Date.now();
  const ts = input.records.map((r) => r.timestamp ?? now);
  return { ts, base: ts.length ? Math.min(...ts) : now, max: ts.length ? Math.max(...ts) : now };
}

/** Encodes an uncompressed v2 batch synchronously (the coordinator's own records). */
export function encodeBatchUncompressed(input: BatchInput): Buffer {
  const { ts, base, max } = timestamps(input);
  return assembleBatch(input, Compression.none, encodeRecordsBody(input.records, ts, base), base, max);
}

/** Encodes a v2 batch. Timestamps default to now; offsets are relative from baseOffset. */
export async function encodeBatch(input: BatchInput): Promise<Buffer> {
  const { ts, base, max } = timestamps(input);
  const codec = input.compression ?? Compression.none;
  const payload = await compress(codec, encodeRecordsBody(input.records, ts, base));
  return assembleBatch(input, codec, payload, base, max);
}

/** Every record of every v2 batch in a records blob (a trailing partial batch is ignored). */
export async function decodeRecords(blob: Buffer): Promise<DecodedBatch[]> {
  const out: DecodedBatch[] = [];
  for (const b of splitBatches(blob).batches) {
    if (b[Off.magic] === 2) out.push(await decodeBatch(b));
    else out.push(...(await decodeMessageSet(b)));
  }
  return out;
}

// ---- Legacy MessageSet v0/v1 -------------------------------------------------------

export interface LegacyMessage {
  offset: number;
  magic: number;
  attributes: number;
  timestamp: number;
  key: Buffer | null;
  value: Buffer | null;
  crcValid: boolean;
}

/** Reads the messages of a v0/v1 message set, one level deep (wrapper messages are not unpacked). */
export function readMessageSet(buf: Buffer): LegacyMessage[] {
  const out: LegacyMessage[] = [];
  const r = new Reader(buf);
  while (r.remaining >= LOG_OVERHEAD) {
    const offset = r.int64();
    const size = r.int32();
    if (size > r.remaining || size < 14) break;
    const start = r.pos;
    const crc = r.uint32();
    const magic = r.int8();
    const attributes = r.int8();
    const timestamp = magic >= 1 ? r.int64() : -1;
    const kl = r.int32();
    const key = kl < 0 ? null : r.view(kl);
    const vl = r.int32();
    const value = vl < 0 ? null : r.view(vl);
    const crcValid = crc32(buf.subarray(start + 4, start + size)) === crc;
    r.pos = start + size;
    out.push({ offset, magic, attributes, timestamp, key, value, crcValid });
  }
  return out;
}

/** Unpacks a legacy message set, decompressing wrapper messages, into v2-shaped batches of one record each. */
export async function decodeMessageSet(buf: Buffer): Promise<DecodedBatch[]> {
  const out: DecodedBatch[] = [];
  for (const m of readMessageSet(buf)) {
    const codec = m.attributes & 0x07;
    if (codec !== 0 && m.value) {
      const inner = readMessageSet(await decompress(codec, m.value));
      // v1 wrappers carry the last absolute offset; inner offsets are relative.
      const last = inner.length ? inner[inner.length - 1]!.offset : 0;
      for (const x of inner) {
        const offset = m.magic >= 1 ? m.offset - last + x.offset : x.offset;
        const ts = m.magic >= 1 && (m.attributes & 0x08) ? m.timestamp : x.timestamp;
        out.push(legacyAsBatch({ ...x, offset, timestamp: ts }));
      }
    } else {
      out.push(legacyAsBatch(m));
    }
  }
  return out;
}

function legacyAsBatch(m: LegacyMessage): DecodedBatch {
  return {
    baseOffset: m.offset, lastOffsetDelta: 0, magic: m.magic, attributes: 0, partitionLeaderEpoch: -1,
    producerId: -1, producerEpoch: -1, baseSequence: -1, isControl: false, isTransactional: false,
    records: [{ offset: m.offset, timestamp: m.timestamp, key: m.key, value: m.value, headers: [] }],
  };
}

/** One legacy message (uncompressed) with its offset and size prefix. */
export function encodeLegacyMessage(magic: 0 | 1, offset: number, timestamp: number, key: Buffer | null, value: Buffer | null, attributes = 0): Buffer {
  const w = new Writer(64);
  w.int8(magic).int8(attributes);
  if (magic === 1) w.int64(timestamp);
  if (key) w.int32(key.length).raw(key);
  else w.int32(-1);
  if (value) w.int32(value.length).raw(value);
  else w.int32(-1);
  const body = w.toBuffer();
  const out = Buffer.allocUnsafe(LOG_OVERHEAD + 4 + body.length);
  out.writeBigInt64BE(BigInt(offset), 0);
  out.writeInt32BE(4 + body.length, 8);
  out.writeUInt32BE(crc32(body), 12);
  body.copy(out, 16);
  return out;
}

/**
 * Down-converts v2 batches for fetch v0-v3 clients, which only read message sets.
 * Control batches are dropped, as Kafka does; records come out uncompressed.
 */
export async function downConvert(blob: Buffer, magic: 0 | 1): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (const b of await decodeRecords(blob)) {
    if (b.isControl) continue;
    for (const rec of b.records) parts.push(encodeLegacyMessage(magic, rec.offset, rec.timestamp, rec.key, rec.value));
  }
  return Buffer.concat(parts);
}
