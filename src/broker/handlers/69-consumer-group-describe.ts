import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import type { Services } from '../services.js';
import { consumerProtocolEnabled } from './68-consumer-group-heartbeat.js';

/** KIP-848 groups described: epochs, assignor, and each member's assignment and target. */
export default defineApi(69, (services: Services<'groups' | 'config' | 'features'>, req) => {
  const enabled = consumerProtocolEnabled(services);
  return {
    throttleTimeMs: 0,
    groups: req.groupIds.map((id) => {
      const described = services.groups.consumer.describe(id, req.includeAuthorizedOperations);
      return enabled ? described : { ...described, errorCode: ErrorCode.UNSUPPORTED_VERSION, errorMessage: null, groupState: '', groupEpoch: 0, assignmentEpoch: 0, assignorName: '', members: [] };
    }),
  };
});
