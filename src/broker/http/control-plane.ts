// The broker's HTTP listener: JSON in and out, a route table, bodies bounded. What it
// serves is given to it (the test kit's endpoints where a broker runs for testing); any
// other path is 404. With a gate (an authorizer on), each request is let through only for
// a principal allowed to read (GET) or change (anything else) the cluster.
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'winston';

export interface HttpRequest {
  method: string;
  /** The path's parts after the route's prefix, e.g. ['faults', '3']. */
  path: string[];
  query: URLSearchParams;
  /** The parsed JSON body; undefined when there was none. */
  body: unknown;
}

export interface HttpResponse {
  status: number;
  /** Sent as JSON; a string with `contentType` is sent as it is. */
  body?: unknown;
  contentType?: string;
  headers?: Record<string, string>;
}

/** Who may use the HTTP listener (security/http-authentication.ts). */
export interface HttpGate {
  /** Whether the principal the Authorization header proves may read (`write` false) or change the cluster. */
  check(authorization: string | undefined, remoteAddress: string, write: boolean): 'allowed' | 'unauthenticated' | 'forbidden';
}

export type Route = (req: HttpRequest) => HttpResponse | null | Promise<HttpResponse | null>;

const MAX_BODY = 1 << 20;

export class ControlPlane {
  private constructor(private readonly server: http.Server) {}

  /**
   * Listens on `host:port` (0: a free port) and answers through `routes`, the first that
   * does not return null; `gate` (asked per request: a cluster's may move from broker to broker) lets requests through.
   */
  static async listen(host: string, port: number, routes: readonly Route[], logger: Pick<Logger, 'warn' | 'info'>, gate: () => HttpGate | null = () => null): Promise<ControlPlane> {
    const server = http.createServer((req, res) => {
      let refused: HttpResponse | null;
      try {
        refused = admit(req, gate());
      } catch (e) {
        // No one to ask (every broker of a cluster stopped).
        refused = { status: 503, body: { error: (e as Error).message } };
      }
      if (refused) {
        req.resume();
        send(res, refused);
        return;
      }
      void serve(req, routes).then((r) => send(res, r), (e: unknown) => {
        logger.warn(`HTTP ${req.method} ${req.url} failed: ${(e as Error).stack ?? String(e)}`);
        send(res, { status: 500, body: { error: 'internal error' } });
      });
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    const plane = new ControlPlane(server);
    logger.info(`control plane on http://${plane.host}:${plane.port}`);
    return plane;
  }

  get host(): string {
    return (this.server.address() as AddressInfo).address;
  }

  get port(): number {
    return (this.server.address() as AddressInfo).port;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/** Null when the gate lets the request through; else its 401 (with the Basic challenge a browser answers) or 403. */
function admit(req: http.IncomingMessage, gate: HttpGate | null): HttpResponse | null {
  if (!gate) return null;
  const verdict = gate.check(req.headers.authorization, `${req.socket.remoteAddress ?? ''}:${req.socket.remotePort ?? 0}`, req.method !== 'GET' && req.method !== 'HEAD');
  if (verdict === 'allowed') return null;
  if (verdict === 'unauthenticated') return { status: 401, body: { error: 'authentication failed' }, headers: { 'www-authenticate': 'Basic realm="krill", charset="UTF-8"' } };
  return { status: 403, body: { error: `not authorized to ${req.method === 'GET' ? 'DESCRIBE' : 'ALTER'} the cluster` } };
}

async function serve(req: http.IncomingMessage, routes: readonly Route[]): Promise<HttpResponse> {
  const url = new URL(req.url ?? '/', 'http://x');
  const raw = await readBody(req);
  if (raw === null) return { status: 413, body: { error: `a body is at most ${MAX_BODY} bytes` } };
  let body: unknown;
  if (raw.length > 0) {
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch (e) {
      return { status: 400, body: { error: `the body is not JSON: ${(e as Error).message}` } };
    }
  }
  const request: HttpRequest = { method: req.method ?? 'GET', path: url.pathname.split('/').filter(Boolean), query: url.searchParams, body };
  for (const route of routes) {
    const r = await route(request);
    if (r) return r;
  }
  return { status: 404, body: { error: `no ${request.method} ${url.pathname} here` } };
}

function readBody(req: http.IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= MAX_BODY) parts.push(c);
    });
    req.on('end', () => resolve(size > MAX_BODY ? null : Buffer.concat(parts)));
    req.on('error', reject);
  });
}

function send(res: http.ServerResponse, r: HttpResponse): void {
  const headers = r.headers ?? {};
  if (r.body === undefined) {
    res.writeHead(r.status, headers).end();
    return;
  }
  if (typeof r.body === 'string' && r.contentType) {
    res.writeHead(r.status, { ...headers, 'content-type': r.contentType, 'content-length': Buffer.byteLength(r.body) }).end(r.body);
    return;
  }
  const json = JSON.stringify(r.body, null, 2);
  res.writeHead(r.status, { ...headers, 'content-type': 'application/json', 'content-length': Buffer.byteLength(json) }).end(json);
}
