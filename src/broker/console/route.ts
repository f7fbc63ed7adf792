// The web console on the HTTP listener: its page at /, its data under /api.
import type { Route } from '../http/control-plane.js';
import { type ConsoleDeps, consoleApi } from './api.js';
import { CONSOLE_PAGE } from './page.js';

export function consoleRoutes(deps: ConsoleDeps): Route {
  const api = consoleApi(deps);
  return (req) => {
    if (req.path.length === 0 || (req.path.length === 1 && req.path[0] === 'index.html')) {
      return req.method === 'GET' ? { status: 200, body: CONSOLE_PAGE, contentType: 'text/html; charset=utf-8' } : { status: 405, body: { error: `${req.method} is not served here` } };
    }
    return api(req);
  };
}
