#!/usr/bin/python3
"""librdkafka (confluent-kafka) against injected faults, driven over Krill's HTTP control
plane: two NOT_LEADER_OR_FOLLOWER answers to Produce are retried through and the record is
delivered once; a non-retriable error reaches the delivery callback once; an injected delay holds an
answer back; a dropped Fetch connection is survived; the trace shows each attempt with its fault and librdkafka's name.
Run by test/integration/test-kit.test.ts with the bootstrap and the control plane's URL."""
import json, sys, urllib.request, uuid
from confluent_kafka import Consumer, Producer
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap, http = sys.argv[1], sys.argv[2]

def call(method, path, body=None):
    req = urllib.request.Request(http + path, method=method, data=None if body is None else json.dumps(body).encode(), headers={'content-type': 'application/json'})
    with urllib.request.urlopen(req) as r:
        raw = r.read()
        return r.status, (json.loads(raw) if raw else None)

topic = f'faults-{uuid.uuid4().hex[:8]}'
admin = AdminClient({'bootstrap.servers': bootstrap})
for f in admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)]).values():
    f.result(10)

status, _ = call('POST', '/v1/faults', {'api': 'Produce', 'topic': topic, 'error': 'NOT_LEADER_OR_FOLLOWER', 'count': 2})
assert status == 201
results = []
p = Producer({'bootstrap.servers': bootstrap, 'retry.backoff.ms': 20, 'enable.idempotence': False})
p.produce(topic, value=b'retried', on_delivery=lambda err, msg: results.append(err))
assert p.flush(20) == 0
assert results == [None], results

status, _ = call('POST', '/v1/faults', {'api': 'Produce', 'topic': topic, 'error': 'TOPIC_AUTHORIZATION_FAILED'})
results.clear()
p.produce(topic, value=b'refused', on_delivery=lambda err, msg: results.append(err))
assert p.flush(20) == 0
assert len(results) == 1 and results[0] is not None and results[0].name() == 'TOPIC_AUTHORIZATION_FAILED', results

_, trace = call('GET', f'/v1/trace?api=Produce&clientId=rdkafka')
faulted = [e['fault']['error'] for e in trace if e['fault']]
assert faulted == ['NOT_LEADER_OR_FOLLOWER', 'NOT_LEADER_OR_FOLLOWER', 'TOPIC_AUTHORIZATION_FAILED'], faulted
assert all(e['clientSoftwareName'] == 'confluent-kafka-python' and 'rdkafka' in e['clientSoftwareVersion'] for e in trace), trace[0]
assert trace[-1]['response']['responses'][0]['partitionResponses'][0]['errorCode'] == 29

status, _ = call('POST', '/v1/faults', {'api': 'Produce', 'topic': topic, 'delayMs': 300})
results.clear()
# A new producer: librdkafka holds the topic's authorization error against it.
p2 = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': False})
p2.produce(topic, value=b'late', on_delivery=lambda err, msg: results.append(err))
assert p2.flush(20) == 0 and results == [None], results
_, slow = call('GET', f'/v1/trace?api=Produce&limit=1')
assert slow[0]['fault'] == {'id': 3, 'delayMs': 300} and slow[0]['durationMs'] >= 299, slow[0]

status, _ = call('POST', '/v1/faults', {'api': 'Fetch', 'disconnect': True})
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': topic, 'auto.offset.reset': 'earliest'})
c.subscribe([topic])
got = []
for _ in range(200):
    m = c.poll(0.1)
    if m is not None and not m.error():
        got.append(m.value())
    if len(got) == 2:
        break
c.close()
assert got == [b'retried', b'late'], got
_, left = call('GET', '/v1/faults')
assert left == [], left
print(f'ok: delivered once through 2 NOT_LEADER_OR_FOLLOWER, TOPIC_AUTHORIZATION_FAILED reported once, an answer held back 300 ms, a dropped fetch survived; {len(trace)} produce attempts traced')
