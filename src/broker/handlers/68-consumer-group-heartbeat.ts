import { clientHost } from './11-join-group.js';
import { defineApi } from '../api.js';
import type { Services } from '../services.js';

/** KIP-848: a consumer group member's heartbeat carries its subscription and owned partitions; the answer, its epoch and assignment. */
export default defineApi(68, (services: Services<'groups'>, req, ctx) =>
  services.groups.consumer.heartbeat(req, ctx.version, { clientId: ctx.header.clientId ?? '', clientHost: clientHost(ctx.connection.remoteAddress) }));
