// A Kafka protocol client for one broker-to-broker connection (a follower fetching from
// its leader): requests encoded with the same schemas the broker serves, matched to
// responses by correlation id. Over TLS and with SASL where the inter-broker listener
// wants them (peer-security.ts). Any socket error fails every request in flight and
// closes the client; the owner makes a new one.
import type net from 'node:net';
import type tls from 'node:tls';
import { type ApiKey, apiSchemas, type RequestOf, type ResponseOf } from '../../protocol/messages/index.js';
import { Reader, Writer } from '../../protocol/primitives.js';
import { decodeMessage, type Encodable, encodeMessage, isFlexible } from '../../protocol/schema.js';
import { FrameReader } from './frame-reader.js';
import { connectFrameSocket } from '../../fastpath/index.js';
import { errorName } from '../../protocol/errors.js';
import type { SaslClient } from '../security/sasl-client.js';

/** The connection was refused for its security (a failed TLS handshake or SASL authentication): the operator's concern, not a leader going away. */
export class SecurityError extends Error {}

/** How a connection is made: TLS options, and a SASL client to authenticate with before any other request. */
export interface Transport {
  tls?: tls.ConnectionOptions | null;
  sasl?: SaslClient | null;
}

interface InFlight {
  apiKey: number;
  version: number;
  resolve: (frame: Buffer) => void;
  reject: (e: Error) => void;
}

const API_VERSIONS = 18;

/** A request frame: size, header v1 (v2 where the request is flexible), then the body. */
export function encodeRequest<K extends ApiKey>(apiKey: K, version: number, correlationId: number, clientId: string, body: Encodable<RequestOf<K>>): Buffer {
  const s = apiSchemas[apiKey];
  const w = new Writer();
  const idLength = Buffer.byteLength(clientId);
  w.int32(0).int16(apiKey).int16(version).int32(correlationId).int16(idLength).utf8(clientId, idLength);
  if (isFlexible(s.request, version)) w.uvarint(0);
  encodeMessage(s.request, version, w, body);
  const out = w.toBuffer();
  out.writeInt32BE(out.length - 4, 0);
  return out;
}

/** The body of a response frame (without its size): after the correlation id, and the header's tagged fields where flexible (never for ApiVersions). */
export function decodeResponse<K extends ApiKey>(apiKey: K, version: number, frame: Buffer): ResponseOf<K> {
  const s = apiSchemas[apiKey];
  const r = new Reader(frame, 4);
  if (apiKey !== API_VERSIONS && isFlexible(s.response, version)) r.uvarint();
  return decodeMessage(s.response, version, r);
}

export class BrokerClient {
  private pending = new Map<number, InFlight>();
  private correlation = 0;
  closed = false;

  private constructor(private readonly socket: net.Socket, private readonly frames: FrameReader, private readonly clientId: string) {
    socket.setNoDelay(true);
    socket.on('error', () => this.close());
    socket.on('close', () => this.close());
  }

  /** Connects (and authenticates, with `transport.sasl`) within `timeoutMs`. */
  static async connect(host: string, port: number, clientId: string, timeoutMs = 5000, transport: Transport = {}): Promise<BrokerClient> {
    const client = await BrokerClient.open(host, port, clientId, timeoutMs, transport.tls ?? null);
    if (transport.sasl) {
      try {
        await client.authenticate(transport.sasl, timeoutMs);
      } catch (e) {
        client.close();
        throw e instanceof SecurityError ? e : new SecurityError(`SASL ${transport.sasl.mechanism} authentication with ${host}:${port} failed: ${(e as Error).message}`);
      }
    }
    return client;
  }

  private static open(host: string, port: number, clientId: string, timeoutMs: number, tlsOptions: tls.ConnectionOptions | null): Promise<BrokerClient> {
    return new Promise((resolve, reject) => {
      const frames = new FrameReader(2 ** 31 - 1);
      let client: BrokerClient | null = null;
      const s = connectFrameSocket(host, port, frames, (f) => client?.onFrames(f), () => client?.close(), tlsOptions);
      const t = setTimeout(() => {
        s.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      s.once(tlsOptions ? 'secureConnect' : 'connect', () => {
        clearTimeout(t);
        s.removeAllListeners('error');
        client = new BrokerClient(s, frames, clientId);
        resolve(client);
      });
      // An error after the TCP connection and before the TLS handshake completes is the handshake's.
      let tcpConnected = false;
      if (tlsOptions) s.once('connect', () => (tcpConnected = true));
      s.once('error', (e) => {
        clearTimeout(t);
        reject(tcpConnected ? new SecurityError(`TLS handshake with ${host}:${port} failed: ${e.message}`) : e);
      });
    });
  }

  /** SaslHandshake v1, then SaslAuthenticate v2 rounds until the mechanism is done (KIP-152). */
  private async authenticate(sasl: SaslClient, timeoutMs: number): Promise<void> {
    const handshake = await this.request(17, 1, { mechanism: sasl.mechanism }, timeoutMs);
    if (handshake.errorCode !== 0) throw new SecurityError(`SASL handshake for ${sasl.mechanism} refused: ${errorName(handshake.errorCode)} (the broker offers ${handshake.mechanisms.join(', ')})`);
    let token: Buffer | null = sasl.first();
    while (token !== null) {
      const r = await this.request(36, 2, { authBytes: token }, timeoutMs);
      if (r.errorCode !== 0) throw new SecurityError(`SASL ${sasl.mechanism} authentication failed: ${errorName(r.errorCode)}: ${r.errorMessage ?? ''}`);
      token = sasl.next(r.authBytes);
    }
  }

  private onFrames(frames: Buffer[]): void {
    for (const frame of frames) {
      const id = frame.readInt32BE(0);
      const p = this.pending.get(id);
      this.pending.delete(id);
      p?.resolve(frame);
    }
  }

  /** Sends a request and resolves with the decoded response; rejects on timeout or a closed socket. */
  async request<K extends ApiKey>(apiKey: K, version: number, body: Encodable<RequestOf<K>>, timeoutMs: number): Promise<ResponseOf<K>> {
    return (await this.requestFrame(apiKey, version, body, timeoutMs)).response;
  }

  /**
   * As request(), and `release` hands the response's frame back for reuse once nothing
   * refers to its bytes (the response's records views point into it): a fresh large
   * buffer per fetched megabyte costs more in page faults than the copy itself.
   */
  requestFrame<K extends ApiKey>(apiKey: K, version: number, body: Encodable<RequestOf<K>>, timeoutMs: number): Promise<{ response: ResponseOf<K>; release: () => void }> {
    if (this.closed) return Promise.reject(new Error('connection closed'));
    const id = this.correlation++;
    const out = encodeRequest(apiKey, version, id, this.clientId, body);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`request ${apiKey} v${version} timed out`));
        // The response may still come; the connection's order is now unknown.
        this.close();
      }, timeoutMs);
      this.pending.set(id, {
        apiKey,
        version,
        resolve: (frame) => {
          clearTimeout(timer);
          try {
            resolve({ response: decodeResponse(apiKey, version, frame), release: () => this.frames.release(frame) });
          } catch (e) {
            reject(e as Error);
          }
        },
        reject: (e) => {
          clearTimeout(timer);
          reject(e);
        },
      });
      this.socket.write(out);
    });
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.frames.close();
    const err = new Error('connection closed');
    for (const p of this.pending.values()) p.reject(err);
    this.pending.clear();
  }
}
