import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation, ResourceType } from '../security/acl.js';
import type { Services } from '../services.js';
import { consumerProtocolEnabled } from './68-consumer-group-heartbeat.js';

/** KIP-848 groups described: epochs, assignor, and each member's assignment and target. */
export default defineApi(69, (services: Services<'groups' | 'config' | 'features' | 'authorizer'>, req, ctx) => {
  const enabled = consumerProtocolEnabled(services);
  const access = services.authorizer.access(ctx.connection);
  return {
    throttleTimeMs: 0,
    groups: req.groupIds.map((id) => {
      const described = services.groups.consumer.describe(id, req.includeAuthorizedOperations ? access.operations(ResourceType.GROUP, id) : -2147483648);
      const blank = { groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [] };
      if (!enabled) return { ...described, ...blank, errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: null };
      if (!access.group(AclOperation.DESCRIBE, id)) return { ...described, ...blank, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED, errorMessage: null, authorizedOperations: -2147483648 };
      return described;
    }),
  };
});
