import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';
import { OFFSETS_TOPIC } from '../topic-admin.js';

/** The group's __consumer_offsets partition joins the transaction, for TxnOffsetCommit to write to. */
export default defineApi(25, async (services: Services<'txns' | 'groups' | 'topics' | 'authorizer'>, req, ctx) => {
  const access = services.authorizer.access(ctx.connection);
  if (!access.transactionalId(AclOperation.WRITE, req.transactionalId)) return { throttleTimeMs: 0, errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED };
  if (!access.group(AclOperation.READ, req.groupId)) return { throttleTimeMs: 0, errorCode: ErrorCode.GROUP_AUTHORIZATION_FAILED };
  if (!req.groupId) return { throttleTimeMs: 0, errorCode: ErrorCode.INVALID_GROUP_ID };
  await services.topics.ensureOffsetsTopic();
  const fenced = ctx.version >= 2 ? ErrorCode.PRODUCER_FENCED : ErrorCode.INVALID_PRODUCER_EPOCH;
  const partition = services.groups.manager.partitionFor(req.groupId);
  const errorCode = await services.txns.addPartitions(req.transactionalId, req.producerId, req.producerEpoch, [[OFFSETS_TOPIC, partition]], fenced);
  return { throttleTimeMs: 0, errorCode };
});
