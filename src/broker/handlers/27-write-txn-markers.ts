import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';

/** Markers from a transaction coordinator (another broker's, or this one's): written by each partition's leader here. */
export default defineApi(27, async (services: Services<'txnMarkers' | 'authorizer'>, req, ctx) => {
  // Brokers' requests: CLUSTER_ACTION, or every partition is refused.
  const allowed = services.authorizer.access(ctx.connection).cluster(AclOperation.CLUSTER_ACTION);
  return { markers: await Promise.all(req.markers.map(async (m) => ({
    producerId: m.producerId,
    topics: !allowed
      ? m.topics.map((t) => ({ name: t.name, partitions: t.partitionIndexes.map((partitionIndex) => ({ partitionIndex, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED })) }))
      : await services.txnMarkers.write({ producerId: m.producerId, producerEpoch: m.producerEpoch, commit: m.transactionResult, coordinatorEpoch: m.coordinatorEpoch, topics: m.topics }),
  }))) };
});
