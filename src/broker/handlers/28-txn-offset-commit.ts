import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';
import { OFFSETS_TOPIC } from '../topic-admin.js';
import type { TxnOperation } from '../txn/verify.js';

/** Coordinator errors Kafka's group coordinator answers as a failed write (its normalizeException). */
const UNAVAILABLE = new Set<number>([ErrorCode.NOT_ENOUGH_REPLICAS, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION, ErrorCode.REQUEST_TIMED_OUT]);

/**
 * Offsets committed in the producer's transaction: the group's once the transaction
 * commits. Its offsets partition is first verified to be in the transaction (KIP-890;
 * v4 clients know TRANSACTION_ABORTABLE), or, from v5 (transaction version 2), added to it.
 */
export default defineApi(28, async (services: Services<'groups' | 'replicas' | 'txnVerifier' | 'authorizer'>, req, ctx) => {
  // WRITE on the transactional id, READ on the group, READ on each topic.
  const access = services.authorizer.access(ctx.connection);
  const refusedAll = !access.transactionalId(AclOperation.WRITE, req.transactionalId) ? ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED
    : !access.group(AclOperation.READ, req.groupId) ? ErrorCode.GROUP_AUTHORIZATION_FAILED : null;
  const unreadable = new Set(req.topics.filter((t) => !access.topic(AclOperation.READ, t.name)).map((t) => t.name));
  if (refusedAll !== null || unreadable.size > 0) {
    return { throttleTimeMs: 0, topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: refusedAll ?? (unreadable.has(t.name) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.NONE) })) })) };
  }
  const entries = req.topics.flatMap((t) => t.partitions.map((p) => ({
    topic: t.name, partition: p.partitionIndex, offset: p.committedOffset, leaderEpoch: ctx.version >= 2 ? p.committedLeaderEpoch : -1, metadata: p.committedMetadata,
  })));
  const producer = { transactionalId: req.transactionalId, producerId: req.producerId, producerEpoch: req.producerEpoch };
  const op: TxnOperation = ctx.version >= 5 ? 'add' : ctx.version >= 4 ? 'abortable' : 'default';
  const verify = async (partition: number): Promise<number> => {
    // A transaction already open in the partition was verified when it began there.
    if (services.replicas.partition(OFFSETS_TOPIC, partition)?.log.producers.hasOpenTxn(producer.producerId, producer.producerEpoch)) return ErrorCode.NONE;
    const [code] = await services.txnVerifier.verify(producer, [[OFFSETS_TOPIC, partition]], op);
    return UNAVAILABLE.has(code!) ? ErrorCode.COORDINATOR_NOT_AVAILABLE : code!;
  };
  // v3+ (KIP-447) name the member and generation, checked as a plain commit's are.
  const [generation, member, instance] = ctx.version >= 3 ? [req.generationId, req.memberId, req.groupInstanceId] : [-1, '', null];
  const codes = await services.groups.manager.commitTxnOffsets(req.groupId, producer, generation, member, instance, entries, verify);
  let i = 0;
  return {
    throttleTimeMs: 0,
    topics: req.topics.map((t) => ({ name: t.name, partitions: t.partitions.map((p) => ({ partitionIndex: p.partitionIndex, errorCode: codes[i++]! })) })),
  };
});
