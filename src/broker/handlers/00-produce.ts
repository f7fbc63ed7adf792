import { ErrorCode } from '../../protocol/errors.js';
import { produceRequest, produceResponse, type ProduceRequest, type ProduceResponse } from '../../protocol/messages/index.js';
import { CLOSE_CONNECTION, defineApi, type HandlerResult, NO_RESPONSE } from '../api.js';
import type { Broker } from '../broker.js';
import { convertLegacy, validateBatches, type Validated } from '../produce-validation.js';

type PartitionOut = NonNullable<NonNullable<ProduceResponse['responses']>[number]['partitionResponses']>[number];

function failed(index: number, errorCode: number, errorMessage: string | null = null): PartitionOut {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage };
}

function appendTo(broker: Broker, topicName: string, index: number, v: Validated): PartitionOut {
  if (v.errorCode !== ErrorCode.NONE) return failed(index, v.errorCode, 'errorMessage' in v ? v.errorMessage : null);
  const p = broker.partition(topicName, index)!;
  const now = Date.now();
  const result = p.log.append((v as { batches: Buffer[] }).batches, {
    leaderEpoch: p.leaderEpoch,
    now,
    logAppendTime: broker.topicConfig(p.topic, 'message.timestamp.type').value === 'LogAppendTime',
  });
  if (result.error !== ErrorCode.NONE || !('baseOffset' in result)) return failed(index, result.error);
  p.notifyAppend();
  return { index, errorCode: ErrorCode.NONE, baseOffset: result.baseOffset, logAppendTimeMs: result.logAppendTime, logStartOffset: p.log.logStartOffset, recordErrors: [], errorMessage: null };
}

export default defineApi<ProduceRequest, ProduceResponse>({ request: produceRequest, response: produceResponse }, (broker, req) => {
  const validAcks = req.acks === 0 || req.acks === 1 || req.acks === -1;
  const pending: Array<Promise<void>> = [];
  const responses = req.topicData.map((t) => {
    const topic = broker.metadata.topics.get(t.name);
    const partitionResponses = t.partitionData.map((pd): PartitionOut => {
      if (!validAcks) return failed(pd.index, ErrorCode.INVALID_REQUIRED_ACKS);
      if (!topic || !broker.partition(t.name, pd.index)) return failed(pd.index, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION);
      if (topic.internal) return failed(pd.index, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${t.name}`);
      if (req.acks === -1) {
        const isr = broker.partition(t.name, pd.index)!.state.isr.length;
        const minIsr = broker.topicConfigNumber(topic, 'min.insync.replicas');
        if (isr < minIsr) return failed(pd.index, ErrorCode.NOT_ENOUGH_REPLICAS, `The size of the current ISR ${isr} is insufficient to satisfy the min.isr requirement of ${minIsr}`);
      }
      const records = Buffer.isBuffer(pd.records) ? pd.records : Buffer.alloc(0);
      const maxBytes = broker.topicConfigNumber(topic, 'max.message.bytes');
      const v = validateBatches(records, maxBytes);
      if (v) return appendTo(broker, t.name, pd.index, v);
      // A legacy message set: converting it is asynchronous, so fill the slot in later.
      const out = failed(pd.index, ErrorCode.UNKNOWN_SERVER_ERROR);
      pending.push(convertLegacy(records, maxBytes).then((c) => {
        Object.assign(out, appendTo(broker, t.name, pd.index, c));
      }));
      return out;
    });
    return { name: t.name, partitionResponses };
  });
  const response: ProduceResponse = { responses, throttleTimeMs: 0 };
  // With acks=0 there is no response; as in Kafka, an error closes the connection instead.
  const answer = (): HandlerResult<ProduceResponse> => {
    if (req.acks !== 0) return response;
    const failed = responses.some((t) => t.partitionResponses.some((p) => p.errorCode !== ErrorCode.NONE));
    return failed ? CLOSE_CONNECTION : NO_RESPONSE;
  };
  if (pending.length === 0) return answer();
  return Promise.all(pending).then(answer);
});
