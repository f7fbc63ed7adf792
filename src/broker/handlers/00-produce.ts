import { ErrorCode, errorName } from '../../protocol/errors.js';
import type { ProduceResponse } from '../../protocol/messages/index.js';
import { Attr, LOG_OVERHEAD, Off, readBatchHeader } from '../../protocol/records/batch.js';
import { CLOSE_CONNECTION, defineApi, type HandlerResult, NO_RESPONSE } from '../api.js';
import type { Partition } from '../partition.js';
import { convertLegacy, validateBatches, type Validated, withRecordChecks } from '../produce-validation.js';
import { AclOperation } from '../security/acl.js';
import type { Services } from '../services.js';
import type { TxnOperation } from '../txn/verify.js';

type PartitionOut = NonNullable<NonNullable<ProduceResponse['responses']>[number]['partitionResponses']>[number];

function failed(index: number, errorCode: number, errorMessage: string | null = null): PartitionOut {
  return { index, errorCode, baseOffset: -1, logAppendTimeMs: -1, logStartOffset: -1, recordErrors: [], errorMessage };
}

/** Coordinator errors a produce answer cannot carry: the client retries, as Kafka maps them. */
const RETRIABLE = new Set<number>([ErrorCode.NOT_COORDINATOR, ErrorCode.COORDINATOR_NOT_AVAILABLE, ErrorCode.COORDINATOR_LOAD_IN_PROGRESS, ErrorCode.CONCURRENT_TRANSACTIONS]);

/** A failed transaction verification, as Kafka's ReplicaManager words it to a producer. */
function unverified(index: number, code: number): PartitionOut {
  if (code === ErrorCode.INVALID_TXN_STATE) return failed(index, code, 'Partition was not added to the transaction');
  if (RETRIABLE.has(code)) return failed(index, ErrorCode.NOT_ENOUGH_REPLICAS, `Unable to verify the partition has been added to the transaction. Underlying error: ${errorName(code)}`);
  return failed(index, code);
}

type Metrics = Services<'metrics'>['metrics'];

/** Appends as leader; with acks=all the slot is completed once the ISR has the records. */
function appendTo(p: Partition, v: Validated, acks: number, timeoutMs: number, pending: Array<Promise<void>>, metrics: Metrics): PartitionOut {
  const index = p.index;
  if (!('batches' in v)) {
    // Records a check refused (KIP-467): each bad one named, and the log start offset as Kafka gives it.
    if (v.recordErrors) return { ...failed(index, v.errorCode, v.errorMessage), logStartOffset: p.log.logStartOffset, recordErrors: v.recordErrors };
    return failed(index, v.errorCode, v.errorMessage);
  }
  if (!p.isLeader) return failed(index, ErrorCode.NOT_LEADER_OR_FOLLOWER);
  const batches = v.batches;
  const result = p.appendAsLeader(batches);
  if (result.error !== ErrorCode.NONE || !('baseOffset' in result)) return failed(index, result.error);
  let bytes = 0;
  for (const b of batches) bytes += b.length;
  metrics.produced(p.topic.name, result.lastOffset - result.baseOffset + 1, bytes);
  const out: PartitionOut = { index, errorCode: ErrorCode.NONE, baseOffset: result.baseOffset, logAppendTimeMs: result.logAppendTime, logStartOffset: p.log.logStartOffset, recordErrors: [], errorMessage: null };
  if (acks === -1 && p.highWatermark <= result.lastOffset) {
    pending.push(p.waitForReplication(result.lastOffset + 1, timeoutMs).then((code) => {
      if (code !== ErrorCode.NONE) Object.assign(out, failed(index, code));
    }));
  }
  return out;
}

/** Whether any v2 batch in the records is transactional (Kafka's RequestUtils.hasTransactionalRecords). */
function hasTransactionalBatch(records: Buffer): boolean {
  for (let at = 0; at + Off.attributes + 2 <= records.length;) {
    if (records[at + Off.magic] !== 2) return false;
    if ((records.readInt16BE(at + Off.attributes) & Attr.transactional) !== 0) return true;
    at += records.readInt32BE(at + Off.batchLength) + LOG_OVERHEAD;
  }
  return false;
}

