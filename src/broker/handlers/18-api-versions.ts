import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import type { Services } from '../services.js';

/** The APIs and versions served; from v3, the feature levels supported and finalized (KIP-584). */
export default defineApi(18, (services: Services<'apiVersions' | 'features'>, _req, ctx) => ({
  errorCode: ErrorCode.NONE,
  apiKeys: services.apiVersions,
  throttleTimeMs: 0,
  ...(ctx.version >= 3 ? services.features.apiVersionsFields() : {}),
}));
