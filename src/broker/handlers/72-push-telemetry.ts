import { defineApi } from '../api.js';
import type { Services } from '../services.js';
import { telemetryClient } from './71-get-telemetry-subscriptions.js';

/** KIP-714: a client's metrics, checked as Kafka checks them and kept for the metrics endpoint. */
export default defineApi(72, (services: Services<'telemetry'>, req, ctx) =>
  services.telemetry.push(req, telemetryClient(ctx), (fn) => ctx.connection.onClose(fn)));
