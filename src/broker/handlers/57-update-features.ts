import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import { UpgradeType } from '../features.js';
import type { Services } from '../services.js';

/**
 * Changes the cluster's finalized feature levels (kafka-features.sh upgrade/downgrade).
 * v0's AllowDowngrade is a safe downgrade. Refused as a whole with the first update's
 * error, at the top level; on success v0-1 list each feature with Kafka's "NONE".
 */
export default defineApi(57, async (services: Services<'features' | 'logger'>, req, ctx) => {
  const updates = req.featureUpdates.map((u) => ({
    feature: u.feature,
    level: u.maxVersionLevel,
    upgradeType: ctx.version === 0 ? (u.allowDowngrade ? UpgradeType.SAFE_DOWNGRADE : UpgradeType.UPGRADE) : u.upgradeType,
  }));
  const r = await services.features.update(updates, req.validateOnly);
  if (r.errorCode === ErrorCode.NONE && !req.validateOnly && updates.length > 0) {
    services.logger.info(`finalized features updated: ${updates.map((u) => `${u.feature}=${u.level}`).join(', ')}`);
  }
  const ok = r.errorCode === ErrorCode.NONE;
  return {
    throttleTimeMs: 0,
    ...r,
    results: ok && ctx.version < 2 ? updates.map((u) => ({ feature: u.feature, errorCode: ErrorCode.NONE, errorMessage: 'NONE' })) : [],
  };
}, { clusterOperation: AclOperation.ALTER, authorizeClusterOperation: true });
