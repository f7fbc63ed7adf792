import { ErrorCode } from '../../protocol/errors.js';
import { CLOSE_CONNECTION, defineApi, notAuthorized } from '../api.js';
import type { AclBinding } from '../security/acl.js';
import { aclChangeRefusal, changeAcls, createAcls } from '../security/acl-admin.js';
import type { Services } from '../services.js';

/** Adds ACL bindings to the cluster metadata, each checked alone; needs ALTER on the cluster. */
export default defineApi(30, async (services: Services<'metadata' | 'authorizer' | 'logger'>, req, ctx) => {
  const creations = req.creations.map((c): AclBinding => ({
    resourceType: c.resourceType, resourceName: c.resourceName, patternType: c.resourcePatternType,
    principal: c.principal, host: c.host, operation: c.operation, permissionType: c.permissionType,
  }));
  const refused = aclChangeRefusal(creations, services.authorizer.access(ctx.connection), services.authorizer.enabled, () => notAuthorized(ctx.connection));
  if (refused === 'unparseable') return CLOSE_CONNECTION;
  if (refused) return { throttleTimeMs: 0, results: creations.map(() => refused) };
  const { results } = await changeAcls(services.metadata, (current) => createAcls(current, creations));
  const created = results.filter((r) => r.errorCode === ErrorCode.NONE).length;
  if (created > 0) services.logger.info(`ACLs created: ${created} of ${creations.length}`);
  return { throttleTimeMs: 0, results };
});
