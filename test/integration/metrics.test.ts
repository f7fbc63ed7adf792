// GET /metrics (issue 23): Prometheus text that a parser reads, named as Kafka's JMX
// exporter names them; counters move as kafkajs produces and consumes, and the lag gauge
// matches what the group's committed offsets and the log end say.
import test from 'ava';
import parsePrometheusTextFormat from 'parse-prometheus-text-format';
import { startBroker } from '../../src/index.js';
import { eventually, groupThatRead, kafka, topicWithProducer } from '../support/helpers.js';

async function scrape(http: string) {
  const res = await fetch(`${http}/metrics`);
  const families = parsePrometheusTextFormat(await res.text());
  const value = (name: string, labels: Record<string, string> = {}) => {
    const f = families.find((x) => x.name === name);
    const m = f?.metrics.find((s) => Object.entries(labels).every(([k, v]) => s.labels?.[k] === v));
    return m === undefined ? undefined : Number(m.value ?? m.count);
  };
  return { res, families, value };
}

test('/metrics: Kafka-named counters move with traffic; partitions, controller, connections, groups and lag are there', async (t) => {
  const b = await startBroker({ http: true, testKit: false });
  t.teardown(() => b.close());
  const k = kafka(b.bootstrap);
  const { admin, producer } = await topicWithProducer(t, k, 'm', 2);
  await producer.send({ topic: 'm', messages: Array.from({ length: 10 }, (_, i) => ({ value: `v${i}`, partition: 0 })) });

  const consumer = await groupThatRead(t, k, 'mg', 'm', 10);
  await eventually(async () => (await admin.fetchOffsets({ groupId: 'mg', topics: ['m'] }))[0]!.partitions.find((p) => p.partition === 0)?.offset === '10', 15_000, 'the commit');
  await consumer.stop();
  await producer.send({ topic: 'm', messages: Array.from({ length: 5 }, (_, i) => ({ value: `w${i}`, partition: 0 })) });

  const { res, families, value } = await scrape(b.http!);
  t.is(res.status, 200);
  t.regex(res.headers.get('content-type') ?? '', /text\/plain/);
  t.true(families.length > 20, 'the text parses into many families');
  t.is(value('kafka_server_brokertopicmetrics_messagesin_total', { topic: 'm' }), 15);
  t.true(value('kafka_server_brokertopicmetrics_bytesin_total', { topic: 'm' })! > 0);
  t.true(value('kafka_server_brokertopicmetrics_bytesout_total', { topic: 'm' })! > 0);
  t.true(value('kafka_network_requestmetrics_requests_total', { request: 'Produce' })! >= 1);
  t.true(value('kafka_network_requestmetrics_errors_total', { request: 'Produce', error: 'NONE' })! >= 2);
  t.truthy(families.find((f) => f.name === 'kafka_network_requestmetrics_totaltimems' && f.type === 'HISTOGRAM'));
  t.true(value('kafka_server_replicamanager_partitioncount')! >= 2);
  t.is(value('kafka_server_replicamanager_underreplicatedpartitions'), 0);
  t.is(value('kafka_controller_kafkacontroller_activecontrollercount'), 1);
  t.is(value('kafka_controller_kafkacontroller_offlinepartitionscount'), 0);
  t.true(value('kafka_server_socketservermetrics_connection_count')! >= 1);
  t.true(value('kafka_log_log_size', { topic: 'm', partition: '0' })! > 0);
  t.is(value('kafka_consumergroup_lag', { group: 'mg', topic: 'm', partition: '0' }), 5, 'the five produced after the commit');
  t.truthy(value('kafka_coordinator_group_groupmetadatamanager_numgroups', { state: 'Stable' }) ?? value('kafka_coordinator_group_groupmetadatamanager_numgroups', { state: 'Empty' }));
  t.truthy(families.find((f) => f.name === 'process_cpu_user_seconds_total'), 'process metrics');
  // The lag a group describe gives: the log end minus the committed offset.
  const [end] = (await admin.fetchTopicOffsets('m')).filter((o) => o.partition === 0);
  const [committed] = (await admin.fetchOffsets({ groupId: 'mg', topics: ['m'] }))[0]!.partitions.filter((p) => p.partition === 0);
  t.is(value('kafka_consumergroup_lag', { group: 'mg', topic: 'm', partition: '0' }), Number(end!.high) - Number(committed!.offset));

  const after = await scrape(b.http!);
  t.true(after.value('kafka_network_requestmetrics_requests_total', { request: 'Fetch' })! >= value('kafka_network_requestmetrics_requests_total', { request: 'Fetch' })!);
  t.is((await fetch(`${b.http}/metrics`, { method: 'POST' })).status, 405);
});
