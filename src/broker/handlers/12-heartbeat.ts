import { heartbeatRequest, heartbeatResponse, type HeartbeatRequest, type HeartbeatResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';

export default defineApi<HeartbeatRequest, HeartbeatResponse>({ request: heartbeatRequest, response: heartbeatResponse }, (broker, req) => ({
  throttleTimeMs: 0,
  errorCode: broker.groups.heartbeat(req.groupId, req.generationId, req.memberId, req.groupInstanceId),
}));
