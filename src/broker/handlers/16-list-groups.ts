import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import type { Services } from '../services.js';

/** Filters (KIP-518 states, KIP-848 types) match case-insensitively, as Kafka's do. */
export default defineApi(16, (services: Services<'groups'>, req) => {
  const states = new Set(req.statesFilter.map((s) => s.toLowerCase()));
  const types = new Set(req.typesFilter.map((s) => s.toLowerCase()));
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    groups: [...services.groups.groups.values()]
      .filter((g) => (states.size === 0 || states.has(g.state.toLowerCase())) && (types.size === 0 || types.has('classic')))
      .map((g) => ({ groupId: g.groupId, protocolType: g.protocolType ?? '', groupState: g.state, groupType: 'classic' })),
  };
});
