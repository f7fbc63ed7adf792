import { ErrorCode } from '../../protocol/errors.js';
import { apiVersionsRequest, apiVersionsResponse, type ApiVersionsRequest, type ApiVersionsResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';

export default defineApi<ApiVersionsRequest, ApiVersionsResponse>({ request: apiVersionsRequest, response: apiVersionsResponse }, (broker) => ({
  errorCode: ErrorCode.NONE,
  apiKeys: broker.apiVersionList(),
  throttleTimeMs: 0,
}));
