// The protocol trace: the last requests and their answers, as JSON with Kafka's field
// names, in a ring of bounded size. A message with bytes in it (record batches, group
// assignments) is turned into JSON when it is taken, batches summarized (offsets, count,
// size, compression, producer, transactional) and other bytes in base64, because those
// bytes are the broker's to recycle once it has answered. Any other message is kept as it
// is and turned into JSON only when the trace is read: tracing costs a request little.
import { Attr, BATCH_HEADER_SIZE, LOG_OVERHEAD, Off, readBatchHeader } from '../../protocol/records/batch.js';
import { type FieldSchema, inRange, type MessageSchema, type Records } from '../../protocol/schema.js';

export interface TraceEntry {
  time: string;
  /** The broker that took the request. */
  broker: number;
  connectionId: number;
  clientId: string | null;
  /** Kafka's principal name of the connection: its SASL user, its certificate's subject, or ANONYMOUS. */
  principal: string;
  clientSoftwareName: string | null;
  clientSoftwareVersion: string | null;
  api: string;
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  durationMs: number;
  /** The fault applied, if one was. */
  fault: Record<string, unknown> | null;
  request: unknown;
  /** Null when no answer was sent (acks=0, a dropped connection). */
  response: unknown;
}

const COMPRESSION = ['none', 'gzip', 'snappy', 'lz4', 'zstd'];

/** What a records field holds, batch by batch. */
export function summarizeRecords(records: Records): unknown[] {
  const chunks = records === null ? [] : Buffer.isBuffer(records) ? [records] : records;
  const out: unknown[] = [];
  for (const chunk of chunks) {
    for (let at = 0; at + LOG_OVERHEAD <= chunk.length;) {
      const size = chunk.readInt32BE(at + Off.batchLength) + LOG_OVERHEAD;
      const magic = chunk[at + Off.magic];
      // A partial batch at a read's end (Kafka sends one), or bytes that are no batch: the summary stops there.
      if (size <= LOG_OVERHEAD || magic === undefined || (magic === 2 && chunk.length - at < BATCH_HEADER_SIZE)) break;
      if (magic !== 2) {
        out.push({ magic, sizeBytes: size });
      } else {
        const h = readBatchHeader(chunk, at);
        out.push({
          baseOffset: h.baseOffset, lastOffset: h.baseOffset + h.lastOffsetDelta, count: h.recordCount, sizeBytes: h.size,
          compression: COMPRESSION[h.attributes & Attr.compressionMask] ?? 'unknown', producerId: h.producerId, producerEpoch: h.producerEpoch,
          baseSequence: h.baseSequence, transactional: (h.attributes & Attr.transactional) !== 0, control: (h.attributes & Attr.control) !== 0,
        });
      }
      at += size;
    }
  }
  return out;
}

/** A decoded message as plain JSON, walked by its schema. */
export function messageJson(schema: MessageSchema, version: number, message: unknown): unknown {
  return struct(schema.fields, version, message);
}

function struct(fields: readonly FieldSchema[], v: number, obj: unknown): unknown {
  if (typeof obj !== 'object' || obj === null) return obj ?? null;
  const o = obj as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const f of fields) {
    if (!inRange(v, f.versions) || !(f.name in o)) continue;
    out[f.name] = field(f, v, o[f.name]);
  }
  return out;
}

function field(f: FieldSchema, v: number, x: unknown): unknown {
  if (x === null || x === undefined) return null;
  if (f.type === 'records') return summarizeRecords(x as Records);
  if (f.array && Array.isArray(x)) return x.map((e: unknown) => (f.type === 'struct' ? struct(f.fields ?? [], v, e) : scalar(e)));
  if (f.type === 'struct') return struct(f.fields ?? [], v, x);
  return scalar(x);
}

const scalar = (x: unknown): unknown => (Buffer.isBuffer(x) ? x.toString('base64') : typeof x === 'bigint' ? x.toString() : x);

/** A message as the trace keeps it: JSON already, or the message and how to read it later. */
export type Captured = { json: unknown } | { schema: MessageSchema; version: number; value: unknown };

const holdsBytes = new WeakMap<MessageSchema, boolean>();
const anyBytes = (fields: readonly FieldSchema[]): boolean => fields.some((f) => f.type === 'bytes' || f.type === 'records' || (f.fields !== undefined && anyBytes(f.fields)));

export function capture(schema: MessageSchema, version: number, value: unknown): Captured {
  let bytes = holdsBytes.get(schema);
  if (bytes === undefined) holdsBytes.set(schema, (bytes = anyBytes(schema.fields)));
  return bytes ? { json: messageJson(schema, version, value) } : { schema, version, value };
}

const jsonOf = (c: Captured | null): unknown => (c === null ? null : 'json' in c ? c.json : messageJson(c.schema, c.version, c.value));

/** An entry as the ring keeps it: its time as a number and its messages captured. */
export interface TraceRecord extends Omit<TraceEntry, 'time' | 'request' | 'response'> {
  at: number;
  request: Captured;
  response: Captured | null;
}

export class Trace {
  private readonly ring: TraceRecord[] = [];
  private next = 0;

  constructor(readonly size: number) {}

  push(e: TraceRecord): void {
    if (this.size <= 0) return;
    if (this.ring.length < this.size) this.ring.push(e);
    else this.ring[this.next] = e;
    this.next = (this.next + 1) % this.size;
  }

  /** Oldest first: the last `limit` entries that pass the filters. */
  list(filter: { api?: string; clientId?: string; limit?: number }): TraceEntry[] {
    const ordered = this.ring.length < this.size ? this.ring : [...this.ring.slice(this.next), ...this.ring.slice(0, this.next)];
    const kept = ordered.filter((e) => (filter.api === undefined || e.api === filter.api || String(e.apiKey) === filter.api) && (filter.clientId === undefined || e.clientId === filter.clientId));
    const shown = filter.limit === undefined ? kept : kept.slice(Math.max(0, kept.length - filter.limit));
    return shown.map(({ at, request, response, ...rest }) => ({ time: new Date(at).toISOString(), ...rest, request: jsonOf(request), response: jsonOf(response) }));
  }

  clear(): void {
    this.ring.length = 0;
    this.next = 0;
  }
}
