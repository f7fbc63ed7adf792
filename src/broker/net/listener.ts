// The broker's listening sockets, one per entry of `listeners` (endpoints.ts), the open
// connections of them all and the limits Kafka puts on them (max.connections,
// max.connections.per.ip and its overrides, connections.max.idle.ms).
import fs from 'node:fs';
import net from 'node:net';
import tls from 'node:tls';
import type { Logger } from 'winston';
import type { TlsSettings } from '../security/tls-config.js';
import type { Connection } from './connection.js';
import type { Endpoint } from './endpoints.js';
import { plainAddress } from './address.js';

export interface ConnectionLimits {
  maxConnections: number;
  maxPerIp: number;
  /** max.connections.per.ip.overrides: `host:n,host:n`, by address. */
  perIpOverrides: ReadonlyMap<string, number>;
  /** connections.max.idle.ms: a connection with nothing in hand for this long is closed. */
  idleMs: number;
}

/** The limits as the broker configs set them. */
export function connectionLimits(config: { int(name: string): number; get(name: string): string | null }): ConnectionLimits {
  return {
    maxConnections: config.int('max.connections'),
    maxPerIp: config.int('max.connections.per.ip'),
    perIpOverrides: parseOverrides(config.get('max.connections.per.ip.overrides') ?? ''),
    idleMs: config.int('connections.max.idle.ms'),
  };
}

/** max.connections.per.ip.overrides as Kafka writes it: `hostName:100,127.0.0.1:200`. */
export function parseOverrides(value: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const entry of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    const at = entry.lastIndexOf(':');
    const n = Number(entry.slice(at + 1));
    if (at > 0 && Number.isInteger(n)) out.set(entry.slice(0, at), n);
  }
  return out;
}


export class Listener {
  private readonly servers: Array<{ server: net.Server | tls.Server; endpoint: Endpoint }> = [];
  private readonly connections = new Set<Connection>();
  /** Sockets over their address's connection rate, held until their throttle time is over. */
  private readonly held = new Set<net.Socket>();

  /** Client connections open now (metrics). */
  get connectionCount(): number {
    return this.connections.size;
  }
  private readonly perIp = new Map<string, number>();
  private nextConnectionId = 0;
  private idleTimer: NodeJS.Timeout | null = null;

  /** Each listener as bound: its name, host and port (the one picked for port 0). */
  get bound(): Endpoint[] {
    return this.servers.map((s) => s.endpoint);
  }

  /**
   * `connectionRate` answers how long a new connection from an address must be held before
   * it is closed (connection_creation_rate), 0 to take it.
   */
  constructor(private readonly limits: ConnectionLimits, private readonly logger: Logger, private readonly connectionRate: (ip: string, now: number) => number = () => 0) {}

  /**
   * Listens on the endpoint's host:port (port 0 picks one); each accepted socket becomes a
   * connection made by `accept`. With `tls` (SSL, SASL_SSL) a connection is taken once its
   * handshake is done and its client certificate passes ssl.client.auth. Called once per listener.
   */
  listen(endpoint: Endpoint, accept: (id: number, socket: net.Socket) => Connection, tlsSettings: (() => TlsSettings) | null = null): Promise<void> {
    const host = endpoint.host || '0.0.0.0';
    return new Promise((resolve, reject) => {
      const take = (socket: net.Socket) => {
        const ip = plainAddress(socket.remoteAddress ?? '');
        const refused = this.refusal(ip);
        if (refused) {
          this.reportRefusal(ip, refused);
          socket.destroy();
          return;
        }
        // Kafka holds a connection over its address's creation rate for the throttle time, then closes it.
        const throttleMs = this.connectionRate(ip, Date.now());
        if (throttleMs > 0) {
          this.reportRefusal(ip, `connection_creation_rate exceeded, closing after ${throttleMs} ms`);
          this.held.add(socket);
          setTimeout(() => {
            this.held.delete(socket);
            socket.destroy();
          }, throttleMs).unref();
          return;
        }
        const c = accept(this.nextConnectionId++, socket);
        this.connections.add(c);
        this.perIp.set(ip, (this.perIp.get(ip) ?? 0) + 1);
        c.onClose(() => {
          this.connections.delete(c);
          const n = (this.perIp.get(ip) ?? 1) - 1;
          if (n > 0) this.perIp.set(ip, n);
          else this.perIp.delete(ip);
        });
      };
      // Paused: each Connection starts the reads itself, straight into its request frames.
      const server = tlsSettings ? this.tlsServer(tlsSettings, take) : net.createServer({ pauseOnConnect: true }, take);
      server.once('error', reject);
      server.listen(endpoint.port, host, () => {
        server.off('error', reject);
        const a = server.address() as net.AddressInfo;
        this.servers.push({ server, endpoint: { name: endpoint.name, host, port: a.port } });
        if (this.servers.length === 1) this.startIdleSweep();
        resolve();
      });
    });
  }

