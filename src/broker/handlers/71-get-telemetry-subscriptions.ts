import { defineApi, type RequestContext } from '../api.js';
import type { Services } from '../services.js';
import type { TelemetryClient } from '../telemetry/client-telemetry.js';

/** The attributes of the asking client a client metrics subscription's `match` may name (Kafka's ClientMetricsInstanceMetadata). */
export function telemetryClient(ctx: RequestContext): Omit<TelemetryClient, 'client_instance_id'> {
  const address = ctx.connection.remoteAddress;
  const at = address.lastIndexOf(':');
  const host = at > 0 ? address.slice(0, at) : address;
  return {
    client_id: ctx.header.clientId ?? '',
    client_software_name: ctx.connection.clientSoftware?.name ?? '',
    client_software_version: ctx.connection.clientSoftware?.version ?? '',
    client_source_address: host.startsWith('::ffff:') ? host.slice(7) : host,
    client_source_port: at > 0 ? address.slice(at + 1) : '',
  };
}

/** KIP-714: a client's telemetry subscription (client-telemetry.ts). */
export default defineApi(71, (services: Services<'telemetry'>, req, ctx) =>
  services.telemetry.subscribe(req.clientInstanceId, telemetryClient(ctx), (fn) => ctx.connection.onClose(fn)));
