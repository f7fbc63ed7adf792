import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';

export default defineApi(12, (services: Services<'groups' | 'authorizer'>, req, ctx) => ({
  throttleTimeMs: 0,
  errorCode: services.authorizer.access(ctx.connection).group(AclOperation.READ, req.groupId)
    ? services.groups.heartbeat(req.groupId, req.generationId, req.memberId, req.groupInstanceId)
    : ErrorCode.GROUP_AUTHORIZATION_FAILED,
}));
