// The test kit's endpoints under /v1: faults (add, list, remove), the trace, and reset.
import type { HttpResponse, Route } from '../http/control-plane.js';
import { faultJson, FaultError, parseFault } from './faults.js';
import type { ResetResult } from './plane.js';
import type { TestKit } from './test-kit.js';
import { type Clock, VirtualClock } from '../clock.js';

const notAllowed = (method: string): HttpResponse => ({ status: 405, body: { error: `${method} is not served here` } });
const bad = (error: string, valid?: readonly string[]): HttpResponse => ({ status: 400, body: valid ? { error, valid } : { error } });

export function testKitRoutes(kit: TestKit, apis: ReadonlyMap<number, string>, ops: { reset(): Promise<ResetResult>; clock: Clock }): Route {
  const name = (key: number) => apis.get(key) ?? String(key);
  return async (req) => {
    const [v1, what, id, ...rest] = req.path;
    if (v1 !== 'v1' || rest.length > 0) return null;
    switch (what) {
      case 'faults': {
        if (id !== undefined) {
          if (req.method !== 'DELETE') return notAllowed(req.method);
          const n = Number(id);
          return Number.isInteger(n) && kit.faults.remove(n) ? { status: 204 } : { status: 404, body: { error: `no fault ${id}` } };
        }
        if (req.method === 'GET') return { status: 200, body: kit.faults.list().map((f) => faultJson(f, name)) };
        if (req.method === 'DELETE') {
          kit.faults.clear();
          return { status: 204 };
        }
        if (req.method !== 'POST') return notAllowed(req.method);
        try {
          const f = kit.faults.add(parseFault(req.body, apis));
          return { status: 201, body: { id: f.id } };
        } catch (e) {
          if (e instanceof FaultError) return bad(e.message, e.valid);
          throw e;
        }
      }
      case 'trace': {
        if (id !== undefined) return null;
        if (req.method !== 'GET') return notAllowed(req.method);
        const limit = req.query.get('limit');
        if (limit !== null && !/^\d+$/.test(limit)) return bad('limit must be an integer >= 0');
        const unknown = [...req.query.keys()].filter((k) => !['api', 'clientId', 'limit'].includes(k));
        if (unknown.length > 0) return bad(`unknown parameter(s): ${unknown.join(', ')}`, ['api', 'clientId', 'limit']);
        return { status: 200, body: kit.trace.list({ api: req.query.get('api') ?? undefined, clientId: req.query.get('clientId') ?? undefined, limit: limit === null ? undefined : Number(limit) }) };
      }
      case 'reset': {
        if (id !== undefined) return null;
        if (req.method !== 'POST') return notAllowed(req.method);
        const body = req.body;
        if (body !== undefined && !(typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).length === 0)) return bad('reset takes no parameters');
        return { status: 200, body: await ops.reset() };
      }
      case 'clock': {
        const clock = ops.clock;
        if (id === undefined) return req.method === 'GET' ? { status: 200, body: { now: clock.now(), virtual: clock.virtual } } : notAllowed(req.method);
        if (id !== 'advance') return null;
        if (req.method !== 'POST') return notAllowed(req.method);
        const body = req.body;
        const ms = typeof body === 'object' && body !== null && !Array.isArray(body) && Object.keys(body).every((k) => k === 'ms') ? (body as { ms?: unknown }).ms : undefined;
        if (typeof ms !== 'number' || !Number.isInteger(ms) || ms < 0) return bad('advance takes {"ms": n} with n an integer >= 0');
        if (!(clock instanceof VirtualClock)) return { status: 409, body: { error: 'this broker runs on the system clock: start it with --clock virtual' } };
        return { status: 200, body: { now: await clock.advance(ms) } };
      }
      default:
        return null;
    }
  };
}
