import { defineApi } from '../api.js';
import { alterCredentials } from '../security/scram-credentials.js';
import type { Services } from '../services.js';

/**
 * Sets and removes users' SCRAM credentials in the cluster metadata (Kafka's
 * ScramControlManager): the client sends a salt and salted password, the broker keeps only
 * the keys a SCRAM server checks against.
 */
export default defineApi(51, async (services: Services<'metadata' | 'logger'>, req) => {
  const { results, changes } = alterCredentials(services.metadata.scramCredentials, req.deletions, req.upsertions);
  for (const [user, credentials] of changes) await services.metadata.setNamedConfigs('scram-credentials', user, credentials);
  if (changes.size > 0) services.logger.info(`SCRAM credentials altered for ${[...changes.keys()].join(', ')}`);
  return { throttleTimeMs: 0, results };
});
