// A bare protocol client for tests that must send what real clients never would:
// corrupt batches, oversized frames, garbage. Requests are framed as BrokerClient frames them.
import net from 'node:net';
import { decodeResponse, encodeRequest } from '../../src/broker/net/broker-client.js';
import type { ApiKey, RequestOf, ResponseOf } from '../../src/protocol/messages/index.js';
import type { Encodable } from '../../src/protocol/schema.js';

export class RawClient {
  private buf = Buffer.alloc(0);
  private waiters: Array<(b: Buffer) => void> = [];
  private correlation = 1;
  closed = false;

  private constructor(private readonly socket: net.Socket) {
    socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      while (this.buf.length >= 4 && this.buf.length >= 4 + this.buf.readInt32BE(0)) {
        const n = this.buf.readInt32BE(0);
        const frame = this.buf.subarray(4, 4 + n);
        this.buf = this.buf.subarray(4 + n);
        this.waiters.shift()?.(frame);
      }
    });
    socket.on('close', () => {
      this.closed = true;
    });
  }

  static connect(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  sendRaw(bytes: Buffer): void {
    this.socket.write(bytes);
  }

  nextFrame(timeoutMs = 5000): Promise<Buffer> {
    return new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error(`no response (buffered ${this.buf.length}, closed ${this.closed}, waiters ${this.waiters.length})`)), timeoutMs);
      this.waiters.push((b) => {
        clearTimeout(t);
        resolve(b);
      });
    });
  }

  /** Resolves true when the broker closes the connection within `ms`. */
  closedWithin(ms: number): Promise<boolean> {
    if (this.closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      this.socket.once('close', () => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** Sends a request encoded with our schema and decodes the response. */
  async request<K extends ApiKey>(apiKey: K, version: number, body: Encodable<RequestOf<K>>, timeoutMs?: number): Promise<ResponseOf<K>> {
    const pending = this.nextFrame(timeoutMs);
    this.socket.write(encodeRequest(apiKey, version, this.correlation++, 'test', body));
    return decodeResponse(apiKey, version, await pending);
  }

  /** FindCoordinator, as every client sends before its first group request: the broker creates __consumer_offsets on it. */
  async findCoordinator(group: string): Promise<void> {
    const r = await this.request(10, 3, { key: group, keyType: 0 });
    if (r.errorCode !== 0) throw new Error(`FindCoordinator failed with ${r.errorCode}`);
  }

  close(): void {
    this.socket.destroy();
  }
}
