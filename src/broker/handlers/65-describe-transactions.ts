import { ErrorCode } from '../../protocol/errors.js';
import { defineApi } from '../api.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';
import { TXN_STATE_NAMES } from '../txn/records.js';

/** The state of each transactional id this broker coordinates. */
export default defineApi(65, (services: Services<'txns' | 'authorizer'>, req, ctx) => ({
  throttleTimeMs: 0,
  transactionStates: req.transactionalIds.map((transactionalId) => {
    const allowed = services.authorizer.access(ctx.connection).transactionalId(AclOperation.DESCRIBE, transactionalId);
    const { errorCode, txn } = allowed ? services.txns.describe(transactionalId) : { errorCode: ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED, txn: null };
    return {
      errorCode,
      transactionalId,
      transactionState: txn ? TXN_STATE_NAMES[txn.state] : '',
      transactionTimeoutMs: txn?.timeoutMs ?? 0,
      transactionStartTimeMs: txn?.startMs ?? -1,
      producerId: txn?.producerId ?? -1,
      producerEpoch: txn?.producerEpoch ?? -1,
      topics: txn ? [...txn.partitions].map(([topic, ps]) => ({ topic, partitions: [...ps].sort((a, b) => a - b) })) : [],
    };
  }),
}));
