import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';

export default defineApi(14, async (services: Services<'groups' | 'authorizer'>, req, ctx) => {
  if (!services.authorizer.access(ctx.connection).group(AclOperation.READ, req.groupId)) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, protocolType: null, protocolName: null, assignment: Buffer.alloc(0) };
  }
  const r = await services.groups.sync(req);
  return { throttleTimeMs: 0, ...r };
});