export default defineApi(0, (services: Services<'replicas' | 'txnVerifier' | 'metrics' | 'metadata' | 'authorizer'>, req, ctx) => {
  const access = services.authorizer.access(ctx.connection);
  // As Kafka's authorization of the transactional id: transactional batches need one the
  // client may WRITE, and without it the whole request is refused before any partition is
  // looked at, so this walk of the batch headers cannot wait for each partition's validation below.
  if ((req.transactionalId === null || !access.transactionalId(AclOperation.WRITE, req.transactionalId)) && req.topicData.some((t) => t.partitionData.some((pd) => Buffer.isBuffer(pd.records) && hasTransactionalBatch(pd.records)))) {
    ctx.releaseFrame();
    const responses = req.topicData.map((t) => ({ name: t.name, topicId: t.topicId, partitionResponses: t.partitionData.map((pd) => failed(pd.index, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED)) }));
    return req.acks === 0 ? CLOSE_CONNECTION : { responses, throttleTimeMs: 0 };
  }
  const validAcks = req.acks === 0 || req.acks === 1 || req.acks === -1;
  // KIP-890: v11 clients know TRANSACTION_ABORTABLE; v12 ones leave adding partitions to the broker.
  const txnOp: TxnOperation = ctx.version >= 12 ? 'add' : ctx.version >= 11 ? 'abortable' : 'default';
  /** acks=all waits for the ISR. */
  const pending: Array<Promise<void>> = [];
  /** Legacy message sets being converted, records being checked, transactions' first batches being verified; appended when done. */
  const deferred: Array<Promise<void>> = [];
  /** Transactions' first batches here, by producer: verified together once every slot is known. */
  const unverifiedBatches = new Map<string, Array<{ topic: string; p: Partition; v: Validated | Promise<Validated>; out: PartitionOut }>>();
  const responses = req.topicData.map((t) => {
    // v13 names topics by id (KIP-516); an id no topic has is UNKNOWN_TOPIC_ID, as in Kafka.
    const name = ctx.version >= 13 ? services.metadata.topicsById.get(t.topicId)?.name : t.name;
    const partitionResponses = t.partitionData.map((pd): PartitionOut => {
      if (!validAcks) return failed(pd.index, ErrorCode.INVALID_REQUIRED_ACKS);
      if (name === undefined) return failed(pd.index, ErrorCode.UNKNOWN_TOPIC_ID);
      if (!access.topic(AclOperation.WRITE, name)) return failed(pd.index, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
      const p = services.replicas.leaderPartition(name, pd.index);
      if (typeof p === 'number') return failed(pd.index, p);
      if (p.topic.internal) return failed(pd.index, ErrorCode.INVALID_TOPIC_EXCEPTION, `Cannot append to internal topic ${name}`);
      if (req.acks === -1) {
        const isr = p.state.isr.length;
        const minIsr = p.settings.minInsyncReplicas;
        if (isr < minIsr) return failed(pd.index, ErrorCode.NOT_ENOUGH_REPLICAS, `The size of the current ISR ${isr} is insufficient to satisfy the min.isr requirement of ${minIsr}`);
      }
      const records = Buffer.isBuffer(pd.records) ? pd.records : Buffer.alloc(0);
      const maxBytes = p.settings.maxMessageBytes;
      const v = validateBatches(records, maxBytes);
      const head = v && 'batches' in v ? v.batches[0]! : null;
      const first = head && req.transactionalId !== null && (head.readInt16BE(Off.attributes) & Attr.transactional) !== 0 ? readBatchHeader(head) : null;
      // Converting a legacy message set, and checking records where the topic's configs ask, are asynchronous.
      const check = (c: Validated) => withRecordChecks(c, p.settings, p.now, `${name}-${pd.index}`);
      const checked = v ? check(v) : convertLegacy(records, maxBytes).then(check);
      if (first && req.transactionalId !== null && !p.log.producers.hasOpenTxn(first.producerId, first.producerEpoch)) {
        // The first batch of the producer's transaction here: verified with its coordinator first (KIP-890).
        const out = failed(pd.index, ErrorCode.UNKNOWN_SERVER_ERROR);
        const key = `${first.producerId}:${first.producerEpoch}`;
        unverifiedBatches.set(key, [...(unverifiedBatches.get(key) ?? []), { topic: name, p, v: checked, out }]);
        return out;
      }
      if (!(checked instanceof Promise)) return appendTo(p, checked, req.acks, req.timeoutMs, pending, services.metrics);
      // Fill the slot in once the records are ready.
      const out = failed(pd.index, ErrorCode.UNKNOWN_SERVER_ERROR);
      deferred.push(checked.then((c) => {
        Object.assign(out, appendTo(p, c, req.acks, req.timeoutMs, pending, services.metrics));
      }));
      return out;
    });
    return { name: name ?? '', topicId: t.topicId, partitionResponses };
  });
  for (const [key, slots] of unverifiedBatches) {
    const [producerId, producerEpoch] = key.split(':').map(Number) as [number, number];
    const producer = { transactionalId: req.transactionalId!, producerId, producerEpoch };
    const verified = services.txnVerifier.verify(producer, slots.map((s) => [s.topic, s.p.index]), txnOp);
    deferred.push(Promise.all([verified, Promise.all(slots.map((s) => s.v))]).then(([codes, checked]) => {
      slots.forEach((s, i) => Object.assign(s.out, codes[i] === ErrorCode.NONE ? appendTo(s.p, checked[i]!, req.acks, req.timeoutMs, pending, services.metrics) : unverified(s.p.index, codes[i]!)));
    }));
  }
  const response: ProduceResponse = { responses, throttleTimeMs: 0 };
  const withLeaderHints = (): ProduceResponse => {
    if (ctx.version < 10) return response;
    const endpoints = services.replicas.addLeaderHints((function* () {
      for (const t of responses) for (const p of t.partitionResponses) yield { topic: t.name, partition: p.index ?? -1, out: p };
    })(), ctx.connection.listener);
    if (endpoints.length > 0) response.nodeEndpoints = endpoints;
    return response;
  };
  // With acks=0 there is no response; as in Kafka, an error closes the connection instead.
  const answer = (): HandlerResult<ProduceResponse> => {
    if (req.acks !== 0) return withLeaderHints();
    const failed = responses.some((t) => t.partitionResponses.some((p) => p.errorCode !== ErrorCode.NONE));
    return failed ? CLOSE_CONNECTION : NO_RESPONSE;
  };
  // The batches are in the log (copied, or held there as views of the frame: blocks.ts)
  // unless a legacy message set is still converting, records being checked or a transaction's first batch being verified.
  if (deferred.length === 0) {
    ctx.releaseFrame();
    if (pending.length === 0) return answer();
  }
  return Promise.all(deferred).then(() => {
    ctx.releaseFrame();
    return Promise.all(pending);
  }).then(answer);
});
