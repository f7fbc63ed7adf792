import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import { describeCredentials } from '../security/scram-credentials.js';
import type { Services } from '../services.js';

/** Users' SCRAM mechanisms and iteration counts, never their keys (Kafka's ScramImage.describe). */
export default defineApi(50, (services: Services<'metadata'>, req) => ({
  throttleTimeMs: 0,
  errorCode: ErrorCode.NONE,
  errorMessage: null,
  results: describeCredentials(services.metadata.scramCredentials, req.users),
}), { clusterOperation: AclOperation.DESCRIBE });
