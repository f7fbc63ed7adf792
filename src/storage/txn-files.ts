// A log's transaction files in Kafka's formats: each segment's `.txnindex` (the aborted
// transactions whose ABORT marker it holds) and the producer-state `.snapshot` files (the
// producers' state as of an offset, open transactions included). Krill rebuilds both from
// the log when it opens one, so a crash between a write and its file never leaves them
// wrong; the files are there so a log directory reads as Kafka's (kafka-dump-log prints
// them) and holds what Kafka's holds.
import type { AbortedTxn } from './aborted-txns.js';
import { crc32c } from '../protocol/records/crc32c.js';

/** Kafka's TransactionIndex entry: version, producer id, first offset, last offset, last stable offset. */
const TXN_ENTRY_SIZE = 34;

export function encodeTxnIndex(aborted: readonly AbortedTxn[]): Buffer {
  const b = Buffer.alloc(aborted.length * TXN_ENTRY_SIZE);
  aborted.forEach((t, i) => {
    const at = i * TXN_ENTRY_SIZE;
    b.writeInt16BE(0, at);
    b.writeBigInt64BE(BigInt(t.producerId), at + 2);
    b.writeBigInt64BE(BigInt(t.firstOffset), at + 10);
    b.writeBigInt64BE(BigInt(t.lastOffset), at + 18);
    b.writeBigInt64BE(BigInt(t.lastStableOffset), at + 26);
  });
  return b;
}

/** One producer in a snapshot, as Kafka's ProducerStateManager writes it. */
export interface SnapshotEntry {
  producerId: number;
  epoch: number;
  lastSequence: number;
  /** The last offset of its last batch (-1 when none is kept). */
  lastOffset: number;
  /** Its last batch's last offset minus its first. */
  offsetDelta: number;
  timestamp: number;
  coordinatorEpoch: number;
  /** The first offset of its open transaction, -1 when none. */
  currentTxnFirstOffset: number;
}

const SNAPSHOT_VERSION = 1;
/** Version (int16) and CRC (uint32) come first; the CRC-32C covers everything after them. */
const ENTRIES_AT = 6;
const SNAPSHOT_ENTRY_SIZE = 8 + 2 + 4 + 8 + 4 + 8 + 4 + 8;

export function encodeProducerSnapshot(entries: readonly SnapshotEntry[]): Buffer {
  const b = Buffer.alloc(ENTRIES_AT + 4 + entries.length * SNAPSHOT_ENTRY_SIZE);
  b.writeInt16BE(SNAPSHOT_VERSION, 0);
  b.writeInt32BE(entries.length, ENTRIES_AT);
  let at = ENTRIES_AT + 4;
  for (const e of entries) {
    b.writeBigInt64BE(BigInt(e.producerId), at);
    b.writeInt16BE(e.epoch, at + 8);
    b.writeInt32BE(e.lastSequence, at + 10);
    b.writeBigInt64BE(BigInt(e.lastOffset), at + 14);
    b.writeInt32BE(e.offsetDelta, at + 22);
    b.writeBigInt64BE(BigInt(e.timestamp), at + 26);
    b.writeInt32BE(e.coordinatorEpoch, at + 34);
    b.writeBigInt64BE(BigInt(e.currentTxnFirstOffset), at + 38);
    at += SNAPSHOT_ENTRY_SIZE;
  }
  b.writeUInt32BE(crc32c(b.subarray(ENTRIES_AT)) >>> 0, 2);
  return b;
}
