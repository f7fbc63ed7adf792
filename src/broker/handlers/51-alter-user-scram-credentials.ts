import { ERROR_MESSAGES, ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import { alterCredentials } from '../security/scram-credentials.js';
import type { Services } from '../services.js';

/**
 * Sets and removes users' SCRAM credentials in the cluster metadata (Kafka's
 * ScramControlManager): the client sends a salt and salted password, the broker keeps only
 * the keys a SCRAM server checks against.
 */
export default defineApi(51, async (services: Services<'metadata' | 'logger' | 'authorizer'>, req, ctx) => {
  // ALTER on the cluster, or each user named (once, in order) is refused.
  if (!services.authorizer.access(ctx.connection).cluster(AclOperation.ALTER)) {
    const users = [...new Set([...req.deletions, ...req.upsertions].map((u) => u.name))].sort();
    return { throttleTimeMs: 0, results: users.map((user) => ({ user, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: ERROR_MESSAGES[ErrorCode.CLUSTER_AUTHORIZATION_FAILED]! })) };
  }
  const { results, changes } = alterCredentials(services.metadata.scramCredentials, req.deletions, req.upsertions);
  for (const [user, credentials] of changes) await services.metadata.setNamedConfigs('scram-credentials', user, credentials);
  if (changes.size > 0) services.logger.info(`SCRAM credentials altered for ${[...changes.keys()].join(', ')}`);
  return { throttleTimeMs: 0, results };
});
