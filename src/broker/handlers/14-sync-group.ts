import { syncGroupRequest, syncGroupResponse, type SyncGroupRequest, type SyncGroupResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';

export default defineApi<SyncGroupRequest, SyncGroupResponse>({ request: syncGroupRequest, response: syncGroupResponse }, async (broker, req) => {
  const r = await broker.groups.sync(req);
  return { throttleTimeMs: 0, ...r };
});
