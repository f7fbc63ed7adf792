// GET /metrics: the Prometheus text exposition, on every broker with an HTTP listener.
import type { Route } from '../http/control-plane.js';
import type { BrokerMetrics } from './metrics.js';

export function metricsRoute(metrics: BrokerMetrics): Route {
  return async (req) => {
    if (req.path.length !== 1 || req.path[0] !== 'metrics') return null;
    if (req.method !== 'GET') return { status: 405, body: { error: `${req.method} is not served here` } };
    return { status: 200, body: await metrics.text(), contentType: metrics.contentType };
  };
}
