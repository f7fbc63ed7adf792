import { defineApi, type RequestContext } from '../api.js';
import type { Services } from '../services.js';
import { splitAddress } from '../net/address.js';
import type { TelemetryClient } from '../telemetry/client-telemetry.js';

/** The attributes of the asking client a client metrics subscription's `match` may name (Kafka's ClientMetricsInstanceMetadata). */
export function telemetryClient(ctx: RequestContext): Omit<TelemetryClient, 'client_instance_id'> {
  const { ip, port } = splitAddress(ctx.connection.remoteAddress);
  return {
    client_id: ctx.header.clientId ?? '',
    client_software_name: ctx.connection.clientSoftware?.name ?? '',
    client_software_version: ctx.connection.clientSoftware?.version ?? '',
    client_source_address: ip,
    client_source_port: port,
  };
}

/** KIP-714: a client's telemetry subscription (client-telemetry.ts). */
export default defineApi(71, (services: Services<'telemetry'>, req, ctx) =>
  services.telemetry.subscribe(req.clientInstanceId, telemetryClient(ctx), (fn) => ctx.connection.onClose(fn)));
