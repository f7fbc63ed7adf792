// One client connection: frames in, handlers run, responses out in request order.
// A handler that waits (long-poll fetch, acks=all produce) holds back later responses on
// this connection only, as Kafka's per-connection ordering requires.
//
// Reads stop while the connection has queued.max.requests requests in hand, while its
// answers wait unsent (a client that does not read them), or while the broker holds
// queued.max.request.bytes of requests: a client cannot make the broker take on more
// than these bounds, however fast it pipelines.
import type { Socket } from 'node:net';
import type { Logger } from 'winston';
import { ProtocolDecodeError, Reader, Writer } from '../../protocol/primitives.js';
import { ErrorCode } from '../../protocol/errors.js';
import { decodeMessage, encodeMessage, isFlexible } from '../../protocol/schema.js';
import type { ApiKey, ResponseOf } from '../../protocol/messages/index.js';
import { type Api, CLOSE_CONNECTION, type ConnectionInfo, type HandlerResult, NO_RESPONSE, type RequestContext } from '../api.js';
import type { ApiTable } from '../api-table.js';
import type { BrokerServices } from '../services.js';
import { FrameReader, FrameTooLargeError } from './frame-reader.js';
import { adoptFrameSocket, release, writeDirect } from '../../fastpath/index.js';
import { readRequestHeader } from './request-header.js';
import type { RequestBytes } from './request-bytes.js';
import type { TestKit } from '../testkit/test-kit.js';
import type { RequestObserver } from '../metrics/source.js';
import { isFollowerFetch, throttleFor } from '../quotas/request-quotas.js';
import type { ListenerSecurity } from '../security/listener-security.js';
import { SaslSession } from '../security/sasl-session.js';
import { TLSSocket } from 'node:tls';
import { certificatePrincipal } from '../security/tls-config.js';

/** The distinguished name of a TLS client's certificate (its RFC 2253 subject), or null when it sent none. */
function peerName(socket: TLSSocket): string | null {
  const cert = socket.getPeerX509Certificate();
  return cert ? certificatePrincipal(cert.subject) : null;
}

const API_VERSIONS = 18;

export interface ConnectionHost {
  readonly apis: ApiTable;
  /** What handlers are given. */
  readonly services: BrokerServices;
  /** The listener's security: whether clients authenticate with SASL first. */
  readonly security: ListenerSecurity;
  readonly maxRequestBytes: number;
  /** queued.max.requests, per connection: each connection is its own network processor here. */
  readonly maxQueuedRequests: number;
  /** queued.max.request.bytes, across the broker. */
  readonly requestBytes: RequestBytes;
  readonly logger: Logger;
  /** A broker started for testing: faults and the trace on every request. */
  readonly testKit: TestKit | null;
  /** Told of each request answered (metrics). */
  readonly observe?: RequestObserver;
}

type Result = HandlerResult<ResponseOf<ApiKey>>;

interface Slot {
  /** When the request was read (performance.now()). */
  started: number;
  /** What client quotas count of it, while any quota is set; null otherwise. */
  quota: { clientId: string | null; size: number; busyMs: number } | null;
  out: Buffer[] | null;
  done: boolean;
  /** Log reads in `out`, released once written. */
  held: Buffer[];
  /** The request's size while it counts against queued.max.request.bytes; 0 once given back. */
  bytes: number;
}

export class Connection implements ConnectionInfo {
  private readonly frames: FrameReader;
  private readonly queue: Slot[] = [];
  private readonly closers = new Set<() => void>();
  private closed = false;
  private peer: string | undefined;
  /**
   * Requests in and answers out, counted: the idle sweep (connections.max.idle.ms) sees
   * whether it moved, which costs the request path an increment rather than a clock read.
   */
  private activity = 0;
  private activitySeen = -1;
  private quietSince = 0;
  private readsPaused = false;
  /** Frames read but not yet taken on, while a bound holds. */
  private readonly backlog: Buffer[] = [];
  private forgetRoomWait: (() => void) | null = null;
  /** Reads are muted while a client quota throttles this connection (KIP-219). */
  private throttled: NodeJS.Timeout | null = null;
  private throttledUntil = 0;

  private readonly socket: Socket;
  clientSoftware: { name: string; version: string } | null = null;
  readonly sasl: SaslSession | null;
  /** The subject of the client's certificate (SSL with client authentication), or null. */
  private readonly certificatePrincipal: string | null;
  /** Set by closeAfterAnswers: the delay before closing once every answer so far is written. */
  private closing: number | null = null;