  /** A TLS server whose certificates are read again when their files change (Kafka 3.x reloads them through AlterConfigs). */
  private tlsServer(settings: () => TlsSettings, take: (socket: net.Socket) => void): tls.Server {
    let current = settings();
    const server = tls.createServer(current.options, (socket) => {
      const cert = socket.getPeerX509Certificate();
      // ssl.client.auth: required wants a certificate; one that does not verify fails even when only requested.
      const refused = current.clientAuth === 'required' && !cert ? 'no client certificate' : cert && !socket.authorized ? `client certificate not trusted (${String(socket.authorizationError)})` : null;
      if (refused) {
        this.reportTlsFailure(socket.remoteAddress ?? 'unknown', refused);
        socket.destroy();
        return;
      }
      take(socket);
    });
    server.on('tlsClientError', (e, socket) => this.reportTlsFailure(socket.remoteAddress ?? 'unknown', e.message));
    const reload = () => {
      try {
        current = settings();
        server.setSecureContext(current.options);
        this.logger.info('TLS certificates reloaded');
      } catch (e) {
        this.logger.error(`TLS certificates not reloaded: ${(e as Error).message}`);
      }
    };
    for (const file of current.files) {
      fs.watchFile(file, { interval: 1000, persistent: false }, reload);
      this.unwatch.push(() => fs.unwatchFile(file, reload));
    }
    return server;
  }

  private readonly unwatch: Array<() => void> = [];
  /** Addresses whose TLS failure was logged: once per client, not per attempt. */
  private readonly tlsFailuresReported = new Set<string>();

  private reportTlsFailure(address: string, why: string): void {
    const ip = plainAddress(address);
    if (this.tlsFailuresReported.has(ip) || this.tlsFailuresReported.size > 10_000) return;
    this.tlsFailuresReported.add(ip);
    this.logger.warn(`TLS handshake with ${ip} failed: ${why} (reported once per client)`);
  }

  /** Why a new connection from `ip` is refused, or null. */
  private refusal(ip: string): string | null {
    if (this.connections.size >= this.limits.maxConnections) return `the broker has the configured maximum of ${this.limits.maxConnections} connections`;
    const limit = this.limits.perIpOverrides.get(ip) ?? this.limits.maxPerIp;
    const open = this.perIp.get(ip) ?? 0;
    if (open >= limit) return `the address already has the configured maximum of ${limit} connections`;
    return null;
  }

  private refusedUnreported = 0;
  private lastRefusalReport = 0;

  /** One log line per 10 s at most, however many connections a flood brings. */
  private reportRefusal(ip: string, why: string): void {
    this.refusedUnreported++;
    const now = Date.now();
    if (now - this.lastRefusalReport < 10_000) return;
    this.logger.warn(`rejected ${this.refusedUnreported} connection(s), the latest from ${ip}: ${why}`);
    this.refusedUnreported = 0;
    this.lastRefusalReport = now;
  }

  /** Closes connections that have had nothing in hand for connections.max.idle.ms, as Kafka's selector does. */
  private startIdleSweep(): void {
    const idleMs = this.limits.idleMs;
    if (idleMs <= 0 || idleMs >= 2 ** 31) return;
    this.idleTimer = setInterval(() => {
      const now = Date.now();
      for (const c of [...this.connections]) if (c.quietFor(now) >= idleMs) c.close();
    }, Math.max(10, Math.min(idleMs / 4, 10_000)));
    this.idleTimer.unref();
  }

  /** Closes every connection and stops listening. */
  async close(): Promise<void> {
    if (this.idleTimer) clearInterval(this.idleTimer);
    for (const stop of this.unwatch.splice(0)) stop();
    for (const c of [...this.connections]) c.close();
    for (const s of this.held) s.destroy();
    const servers = this.servers.splice(0);
    await Promise.all(servers.map(({ server }) => new Promise<void>((r) => server.close(() => r()))));
  }
}
