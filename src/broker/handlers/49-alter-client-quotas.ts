import { lookup } from 'node:dns/promises';
import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { applyAlterations, type CheckedAlteration, checkAlterations } from '../quotas/quota-entities.js';
import type { Services } from '../services.js';

/** Kafka's isValidIpEntity: InetAddress.getByName, an address or a host that resolves. */
const resolves = (host: string): Promise<boolean> => lookup(host).then(() => true, () => false);

/**
 * Sets and removes client quotas in the cluster's metadata, every valid entry in one write
 * (Kafka's atomic controller result); an invalid entry answers INVALID_REQUEST and changes
 * nothing of its entity.
 */
export default defineApi(49, async (services: Services<'metadata' | 'logger'>, req) => {
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
