// The slots a fault fills, found from the schemas: for every API and version, the error
// response of any request encodes; its slots mirror the request's; a split by topic and
// partition loses no slot; and the fault parser refuses anything but a fault, by name.
import test from 'ava';
import fc from 'fast-check';
import { FaultError, parseFault } from '../../src/broker/testkit/faults.js';
import { errorResponse, mergeResponses, splitRequest } from '../../src/broker/request-slots.js';
import { messageJson, summarizeRecords } from '../../src/broker/testkit/trace.js';
import { apiKeys, apiSchemas } from '../../src/protocol/messages/index.js';
import { Reader, Writer } from '../../src/protocol/primitives.js';
import { decodeMessage, encodeMessage, inRange, type MessageSchema } from '../../src/protocol/schema.js';
import type { ProduceRequest } from '../../src/protocol/messages/index.js';
import { encodeBatch } from '../../src/protocol/records/records.js';
import { structOf } from '../support/arbitrary-message.js';

const NO_ID = '0'.repeat(32);

/** What a broker decodes: an arbitrary message through its own encoder and decoder. */
const decoded = (schema: MessageSchema, v: number) => structOf(schema.fields, v).map((value) => {
  const w = new Writer();
  encodeMessage(schema, v, w, value);
  return decodeMessage(schema, v, new Reader(w.toBuffer())) as Record<string, unknown>;
});

test('every API, every version: the error response of any request encodes and carries the error; both trace as JSON', (t) => {
  let versions = 0;
  for (const k of apiKeys) {
    const request: MessageSchema = apiSchemas[k].request;
    const response: MessageSchema = apiSchemas[k].response;
    for (let v = request.validVersions[0]; v <= request.validVersions[1]; v++) {
      fc.assert(fc.property(decoded(request, v), (req) => {
        const res = errorResponse(request, response, v, req, 6);
        const w = new Writer();
        encodeMessage(response, v, w, res);
        const back = decodeMessage(response, v, new Reader(w.toBuffer()));
        JSON.stringify([messageJson(request, v, req), messageJson(response, v, back)]);
        const hasTop = response.fields.some((f) => f.name === 'errorCode' && inRange(v, f.versions));
        return !hasTop || JSON.stringify(back).includes('"errorCode":6');
      }), { numRuns: 15 });
      versions++;
    }
  }
  t.true(versions > 150);
});

test('Produce: each partition a request names gets the error; a split by topic and partition loses none', (t) => {
  const { request, response } = apiSchemas[0];
  const req: ProduceRequest = { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [
    { name: 'a', topicId: NO_ID, partitionData: [{ index: 0, records: null }, { index: 1, records: null }] },
    { name: 'b', topicId: NO_ID, partitionData: [{ index: 0, records: null }] },
  ] };
  t.deepEqual(errorResponse(request, response, 9, req, 6), { responses: [
    { name: 'a', partitionResponses: [{ index: 0, errorCode: 6 }, { index: 1, errorCode: 6 }] },
    { name: 'b', partitionResponses: [{ index: 0, errorCode: 6 }] },
  ] });
  const { hit, keep } = splitRequest(request, 9, req, { topic: 'a', partition: 1 });
  t.deepEqual(hit?.topicData, [{ name: 'a', topicId: NO_ID, partitionData: [{ index: 1, records: null }] }]);
  t.deepEqual(keep?.topicData, [{ name: 'a', topicId: NO_ID, partitionData: [{ index: 0, records: null }] }, { name: 'b', topicId: NO_ID, partitionData: [{ index: 0, records: null }] }]);
  t.deepEqual(splitRequest(request, 9, req, { topic: 'c' }), { hit: null, keep: req }, 'a topic the request does not name: no hit');
  const handled = { responses: [{ name: 'a', partitionResponses: [{ index: 0, errorCode: 0 }] }, { name: 'b', partitionResponses: [{ index: 0, errorCode: 0 }] }] };
  t.deepEqual(mergeResponses(handled, errorResponse(request, response, 9, hit!, 6)).responses, [
    { name: 'a', partitionResponses: [{ index: 0, errorCode: 0 }, { index: 1, errorCode: 6 }] },
    { name: 'b', partitionResponses: [{ index: 0, errorCode: 0 }] },
  ]);
  fc.assert(fc.property(decoded(request, 9).map((x) => x as unknown as ProduceRequest), fc.constantFrom('a', 'b', ''), fc.option(fc.integer({ min: 0, max: 2 }), { nil: undefined }), (r, topic, partition) => {
    const s = splitRequest(request, 9, r, { topic, partition });
    const count = (x: ProduceRequest | null) => (x?.topicData ?? []).reduce((n, td) => n + td.partitionData.length, 0);
    return count(s.hit) + count(s.keep) === count(r) || (s.hit === null && s.keep === r);
  }), { numRuns: 200 });
});

