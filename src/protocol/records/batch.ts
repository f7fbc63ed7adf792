// RecordBatch v2 header, read and patched in place. The broker never decodes the records
// inside a batch on the produce or fetch path: it checks the CRC, assigns offsets by
// rewriting baseOffset, and stores the bytes.
import { crc32c } from './crc32c.js';
import { int64At } from '../primitives.js';

export const BATCH_HEADER_SIZE = 61;
/** Bytes before batchLength's count starts (baseOffset + batchLength). */
export const LOG_OVERHEAD = 12;

export const Off = {
  baseOffset: 0,
  batchLength: 8,
  partitionLeaderEpoch: 12,
  magic: 16,
  crc: 17,
  attributes: 21,
  lastOffsetDelta: 23,
  baseTimestamp: 27,
  maxTimestamp: 35,
  producerId: 43,
  producerEpoch: 51,
  baseSequence: 53,
  recordCount: 57,
} as const;

export const Attr = {
  compressionMask: 0x07,
  logAppendTime: 0x08,
  transactional: 0x10,
  control: 0x20,
} as const;

export const Compression = { none: 0, gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;
export type CompressionName = keyof typeof Compression;

/** The header fields of one v2 batch, as read from its first 61 bytes. */
export interface BatchHeader {
  baseOffset: number;
  /** Bytes of the whole batch including baseOffset and batchLength. */
  size: number;
  partitionLeaderEpoch: number;
  magic: number;
  attributes: number;
  lastOffsetDelta: number;
  baseTimestamp: number;
  maxTimestamp: number;
  producerId: number;
  producerEpoch: number;
  baseSequence: number;
  recordCount: number;
}

export function readBatchHeader(buf: Buffer, at = 0): BatchHeader {
  return {
    baseOffset: int64At(buf, at),
    size: buf.readInt32BE(at + Off.batchLength) + LOG_OVERHEAD,
    partitionLeaderEpoch: buf.readInt32BE(at + Off.partitionLeaderEpoch),
    magic: buf.readInt8(at + Off.magic),
    attributes: buf.readInt16BE(at + Off.attributes),
    lastOffsetDelta: buf.readInt32BE(at + Off.lastOffsetDelta),
    baseTimestamp: int64At(buf, at + Off.baseTimestamp),
    maxTimestamp: int64At(buf, at + Off.maxTimestamp),
    producerId: int64At(buf, at + Off.producerId),
    producerEpoch: buf.readInt16BE(at + Off.producerEpoch),
    baseSequence: buf.readInt32BE(at + Off.baseSequence),
    recordCount: buf.readInt32BE(at + Off.recordCount),
  };
}

/** CRC32C over attributes..end, as the v2 format defines it. */
export function batchCrc(batch: Buffer): number {
  return crc32c(batch.subarray(Off.attributes));
}

export function crcMatches(batch: Buffer): boolean {
  return batch.readUInt32BE(Off.crc) === batchCrc(batch);
}

export function setBaseOffset(batch: Buffer, offset: number): void {
  batch.writeBigInt64BE(BigInt(offset), Off.baseOffset);
}

export function setPartitionLeaderEpoch(batch: Buffer, epoch: number): void {
  batch.writeInt32BE(epoch, Off.partitionLeaderEpoch);
}

/** Stamps LogAppendTime on a batch (topic config message.timestamp.type=LogAppendTime); rewrites the CRC. */
export function setLogAppendTime(batch: Buffer, now: number): void {
  const attrs = batch.readInt16BE(Off.attributes);
  batch.writeInt16BE(attrs | Attr.logAppendTime, Off.attributes);
  batch.writeBigInt64BE(BigInt(now), Off.maxTimestamp);
  batch.writeUInt32BE(batchCrc(batch), Off.crc);
}

/**
 * Splits a records blob into whole batches without copying. `partial` is the byte count of
 * a trailing batch that does not fit, which fetch responses may legitimately contain.
 */
export function splitBatches(buf: Buffer): { batches: Buffer[]; partial: number } {
  const batches: Buffer[] = [];
  let at = 0;
  while (buf.length - at >= LOG_OVERHEAD) {
    const size = buf.readInt32BE(at + Off.batchLength) + LOG_OVERHEAD;
    if (size < LOG_OVERHEAD + 14 || at + size > buf.length) break;
    batches.push(buf.subarray(at, at + size));
    at += size;
  }
  return { batches, partial: buf.length - at };
}
