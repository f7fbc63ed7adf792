import { ErrorCode } from '../../protocol/errors.js';
import { CLOSE_CONNECTION, defineApi, notAuthorized } from '../api.js';
import type { AclFilter } from '../security/acl.js';
import { aclChangeRefusal, changeAcls, deleteAcls } from '../security/acl-admin.js';
import type { Services } from '../services.js';

/** Removes the ACL bindings each filter matches and lists them; needs ALTER on the cluster. */
export default defineApi(31, async (services: Services<'metadata' | 'authorizer' | 'logger'>, req, ctx) => {
  const filters = req.filters.map((f): AclFilter => ({
    resourceType: f.resourceTypeFilter, resourceName: f.resourceNameFilter, patternType: f.patternTypeFilter,
    principal: f.principalFilter, host: f.hostFilter, operation: f.operation, permissionType: f.permissionType,
  }));
  const refused = aclChangeRefusal(filters, services.authorizer.access(ctx.connection), services.authorizer.enabled, () => notAuthorized(ctx.connection));
  if (refused === 'unparseable') return CLOSE_CONNECTION;
  if (refused) return { throttleTimeMs: 0, filterResults: filters.map(() => ({ ...refused, matchingAcls: [] })) };
  const { matches } = await changeAcls(services.metadata, (current) => deleteAcls(current, filters));
  const deleted = new Set(matches.flat()).size;
  if (deleted > 0) services.logger.info(`ACLs deleted: ${deleted}`);
  return {
    throttleTimeMs: 0,
    filterResults: matches.map((acls) => ({
      errorCode: ErrorCode.NONE, errorMessage: null,
      matchingAcls: acls.map((b) => ({ errorCode: ErrorCode.NONE, errorMessage: null, ...b })),
    })),
  };
});
