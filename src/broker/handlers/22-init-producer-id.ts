import { ErrorCode } from '../../protocol/errors.js';
import { initProducerIdRequest, initProducerIdResponse, type InitProducerIdRequest, type InitProducerIdResponse } from '../../protocol/messages/index.js';
import { defineApi } from '../api.js';

const MAX_EPOCH = 32767;

/**
 * Idempotent producers get a fresh id, or (KIP-360, v3+) the same id with the epoch
 * bumped when they name the one they had. Transactions are not served by this broker.
 */
export default defineApi<InitProducerIdRequest, InitProducerIdResponse>({ request: initProducerIdRequest, response: initProducerIdResponse }, async (broker, req) => {
  if (req.transactionalId !== null) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.COORDINATOR_NOT_AVAILABLE, producerId: -1, producerEpoch: -1 };
  }
  if (req.producerId >= 0 && req.producerEpoch >= 0 && req.producerEpoch < MAX_EPOCH - 1) {
    return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: req.producerId, producerEpoch: req.producerEpoch + 1 };
  }
  return { throttleTimeMs: 0, errorCode: ErrorCode.NONE, producerId: await broker.producerIds.allocate(), producerEpoch: 0 };
});
