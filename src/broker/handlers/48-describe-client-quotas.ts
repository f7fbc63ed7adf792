import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import { FilterError, matches, parseFilter } from '../quotas/quota-entities.js';
import type { Services } from '../services.js';

/** The cluster's client quotas that match the filter, entities and keys in a stable order. */
export default defineApi(48, (services: Services<'metadata'>, req) => {
  let filter;
  try {
    filter = parseFilter(req.components, req.strict);
  } catch (e) {
    if (!(e instanceof FilterError)) throw e;
    return { throttleTimeMs: 0, errorCode: ErrorCode[e.code], errorMessage: e.message, entries: null };
  }
  const entries = services.metadata.clientQuotas
    .filter((q) => matches(q.entity, filter))
    .map((q) => ({
      entity: q.entity.map(([entityType, entityName]) => ({ entityType, entityName })),
      values: Object.keys(q.values).sort().map((key) => ({ key, value: q.values[key]! })),
    }));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, errorMessage: null, entries };
}, { clusterOperation: AclOperation.DESCRIBE_CONFIGS });