test('Produce v13 names topics by id: a fault on a topic matches its id and answers under it', (t) => {
  const { request, response } = apiSchemas[0];
  const [a, b] = ['aa'.repeat(16), 'bb'.repeat(16)];
  const req: ProduceRequest = { transactionalId: null, acks: 1, timeoutMs: 1000, topicData: [
    { name: '', topicId: a, partitionData: [{ index: 0, records: null }] },
    { name: '', topicId: b, partitionData: [{ index: 0, records: null }] },
  ] };
  const { hit, keep } = splitRequest(request, 13, req, { topic: 'b', topicId: b });
  t.deepEqual(hit?.topicData.map((x) => x.topicId), [b]);
  t.deepEqual(keep?.topicData.map((x) => x.topicId), [a]);
  t.deepEqual(errorResponse(request, response, 13, hit!, 6), { responses: [{ topicId: b, partitionResponses: [{ index: 0, errorCode: 6 }] }] });
  t.deepEqual(splitRequest(request, 13, req, { topic: 'unknown' }), { hit: null, keep: req }, 'a topic with no id matches nothing');
});

test('ids as arrays of strings or ints map to the response\'s keys: FindCoordinator v4, OffsetFetch, DescribeGroups', (t) => {
  const find = apiSchemas[10];
  t.deepEqual(errorResponse(find.request, find.response, 4, { keyType: 0, coordinatorKeys: ['g1', 'g2'] }, 15), { coordinators: [{ errorCode: 15, key: 'g1' }, { errorCode: 15, key: 'g2' }] });
  t.deepEqual(errorResponse(find.request, find.response, 3, { key: 'g1', keyType: 0 }, 15), { errorCode: 15 }, 'no slots: the top-level error');
  const fetchOffsets = apiSchemas[9];
  t.deepEqual(errorResponse(fetchOffsets.request, fetchOffsets.response, 7, { groupId: 'g', topics: [{ name: 't', partitionIndexes: [0, 2] }], requireStable: false }, 16),
    { topics: [{ name: 't', partitions: [{ errorCode: 16, partitionIndex: 0 }, { errorCode: 16, partitionIndex: 2 }] }] });
  const describe = apiSchemas[15];
  t.deepEqual(errorResponse(describe.request, describe.response, 5, { groups: ['x'], includeAuthorizedOperations: false }, 14), { groups: [{ errorCode: 14, groupId: 'x' }] });
});

test('parseFault takes a fault by Kafka\'s names and refuses anything else with a FaultError', (t) => {
  const apis = new Map([[0, 'Produce'], [1, 'Fetch']]);
  t.deepEqual(parseFault({ api: 'Produce', topic: 't', partition: 0, error: 'NOT_LEADER_OR_FOLLOWER', count: 2 }, apis), { apiKey: 0, topic: 't', partition: 0, error: 6, count: 2 });
  t.deepEqual(parseFault({ api: 1, delayMs: 5, disconnect: false }, apis), { apiKey: 1, delayMs: 5, count: 1 });
  fc.assert(fc.property(fc.jsonValue(), (body) => {
    try {
      parseFault(body, apis);
      return true;
    } catch (e) {
      return e instanceof FaultError;
    }
  }), { numRuns: 500 });
});

test('the trace summarizes record batches, and stops at bytes that are no batch', async (t) => {
  const batch = await encodeBatch({ records: [{ value: 'a' }, { value: 'b' }], producerId: 7, producerEpoch: 1, baseSequence: 0 });
  t.like(summarizeRecords([batch, batch.subarray(0, 30)]), [{ baseOffset: 0, lastOffset: 1, count: 2, compression: 'none', producerId: 7, producerEpoch: 1, transactional: false }]);
  fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => Array.isArray(summarizeRecords(Buffer.from(bytes)))));
});
