import { ErrorCode } from '../../protocol/errors.js';
import type { AddPartitionsToTxnRequest, AddPartitionsToTxnResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';

type TopicResult = NonNullable<AddPartitionsToTxnResponse['resultsByTopicV3AndBelow']>[number];
type Topics = AddPartitionsToTxnRequest['v3AndBelowTopics'];

const results = (topics: Topics, code: (topic: string, partition: number) => number): TopicResult[] =>
  topics.map((t) => ({ name: t.name, resultsByPartition: t.partitions.map((partitionIndex) => ({ partitionIndex, partitionErrorCode: code(t.name, partitionIndex) })) }));

/**
 * The partitions join the producer's transaction. As Kafka answers: partitions of unknown
 * topics get UNKNOWN_TOPIC_OR_PARTITION and the rest OPERATION_NOT_ATTEMPTED, before the
 * coordinator is asked; else the coordinator's answer for all of them. v0-3 come from
 * producers; v4+ batch several transactions, and VerifyOnly checks membership (KIP-890).
 */
export default defineApi(24, async (services: Services<'txns' | 'metadata' | 'authorizer'>, req, ctx) => {
  const access = services.authorizer.access(ctx.connection);
  const exists = (topic: string, p: number) => services.metadata.topics.get(topic)?.partitions[p] !== undefined;
  const one = async (transactionalId: string, producerId: number, producerEpoch: number, topics: Topics, verifyOnly: boolean): Promise<TopicResult[]> => {
    // A producer's request takes WRITE on its transactional id and on each topic; refused ones fail, the rest are not attempted.
    if (ctx.version < 4 && !access.transactionalId(AclOperation.WRITE, transactionalId)) return results(topics, () => ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
    const unwritable = new Set(ctx.version < 4 ? topics.filter((t) => !access.topic(AclOperation.WRITE, t.name)).map((t) => t.name) : []);
    if (unwritable.size > 0) return results(topics, (t) => (unwritable.has(t) ? ErrorCode.TOPIC_AUTHORIZATION_FAILED : ErrorCode.OPERATION_NOT_ATTEMPTED));
    const pairs = topics.flatMap((t) => t.partitions.map((p): [string, number] => [t.name, p]));
    if (pairs.some(([t, p]) => !exists(t, p))) return results(topics, (t, p) => (exists(t, p) ? ErrorCode.OPERATION_NOT_ATTEMPTED : ErrorCode.UNKNOWN_TOPIC_OR_PARTITION));
    if (verifyOnly) {
      const codes = services.txns.verifyPartitions(transactionalId, producerId, producerEpoch, pairs);
      let i = 0;
      return results(topics, () => codes[i++]!);
    }
    const fenced = ctx.version >= 2 ? ErrorCode.PRODUCER_FENCED : ErrorCode.INVALID_PRODUCER_EPOCH;
    // A v4+ request that adds comes from a broker serving a transaction version 2 client.
    const code = await services.txns.addPartitions(transactionalId, producerId, producerEpoch, pairs, fenced, ctx.version >= 4);
    return results(topics, () => code);
  };
  if (ctx.version < 4) {
    return { throttleTimeMs: 0, resultsByTopicV3AndBelow: await one(req.v3AndBelowTransactionalId, req.v3AndBelowProducerId, req.v3AndBelowProducerEpoch, req.v3AndBelowTopics, false) };
  }
  // v4+ come from brokers verifying their producers' transactions: CLUSTER_ACTION.
  if (!access.cluster(AclOperation.CLUSTER_ACTION)) return { throttleTimeMs: 0, errorCode: ErrorCode.CLUSTER_AUTHORIZATION_FAILED, resultsByTransaction: [] };
  const resultsByTransaction = await Promise.all(req.transactions.map(async (t) => ({
    transactionalId: t.transactionalId,
    topicResults: await one(t.transactionalId, t.producerId, t.producerEpoch, t.topics, t.verifyOnly),
  })));
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, resultsByTransaction };
});
