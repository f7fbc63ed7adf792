import { defineApi } from '../api.js';
import type { Services } from '../services.js';

/** KIP-848 groups described: epochs, assignor, and each member's assignment and target. */
export default defineApi(69, (services: Services<'groups'>, req) => ({
  throttleTimeMs: 0,
  groups: req.groupIds.map((id) => services.groups.consumer.describe(id, req.includeAuthorizedOperations)),
}));
