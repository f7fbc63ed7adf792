// Transaction markers: the control batches a partition gets when a transaction ends, as
// Kafka writes them (EndTransactionMarker). One record: its key the control record's
// version (0) and type (ABORT 0, COMMIT 1), its value the marker's version (0) and the
// coordinator epoch. The batch is transactional and control, with no sequence.
import { Reader } from '../primitives.js';
import { Attr, BATCH_HEADER_SIZE } from './batch.js';
import { encodeBatchUncompressed } from './records.js';

export const ControlType = { ABORT: 0, COMMIT: 1 } as const;

export interface Marker {
  producerId: number;
  producerEpoch: number;
  commit: boolean;
  coordinatorEpoch: number;
  timestamp: number;
}

export function encodeMarker(m: Marker): Buffer {
  const key = Buffer.alloc(4);
  key.writeInt16BE(0, 0);
  key.writeInt16BE(m.commit ? ControlType.COMMIT : ControlType.ABORT, 2);
  const value = Buffer.alloc(6);
  value.writeInt16BE(0, 0);
  value.writeInt32BE(m.coordinatorEpoch, 2);
  return encodeBatchUncompressed({
    attributes: Attr.transactional | Attr.control,
    producerId: m.producerId,
    producerEpoch: m.producerEpoch,
    baseSequence: -1,
    records: [{ key, value, timestamp: m.timestamp }],
  });
}

/** The type a control record's key names (ABORT 0, COMMIT 1); -1 when it names none. */
export function controlTypeOfKey(key: Buffer | null): number {
  return key && key.length >= 4 ? key.readInt16BE(2) : -1;
}

/** A control batch's type (ABORT 0, COMMIT 1) and, for a marker, its coordinator epoch; null when it cannot be read. */
export function readControl(batch: Buffer): { type: number; coordinatorEpoch: number } | null {
  try {
    const r = new Reader(batch, BATCH_HEADER_SIZE);
    r.varint();
    r.int8();
    r.varlong();
    r.varint();
    if (r.varint() < 4) return null;
    r.int16();
    const type = r.int16();
    const coordinatorEpoch = r.varint() >= 6 && r.int16() === 0 ? r.int32() : -1;
    return { type, coordinatorEpoch };
  } catch {
    return null;
  }
}
