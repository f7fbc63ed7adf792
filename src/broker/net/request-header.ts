// Request header v0/v1/v2 and response header v0/v1.
import { Reader, Writer } from '../../protocol/primitives.js';

export interface RequestHeader {
  apiKey: number;
  apiVersion: number;
  correlationId: number;
  clientId: string | null;
}

/** Reads api key, version, correlation id and client id; `flexible` also skips header tagged fields. */
export function readRequestHeader(r: Reader, flexible: (apiKey: number, version: number) => boolean): RequestHeader {
  const apiKey = r.int16();
  const apiVersion = r.int16();
  const correlationId = r.int32();
  const n = r.int16();
  const clientId = n < 0 ? null : r.utf8(n);
  // An ApiVersions request of a version we do not know may end after the client id.
  if (flexible(apiKey, apiVersion) && r.remaining > 0) {
    const tags = r.uvarint();
    for (let i = 0; i < tags; i++) {
      r.uvarint();
      r.skip(r.uvarint());
    }
  }
  return { apiKey, apiVersion, correlationId, clientId };
}

/** Starts a response: the size placeholder is filled by the connection. Header v1 adds an empty tagged-field section. */
export function writeResponseHeader(w: Writer, correlationId: number, headerV1: boolean): void {
  w.int32(correlationId);
  if (headerV1) w.uvarint(0);
}
