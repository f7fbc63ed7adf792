// KIP-714 client telemetry with librdkafka 2.15.1, unmodified: a client metrics
// subscription set with IncrementalAlterConfigs (listed by @platformatic/kafka's
// ListClientMetricsResources codec) makes the producer ask for its subscription and push
// its metrics, which the broker's /metrics endpoint then shows by client. (librdkafka
// names its software confluent-kafka-javascript in ApiVersions through this binding.)
import { Connection, listClientMetricsResourcesV0 } from '@platformatic/kafka';
import test from 'ava';
import { startBroker } from '../../src/index.js';
import { ErrorCode } from '../../src/protocol/errors.js';
import { eventually } from '../support/helpers.js';
import { librdkafka } from '../support/librdkafka.js';
import { RawClient } from '../support/raw-client.js';

test('a librdkafka producer matched by a subscription pushes its metrics; the metrics endpoint shows them by client', async (t) => {
  const b = await startBroker();
  t.teardown(() => b.close());
  const raw = await RawClient.connect(b.port);
  t.teardown(() => raw.close());
  const set = (name: string, value: string) => ({ name, configOperation: 0, value });
  const altered = await raw.request(44, 1, {
    resources: [{ resourceType: 16, resourceName: 'producers', configs: [set('metrics', 'org.apache.kafka.producer.'), set('interval.ms', '500'), set('match', 'client_software_name=confluent-kafka-javascript,client_id=metered-.*')] }],
    validateOnly: false,
  });
  t.is(altered.responses[0]!.errorCode, ErrorCode.NONE);
  const bad = await raw.request(44, 1, { resources: [{ resourceType: 16, resourceName: 'bad', configs: [set('interval.ms', '5')] }], validateOnly: false });
  t.deepEqual([bad.responses[0]!.errorCode, bad.responses[0]!.errorMessage], [ErrorCode.INVALID_REQUEST, 'Invalid value 5 for interval.ms, interval must be between 100 and 3600000 (1 hour)']);
  const described = await raw.request(32, 4, { resources: [{ resourceType: 16, resourceName: 'producers', configurationKeys: null }], includeSynonyms: false, includeDocumentation: false });
  t.deepEqual(described.results[0]!.configs.map((c) => [c.name, c.value, c.configSource]).sort(), [
    ['interval.ms', '500', 7], ['match', 'client_software_name=confluent-kafka-javascript,client_id=metered-.*', 7], ['metrics', 'org.apache.kafka.producer.', 7],
  ]);

  const c = new Connection('telemetry-codec');
  await c.connect(b.host, b.port);
  t.teardown(() => c.close());
  t.deepEqual((await listClientMetricsResourcesV0.api.async(c)).clientMetricsResources.map((r) => r.name), ['producers']);

  const producer = librdkafka(b.bootstrap).producer({ 'client.id': 'metered-app', 'enable.metrics.push': true });
  await producer.connect();
  t.teardown(() => producer.disconnect());
  let sent = 0;
  await eventually(async () => {
    await producer.send({ topic: 'metered', messages: [{ value: `m${sent++}` }] });
    return (await b.broker.metrics.text()).includes('client_id="metered-app"');
  }, 30_000, 'the producer\'s pushed metrics on /metrics');
  const lines = (await b.broker.metrics.text()).split('\n').filter((l) => l.startsWith('kafka_client_telemetry{'));
  t.true(lines.length > 0 && lines.every((l) => l.includes('metric="org.apache.kafka.producer.')), lines.slice(0, 3).join('\n'));
  t.log(`${lines.length} series pushed, e.g. ${lines[0]}`);
});
