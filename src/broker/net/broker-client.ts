// A Kafka protocol client for one broker-to-broker connection (a follower fetching from
// its leader): requests encoded with the same schemas the broker serves, matched to
// responses by correlation id. Any socket error fails every request in flight and closes
// the client; the owner makes a new one.
import net from 'node:net';
import { type ApiKey, apiSchemas, type RequestOf, type ResponseOf } from '../../protocol/messages/index.js';
import { Reader, Writer } from '../../protocol/primitives.js';
import { decodeMessage, type Encodable, encodeMessage, isFlexible } from '../../protocol/schema.js';
import { FrameReader } from './frame-reader.js';
import { connectFrameSocket } from './frame-socket.js';

interface InFlight {
  apiKey: number;
  version: number;
  resolve: (frame: Buffer) => void;
  reject: (e: Error) => void;
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

  static connect(host: string, port: number, clientId: string, timeoutMs = 5000): Promise<BrokerClient> {
    return new Promise((resolve, reject) => {
      const frames = new FrameReader(2 ** 31 - 1);
      let client: BrokerClient | null = null;
      const s = connectFrameSocket(host, port, frames, (f) => client?.onFrames(f), () => client?.close());
      const t = setTimeout(() => {
        s.destroy();
        reject(new Error(`connect to ${host}:${port} timed out`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(t);
        s.removeAllListeners('error');
        client = new BrokerClient(s, frames, clientId);
        resolve(client);
      });
      s.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
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
    const s = apiSchemas[apiKey];
    const id = this.correlation++;
    const w = new Writer();
    w.int32(0).int16(apiKey).int16(version).int32(id).int16(Buffer.byteLength(this.clientId)).utf8(this.clientId, Buffer.byteLength(this.clientId));
    if (isFlexible(s.request, version)) w.uvarint(0);
    encodeMessage(s.request, version, w, body);
    const out = w.toBuffer();
    out.writeInt32BE(out.length - 4, 0);
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
            const r = new Reader(frame, 4);
            if (apiKey !== 18 && isFlexible(s.response, version)) r.uvarint();
            resolve({ response: decodeMessage(s.response, version, r), release: () => this.frames.release(frame) });
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
