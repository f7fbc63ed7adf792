import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';

/** v0-2 name one member and carry its error at the top; v3+ (KIP-345) batch members with one error each. */
export default defineApi(13, (services: Services<'groups' | 'authorizer'>, req, ctx) => {
  if (!services.authorizer.access(ctx.connection).group(AclOperation.READ, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, members: [] };
  if (ctx.version < 3) {
    const [code] = services.groups.leave(req.groupId, [{ memberId: req.memberId, groupInstanceId: null }]);
    return { throttleTimeMs: 0, errorCode: code! };
  }
  const notHere = services.groups.manager.coordinatorError(req.groupId);
  if (notHere !== null) return { throttleTimeMs: 0, errorCode: notHere, members: [] };
  const codes = services.groups.leave(req.groupId, req.members);
  return {
    throttleTimeMs: 0,
    errorCode: ErrorCode.NONE,
    members: req.members.map((m, i) => ({ memberId: m.memberId, groupInstanceId: m.groupInstanceId, errorCode: codes[i]! })),
  };
});
