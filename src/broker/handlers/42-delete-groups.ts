import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';

export default defineApi(42, (services: Services<'groups' | 'authorizer'>, req, ctx) => {
  const access = services.authorizer.access(ctx.connection);
  return {
    throttleTimeMs: 0,
    results: req.groupsNames.map((groupId) => ({
      groupId,
      errorCode: access.group(AclOperation.DELETE, groupId) ? services.groups.manager.deleteGroup(groupId) : ErrorCode.GROUP_AUTHORIZATION_FAILED,
    })),
  };
});
