import { ErrorCode } from '../../protocol/errors.js';
import { leaveGroupRequest, leaveGroupResponse, type LeaveGroupRequest, type LeaveGroupResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';

/** v0-2 name one member and carry its error at the top; v3+ (KIP-345) batch members with one error each. */
export default defineApi<LeaveGroupRequest, LeaveGroupResponse>({ request: leaveGroupRequest, response: leaveGroupResponse }, (broker, req, ctx) => {
  if (ctx.version < 3) {
    const [code] = broker.groups.leave(req.groupId, [{ memberId: req.memberId, groupInstanceId: null }]);
    return { throttleTimeMs: 0, errorCode: code! };
  }
  const notHere = broker.groups.coordinatorError(req.groupId);
  if (notHere !== null) return { throttleTimeMs: 0, errorCode: notHere, members: [] };
  const codes = broker.groups.leave(req.groupId, req.members);
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    members: req.members.map((m, i) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: codes[i]! })),
  };
});
