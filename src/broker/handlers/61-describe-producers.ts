import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';

/** The producers a partition's leader knows of: epochs, last sequences, open transactions. */
export default defineApi(61, (services: Services<'replicas' | 'authorizer'>, req, ctx) => ({
  throttleTimeMs: 0,
  topics: req.topics.map((t) => ({
    name: t.name,
    partitions: t.partitionIndexes.map((partitionIndex) => {
      if (!services.authorizer.access(ctx.connection).topic(AclOperation.READ, t.name)) return { partitionIndex, errorCode: ErrorCode.TOPIC_AUTHORIZATION_FAILED, errorMessage: null, activeProducers: [] };
      const p = services.replicas.leaderPartition(t.name, partitionIndex);
      if (typeof p === 'number') return { partitionIndex, errorCode: p, errorMessage: null, activeProducers: [] };
      return {
        partitionIndex,
        errorCode: ErrorCode.NONE,
        errorMessage: null,
        activeProducers: p.log.producers.entries().map((e) => ({
          producerId: e.producerId, producerEpoch: e.epoch, lastSequence: e.lastSequence, lastTimestamp: e.timestamp,
          coordinatorEpoch: e.coordinatorEpoch, currentTxnStartOffset: e.currentTxnFirstOffset,
        })),
      };
    }),
  })),
}));
