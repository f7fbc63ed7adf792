// The broker's listening socket: the address from `listeners` (or host/port options),
// the address clients are told (`advertised.listeners`), and the open connections.
import net from 'node:net';
import type { Connection } from './connection.js';

/** host and port of the first entry of a listeners list (`NAME://host:port,...`); null when it has none. */
export function parseListener(list: string | null): { host: string; port: number } | null {
  const m = list ? /^[A-Z_]+:\/\/\[?([^\]]*?)\]?:(\d+)/.exec(list.split(',')[0]!) : null;
  return m ? { host: m[1]!, port: Number(m[2]) } : null;
}

export class Listener {
  private server: net.Server | null = null;
  private readonly connections = new Set<Connection>();
  private nextConnectionId = 0;
  host = '';
  port = 0;

  /** Listens on host:port (port 0 picks one); each accepted socket becomes a connection made by `accept`. */
  listen(host: string, port: number, accept: (id: number, socket: net.Socket) => Connection): Promise<void> {
    return new Promise((resolve, reject) => {
      // Paused: each Connection starts the reads itself, straight into its request frames.
      const server = net.createServer({ pauseOnConnect: true }, (socket) => {
        const c = accept(this.nextConnectionId++, socket);
        this.connections.add(c);
        c.onClose(() => this.connections.delete(c));
      });
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        const a = server.address() as net.AddressInfo;
        this.host = host;
        this.port = a.port;
        this.server = server;
        resolve();
      });
    });
  }

  /** The address clients are told to use: `advertised` (advertised.listeners) if set, else the one listened on. */
  advertised(advertised: string | null): { host: string; port: number } {
    const a = parseListener(advertised);
    if (a) return a;
    const host = this.host === '0.0.0.0' || this.host === '::' ? '127.0.0.1' : this.host;
    return { host, port: this.port };
  }

  /** Closes every connection and stops listening. */
  async close(): Promise<void> {
    for (const c of [...this.connections]) c.close();
    const server = this.server;
    this.server = null;
    if (server) await new Promise<void>((r) => server.close(() => r()));
  }
}
