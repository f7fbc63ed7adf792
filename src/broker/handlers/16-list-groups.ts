import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';

/** Filters (KIP-518 states, KIP-848 types) match case-insensitively, as Kafka's do. */
export default defineApi(16, (services: Services<'groups' | 'authorizer'>, req, ctx) => {
  // DESCRIBE on the cluster lists every group; without it, those the client may describe.
  const access = services.authorizer.access(ctx.connection);
  const all = access.cluster(AclOperation.DESCRIBE);
  const states = new Set(req.statesFilter.map((s) => s.toLowerCase()));
  const types = new Set(req.typesFilter.map((s) => s.toLowerCase()));
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    groups: [...services.groups.groups.values()]
      .filter((g) => all || access.group(AclOperation.DESCRIBE, g.groupId))
      // A KIP-848 group lists with its own state and type, and 'consumer' as its protocol type, as in Kafka.
      .map((g) => ({ groupId: g.groupId, protocolType: g.consumer ? 'consumer' : g.protocolType ?? '', groupState: g.listedState, groupType: g.consumer ? 'consumer' : 'classic' }))
      .filter((g) => (states.size === 0 || states.has(g.groupState.toLowerCase())) && (types.size === 0 || types.has(g.groupType))),
  };
});
