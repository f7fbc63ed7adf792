import { ErrorCode } from '../../protocol/errors.js';
import { CLOSE_CONNECTION, defineApi } from '../api.js';
import { AclOperation, knownCodes } from '../security/acl.js';
import { describeAcls } from '../security/acl-admin.js';
import type { Services } from '../services.js';

/** The ACLs a filter matches, by resource pattern; needs DESCRIBE on the cluster. */
export default defineApi(29, (services: Services<'metadata' | 'authorizer'>, req) => {
  const filter = {
    resourceType: req.resourceTypeFilter, resourceName: req.resourceNameFilter, patternType: req.patternTypeFilter,
    principal: req.principalFilter, host: req.hostFilter, operation: req.operation, permissionType: req.permissionType,
  };
  // Kafka cannot parse a filter with an unknown code, and closes the connection.
  if (!knownCodes(filter)) return CLOSE_CONNECTION;
  if (!services.authorizer.enabled) return { throttleTimeMs: 0, errorCode: ErrorCode.SECURITY_DISABLED, errorMessage: 'No Authorizer is configured on the broker', resources: [] };
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, resources: describeAcls(services.metadata.acls, filter) };
}, { clusterOperation: AclOperation.DESCRIBE, authorizeClusterOperation: true });