  /** `accepted` comes from a server created with `pauseOnConnect`: this connection starts its reads. */
  constructor(readonly id: number, accepted: Socket, private readonly host: ConnectionHost) {
    this.frames = new FrameReader(host.maxRequestBytes);
    this.sasl = host.security.sasl ? new SaslSession(host.security, host.services.config.int('connections.max.reauth.ms')) : null;
    const dn = accepted instanceof TLSSocket ? peerName(accepted) : null;
    this.certificatePrincipal = dn === null ? null : host.security.sslPrincipal(dn);
    const socket = adoptFrameSocket(accepted, this.frames, (frames) => this.onFrames(frames), (e) => {
      if (e instanceof FrameTooLargeError) this.host.logger.warn(`closing ${this.remoteAddress}: ${e.message}`);
      this.close();
    });
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('error', () => this.close());
    // Kafka closes a connection whose client has stopped sending, answers and all; Node's
    // default (end our side, wait for it to finish, then close) costs a shutdown(2) and a
    // round of stream callbacks on every disconnect.
    socket.on('end', () => this.close());
    socket.on('close', () => this.close());
    socket.on('drain', () => this.resumeReadsIfRoom());
    // As Kafka's SslPrincipalMapper: a certificate no rule names fails the authentication.
    if (dn !== null && this.certificatePrincipal === null) {
      host.logger.warn(`closing ${this.remoteAddress}: no ssl.principal.mapping.rules rule applies to ${dn}`);
      this.close();
    }
  }

  get listener(): string {
    return this.host.security.listener;
  }

  get securityProtocol(): string {
    return this.host.security.protocol;
  }

  /** This end's address, `ip:port` (Kafka's connection ids name both ends). */
  get localAddress(): string {
    return `${this.socket.localAddress ?? 'unknown'}:${this.socket.localPort ?? -1}`;
  }

