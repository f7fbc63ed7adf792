import { defineApi } from '../api.js';
import type { Services } from '../services.js';

export default defineApi(12, (services: Services<'groups'>, req) => ({
  throttleTimeMs: 0,
  errorCode: services.groups.heartbeat(req.groupId, req.generationId, req.memberId, req.groupInstanceId),
}));
