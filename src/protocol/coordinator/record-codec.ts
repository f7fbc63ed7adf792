// How the coordinators' records in their internal topics are laid out, as Kafka lays them
// out: a key is its record type (the key declaration's apiKey; the transaction log's key,
// which has none, its version 0) as an int16, then the key's fields at version 0; a value is its version as an int16, then the value's fields at that
// version. A null value is a tombstone.
import { Reader, Writer } from '../primitives.js';
import { decodeMessage, type Encodable, encodeMessage, type MessageSchema } from '../schema.js';

export function encodeKey<T>(schema: MessageSchema<T>, key: Encodable<T>): Buffer {
  const w = new Writer(64).int16(schema.apiKey);
  encodeMessage(schema, 0, w, key);
  return w.toBuffer();
}

export function encodeValue<T>(schema: MessageSchema<T>, version: number, value: Encodable<T>): Buffer {
  const w = new Writer(128).int16(version);
  encodeMessage(schema, version, w, value);
  return w.toBuffer();
}

/** The record type a key names. */
export const keyType = (key: Buffer): number => key.readInt16BE(0);

export function decodeKey<T>(schema: MessageSchema<T>, key: Buffer): T {
  return decodeMessage(schema, 0, new Reader(key, 2));
}

/** Decodes a value at the version it was written with. */
export function decodeValue<T>(schema: MessageSchema<T>, value: Buffer): T {
  const r = new Reader(value);
  return decodeMessage(schema, r.int16(), r);
}
