// Client telemetry (KIP-714) as Kafka's ClientMetricsManager serves it, on a clock the test
// moves: subscriptions matched to clients, intervals, the push checks in Kafka's order, and
// pushed OTLP metrics kept until the client's connection closes.
import test from 'ava';
import fc from 'fast-check';
import { ErrorCode } from '../../../src/protocol/errors.js';
import { compress } from '../../../src/protocol/records/compression.js';
import { ClientMetricsConfigError, validateClientMetrics } from '../../../src/broker/telemetry/client-metrics-config.js';
import { ClientTelemetry } from '../../../src/broker/telemetry/client-telemetry.js';
import { encodeGauges } from '../../support/otlp.js';

const client = { client_id: 'app-1', client_software_name: 'librdkafka', client_software_version: '2.15.1', client_source_address: '127.0.0.1', client_source_port: '5000' };

function setUp(subs: Record<string, Record<string, string>>) {
  let now = 1_000_000;
  const closers: Array<() => void> = [];
  const telemetry = new ClientTelemetry(() => new Map(Object.entries(subs)), () => 1024, () => now);
  const onClose = (fn: () => void) => {
    closers.push(fn);
    return () => undefined;
  };
  return { telemetry, onClose, advance: (ms: number) => (now += ms), close: () => closers.forEach((fn) => fn()) };
}

test('a subscription is given to the clients it matches: metrics merged, the shortest interval, a stable id', (t) => {
  const { telemetry, onClose, advance } = setUp({
    producers: { metrics: 'org.apache.kafka.producer.', 'interval.ms': '2000', match: 'client_software_name=librdkafka,client_id=app-.*' },
    other: { metrics: 'org.apache.kafka.consumer.', 'interval.ms': '500', match: 'client_id=someone-else' },
  });
  const r = telemetry.subscribe('0'.repeat(32), client, onClose);
  t.is(r.errorCode, ErrorCode.NONE);
  t.not(r.clientInstanceId, '0'.repeat(32), 'an instance id is given');
  t.deepEqual([r.requestedMetrics, r.pushIntervalMs, r.acceptedCompressionTypes, r.telemetryMaxBytes, r.deltaTemporality], [['org.apache.kafka.producer.'], 2000, [4, 3, 1, 2], 1024, true]);
  t.is(telemetry.subscribe(r.clientInstanceId, client, onClose).errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED, 'asked again before the interval');
  advance(2000);
  const again = telemetry.subscribe(r.clientInstanceId, client, onClose);
  t.deepEqual([again.errorCode, again.subscriptionId], [ErrorCode.NONE, r.subscriptionId]);
  const unmatched = setUp({ other: { metrics: '*', match: 'client_id=nobody' } });
  t.deepEqual(unmatched.telemetry.subscribe('0'.repeat(32), client, onClose).requestedMetrics, [], 'no subscription matches: nothing is wanted');
});

