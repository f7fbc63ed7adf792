import { lookup } from 'node:dns/promises';
import { ERROR_MESSAGES, ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import { applyAlterations, type CheckedAlteration, checkAlterations } from '../quotas/quota-entities.js';
import type { Services } from '../services.js';

/** Kafka's isValidIpEntity: InetAddress.getByName, an address or a host that resolves. */
const resolves = (host: string): Promise<boolean> => lookup(host).then(() => true, () => false);

/**
 * Sets and removes client quotas in the cluster's metadata, every valid entry in one write
 * (Kafka's atomic controller result); an invalid entry answers INVALID_REQUEST and changes
 * nothing of its entity.
 */
export default defineApi(49, async (services: Services<'metadata' | 'logger' | 'authorizer'>, req, ctx) => {
  // ALTER_CONFIGS on the cluster, or every entry is refused.
  if (!services.authorizer.access(ctx.connection).cluster(AclOperation.ALTER_CONFIGS)) {
    return { throttleTimeMs: 0, entries: req.entries.map((e) => ({ errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, errorMessage: ERROR_MESSAGES[ErrorCode.CLUSTER_AUTHORIZATION_FAILED]!, entity: e.entity })) };
  }
  const checked = await checkAlterations(req.entries, resolves);
  const valid: CheckedAlteration[] = [];
  for (const { result } of checked) if ('ok' in result) valid.push(result.ok);
  if (!req.validateOnly && valid.length > 0) {
    await services.metadata.updateClientQuotas((current) => applyAlterations(current, valid));
    services.logger.info(`client quotas altered for ${valid.length} entit${valid.length === 1 ? 'y' : 'ies'}`);
  }
  return {
    throttleTimeMs: 0,
    entries: checked.map(({ parts, result }) => ({
      errorCode: 'error' in result ? ErrorCode.INVALID_REQUEST : ErrorCode.NONE,
      errorMessage: 'error' in result ? result.error : null,
      entity: parts,
    })),
  };
});
