import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import type { Services } from '../services.js';

export default defineApi(18, (services: Services<'apiVersions'>) => ({
  errorCode: ErrorCode.NONE,
  apiKeys: services.apiVersions,
  throttleTimeMs: 0,
}));