test('pushes are checked in Kafka\'s order and their metrics kept, latest value each, until the connection closes', async (t) => {
  const { telemetry, onClose, advance, close } = setUp({ all: { metrics: '*', 'interval.ms': '1000' } });
  const sub = telemetry.subscribe('0'.repeat(32), client, onClose);
  const push = (over: Partial<{ subscriptionId: number; terminating: boolean; compressionType: number; metrics: Buffer }> = {}) =>
    telemetry.push({ clientInstanceId: sub.clientInstanceId, subscriptionId: sub.subscriptionId, terminating: false, compressionType: 0, metrics: Buffer.alloc(0), ...over }, client, onClose);
  const metrics = encodeGauges([{ name: 'org.apache.kafka.producer.record.queue.time.avg', value: 1.5, attributes: { topic: 't' } }]);
  t.is((await push({ metrics: await compress(4, metrics), compressionType: 4 })).errorCode, ErrorCode.NONE, 'right after the subscription, zstd');
  t.is((await push()).errorCode, ErrorCode.THROTTLING_QUOTA_EXCEEDED, 'again before the interval');
  advance(1000);
  t.is((await push({ subscriptionId: sub.subscriptionId + 1 })).errorCode, ErrorCode.UNKNOWN_SUBSCRIPTION_ID);
  advance(1000);
  t.is((await push({ compressionType: 9 })).errorCode, ErrorCode.UNSUPPORTED_COMPRESSION_TYPE);
  advance(1000);
  t.is((await push({ metrics: Buffer.alloc(2048) })).errorCode, ErrorCode.TELEMETRY_TOO_LARGE);
  advance(1000);
  t.is((await push({ metrics: Buffer.from([0xff, 0xff, 0xff]) })).errorCode, ErrorCode.INVALID_RECORD, 'bytes that are no MetricsData');
  t.deepEqual([...telemetry.points()], [{ name: 'org.apache.kafka.producer.record.queue.time.avg', attributes: 'topic=t', value: 1.5, clientInstanceId: sub.clientInstanceId, clientId: 'app-1' }]);
  t.is((await push({ terminating: true })).errorCode, ErrorCode.NONE, 'a terminating push is taken whatever the interval');
  t.is((await push({ terminating: true })).errorCode, ErrorCode.INVALID_REQUEST, 'nothing after a terminating push');
  t.is((await telemetry.push({ clientInstanceId: '0'.repeat(32), subscriptionId: 0, terminating: false, compressionType: 0, metrics: Buffer.alloc(0) }, client, onClose)).errorCode, ErrorCode.INVALID_REQUEST);
  close();
  t.deepEqual([...telemetry.points()], [], 'forgotten with its connection');
});

test('a changed subscription is given at once, whatever the interval', (t) => {
  const subs: Record<string, Record<string, string>> = { a: { metrics: 'x.', 'interval.ms': '60000' } };
  const { telemetry, onClose } = setUp(subs);
  const first = telemetry.subscribe('0'.repeat(32), client, onClose);
  subs.b = { metrics: 'y.', 'interval.ms': '100' };
  const changed = telemetry.subscribe(first.clientInstanceId, client, onClose);
  t.deepEqual([changed.errorCode, changed.requestedMetrics, changed.pushIntervalMs], [ErrorCode.NONE, ['x.', 'y.'], 100]);
  t.not(changed.subscriptionId, first.subscriptionId);
});

test('client metrics configs are checked as Kafka\'s ClientMetricsConfigs checks them', (t) => {
  const refusal = (name: string, configs: Record<string, string>) => {
    const e = t.throws(() => validateClientMetrics(name, configs), { instanceOf: ClientMetricsConfigError });
    return `${e.code}: ${e.message}`;
  };
  t.is(refusal('', {}), 'INVALID_REQUEST: Subscription name can\'t be empty');
  t.is(refusal('s', { color: 'red' }), 'INVALID_REQUEST: Unknown client metrics configuration: color');
  t.is(refusal('s', { 'interval.ms': '50' }), 'INVALID_REQUEST: Invalid value 50 for interval.ms, interval must be between 100 and 3600000 (1 hour)');
  t.is(refusal('s', { match: 'client_color=red' }), 'INVALID_CONFIG: Illegal client matching pattern: client_color=red');
  t.is(refusal('s', { match: 'client_id=(' }), 'INVALID_CONFIG: Illegal client matching pattern: client_id=(');
  t.notThrows(() => validateClientMetrics('s', { metrics: '*', 'interval.ms': '1000', match: 'client_id=a.*,client_software_name=librdkafka' }));
  fc.assert(fc.property(fc.string(), fc.dictionary(fc.constantFrom('metrics', 'interval.ms', 'match', 'x'), fc.string()), (name, configs) => {
    try {
      validateClientMetrics(name, configs);
    } catch (e) {
      t.true(e instanceof ClientMetricsConfigError);
    }
  }), { numRuns: 300 });
});
