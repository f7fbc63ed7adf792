import { defineApi } from '../api.js';
import type { Services } from '../services.js';

export default defineApi(42, (services: Services<'groups'>, req) => ({
  throttleTimeMs: 0,
  results: req.groupsNames.map((groupId) => ({ groupId, errorCode: services.groups.manager.deleteGroup(groupId) })),
}));