  /** Asked of the kernel (getpeername) only when wanted: by group membership and by logs. */
  get remoteAddress(): string {
    if (this.peer === undefined) {
      const { remoteAddress, remotePort } = this.socket;
      // A socket already destroyed has forgotten its peer; that is only ever for a log line.
      if (remoteAddress === undefined) return 'unknown peer';
      this.peer = `${remoteAddress}:${remotePort}`;
    }
    return this.peer;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  onClose(fn: () => void): () => void {
    if (this.closed) {
      fn();
      return () => undefined;
    }
    this.closers.add(fn);
    return () => this.closers.delete(fn);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.socket.destroy();
    this.frames.close();
    for (const f of this.backlog.splice(0)) this.frames.release(f);
    for (const s of this.queue) this.giveBack(s);
    this.forgetRoomWait?.();
    if (this.throttled) clearTimeout(this.throttled);
    const closers = [...this.closers];
    this.closers.clear();
    for (const fn of closers) fn();
  }

  /** Whether a request of this API and version has a flexible (v2) header. */
  private readonly flexibleHeader = (key: number, v: number): boolean => {
    const api = this.host.apis.get(key);
    if (key === API_VERSIONS) return v >= 3;
    return api !== undefined && v >= api.minVersion && v <= api.maxVersion && isFlexible(api.schemas.request, v);
  };

  /** How long the connection has had nothing in hand and seen no traffic, as of the idle sweeps so far (called by them). */
  quietFor(now: number): number {
    if (this.activity !== this.activitySeen || this.queue.length > 0) {
      this.activitySeen = this.activity;
      this.quietSince = now;
    }
    return now - this.quietSince;
  }

  private onFrames(frames: Buffer[]): void {
    this.activity++;
    if (this.backlog.length > 0) {
      for (const f of frames) this.backlog.push(f);
      return;
    }
    this.take(frames);
  }

  /** Handles frames until a bound is reached; the rest wait in the backlog with reads paused. */
  private take(frames: Buffer[]): void {
    for (let i = 0; i < frames.length; i++) {
      if (this.closed) return;
      if (this.overBounds()) {
        for (let j = i; j < frames.length; j++) this.backlog.push(frames[j]!);
        this.pauseReads();
        return;
      }
      this.onFrame(frames[i]!);
    }
    if (!this.closed && this.overBounds()) this.pauseReads();
  }

  private overBounds(): boolean {
    return this.queue.length >= this.host.maxQueuedRequests || this.socket.writableNeedDrain || this.host.requestBytes.full || this.throttled !== null;
  }

  private pauseReads(): void {
    if (!this.readsPaused) {
      this.readsPaused = true;
      this.socket.pause();
    }
    if (this.host.requestBytes.full && !this.forgetRoomWait) {
      this.forgetRoomWait = this.host.requestBytes.whenRoom(() => {
        this.forgetRoomWait = null;
        this.resumeReadsIfRoom();
      });
    }
  }

  /** Called whenever a bound may have eased: an answer sent, the socket drained, the broker's request bytes freed. */
  private resumeReadsIfRoom(): void {
    if (!this.readsPaused || this.closed) return;
    if (this.overBounds()) {
      this.pauseReads();
      return;
    }
    this.readsPaused = false;
    const waiting = this.backlog.splice(0);
    this.take(waiting);
    if (!this.readsPaused && !this.closed) this.socket.resume();
  }

  /** Returns a request's bytes to the broker's budget, once. */
  private giveBack(slot: Slot): void {
    if (slot.bytes === 0) return;
    this.host.requestBytes.give(slot.bytes);
    slot.bytes = 0;
  }

  /** Kafka's principal name: the SASL user, else the client certificate's subject, else ANONYMOUS. */
  get principal(): string {
    return this.sasl?.principal ?? this.certificatePrincipal ?? 'ANONYMOUS';
  }

  closeAfterAnswers(delayMs: number): void {
    this.closing ??= delayMs;
    this.flush();
  }

  /** After a v0 SaslHandshake the client's tokens come as raw frames; the answers go back the same way. */
  private onRawToken(frame: Buffer): void {
    const answer = this.sasl!.authenticate(Buffer.from(frame), -1);
    this.frames.release(frame);
    const size = Buffer.alloc(4);
    size.writeInt32BE(answer.token.length);
    const slot = this.slot();
    slot.out = answer.close ? [] : [size, answer.token];
    slot.done = true;
    if (answer.close) this.closeAfterAnswers(this.host.services.config.int('connection.failed.authentication.delay.ms'));
    this.flush();
  }

  private onFrame(frame: Buffer): void {
    if (this.sasl?.rawTokens) {
      this.onRawToken(frame);
      return;
    }
    const r = new Reader(frame);
    let header;
    try {
      header = readRequestHeader(r, this.flexibleHeader);
    } catch {
      this.host.logger.debug(`closing ${this.remoteAddress}: malformed request header`);
      this.close();
      return;
    }
    if (this.sasl && !this.sasl.authenticated && !this.sasl.allowsBeforeAuth(header.apiKey)) {
      // Kafka's SaslServerAuthenticator: anything else before authentication, or once the session has expired (KIP-368), ends the connection.
      this.host.logger.debug(`closing ${this.remoteAddress}: api ${header.apiKey} ${this.sasl.principal === null ? 'before SASL authentication' : 'after the SASL session expired'}`);
      this.close();
      return;
    }
    const api = this.host.apis.get(header.apiKey);
    const supported = api !== undefined && header.apiVersion >= api.minVersion && header.apiVersion <= api.maxVersion;
    if (!supported) {
      const apiVersions = this.host.apis.get(API_VERSIONS);
      if (header.apiKey === API_VERSIONS && apiVersions) {
        // Kafka answers an unknown ApiVersions version with v0 and its list, so clients can retry.
        const answer = { errorCode: ErrorCode.UNSUPPORTED_VERSION, apiKeys: this.host.apis.versions, throttleTimeMs: 0 };
        this.respond(this.slot(), header.correlationId, apiVersions, 0, answer, false);
        return;
      }
      this.host.logger.debug(`closing ${this.remoteAddress}: api ${header.apiKey} v${header.apiVersion} not supported`);
      this.close();
      return;
    }
    let req;
    try {
      req = decodeMessage(api.schemas.request, header.apiVersion, r);
    } catch (e) {
      // Kafka drops a connection whose request cannot be parsed; anything but a decode error is our bug.
      const malformed = e instanceof ProtocolDecodeError || e instanceof RangeError;
      this.host.logger.log(malformed ? 'debug' : 'error', `closing ${this.remoteAddress}: cannot read ${api.schemas.request.name} v${header.apiVersion}: ${(e as Error).message}`);
      this.close();
      return;
    }
    if (header.apiKey === API_VERSIONS && header.apiVersion >= 3) {
      const named = req as { clientSoftwareName: string; clientSoftwareVersion: string };
      this.clientSoftware = { name: named.clientSoftwareName, version: named.clientSoftwareVersion };
    }
    const slot = this.slot();
    slot.bytes = frame.length;
    if (this.host.services.quotas.active && !isFollowerFetch(header.apiKey, req)) slot.quota = { clientId: header.clientId, size: frame.length, busyMs: 0 };
    this.host.requestBytes.take(frame.length);
    let released = false;
    const ctx: RequestContext = {
      header,
      version: header.apiVersion,
      connection: this,
      releaseFrame: () => {
        if (released) return;
        released = true;
        this.frames.release(frame);
      },
      releaseWhenSent: (buffers) => {
        slot.held.push(...buffers);
      },
    };
    const headerV1 = header.apiKey !== API_VERSIONS && isFlexible(api.schemas.response, header.apiVersion);
    let result;
    try {
      const kit = this.host.testKit;
      result = kit ? kit.handle(api, req, ctx, (r) => api.handle(this.host.services, r, ctx)) : api.handle(this.host.services, req, ctx);
    } catch (e) {
      this.fail(e, api);
      return;
    }
    if (slot.quota) slot.quota.busyMs = performance.now() - slot.started;
    if (result instanceof Promise) {
      result.then(
        (res) => this.respond(slot, header.correlationId, api, header.apiVersion, res, headerV1),
        (e: unknown) => this.fail(e, api),
      );
    } else {
      this.respond(slot, header.correlationId, api, header.apiVersion, result, headerV1);
    }
  }

  private fail(e: unknown, api: Api): void {
    this.host.logger.error(`${api.schemas.request.name} from ${this.remoteAddress} failed: ${(e as Error).stack ?? String(e)}`);
    this.close();
  }

  private slot(): Slot {
    const s: Slot = { started: performance.now(), quota: null, out: null, done: false, held: [], bytes: 0 };
    this.queue.push(s);
    return s;
  }

  private respond(slot: Slot, correlationId: number, api: Api, version: number, res: Result, headerV1: boolean): void {
    this.giveBack(slot);
    if (res === CLOSE_CONNECTION) {
      this.close();
      return;
    }
    const throttleMs = slot.quota ? this.quotaThrottle(slot.quota, api.apiKey, res) : 0;
    if (res !== NO_RESPONSE) {
      const w = new Writer(512);
      w.int32(0).int32(correlationId);
      if (headerV1) w.uvarint(0);
      try {
        encodeMessage(api.schemas.response, version, w, res);
      } catch (e) {
        // A response that cannot be encoded is a broker bug: drop the connection, never the process.
        this.fail(e, api);
        return;
      }
      const out = w.chunksOut();
      out[0]!.writeInt32BE(w.length - 4, 0);
      slot.out = out;
      this.host.observe?.(api, version, res, performance.now() - slot.started);
    }
    slot.done = true;
    this.flush();
    if (throttleMs > 0) this.throttle(throttleMs);
  }

  /** Counts an answered request against its client's quotas; the answer carries the throttle time it earned. */
  private quotaThrottle(q: NonNullable<Slot['quota']>, apiKey: number, res: Result): number {
    const answer = typeof res === 'object' && res !== null && 'throttleTimeMs' in res ? res : null;
    const earned = throttleFor(this.host.services.quotas, { apiKey, clientId: q.clientId, user: this.principal, bytes: q.size, busyMs: q.busyMs, noAnswer: res === NO_RESPONSE }, Date.now());
    const ms = Math.max(earned, answer?.throttleTimeMs ?? 0);
    if (answer && ms > 0) answer.throttleTimeMs = ms;
    return ms;
  }

  /** Mutes reads for `ms` (Kafka's channel muting while throttled): what the client sends meanwhile waits in the socket. */
  private throttle(ms: number): void {
    const until = Date.now() + ms;
    if (until <= this.throttledUntil || this.closed) return;
    this.throttledUntil = until;
    if (this.throttled) clearTimeout(this.throttled);
    this.throttled = setTimeout(() => {
      this.throttled = null;
      this.resumeReadsIfRoom();
    }, ms);
    this.pauseReads();
  }

  private flush(): void {
    if (this.closed) return;
    this.writeAnswers();
    if (this.closing !== null && this.queue.length === 0) {
      const delay = this.closing;
      this.closing = -1;
      if (delay >= 0) setTimeout(() => this.close(), delay).unref();
      return;
    }
    this.resumeReadsIfRoom();
  }

  /** Writes the answers that are next in request order. */
  private writeAnswers(): void {
    this.activity++;
    const chunks: Buffer[] = [];
    const held: Buffer[] = [];
    while (this.queue.length > 0 && this.queue[0]!.done) {
      const s = this.queue.shift()!;
      if (s.out) for (const c of s.out) chunks.push(c);
      for (const b of s.held) held.push(b);
    }
    if (chunks.length === 0) {
      for (const b of held) release(b);
      return;
    }
    const rest = writeDirect(this.socket, chunks);
    if (rest === null) {
      // EPIPE, ECONNRESET: the peer is gone; the socket's own error or close follows.
      this.close();
      return;
    }
    if (rest.length === 0) {
      for (const b of held) release(b);
      return;
    }
    this.socket.cork();
    for (let i = 0; i < rest.length; i++) {
      if (i === rest.length - 1 && held.length > 0) this.socket.write(rest[i]!, () => { for (const b of held) release(b); });
      else this.socket.write(rest[i]!);
    }
    this.socket.uncork();
  }
}
