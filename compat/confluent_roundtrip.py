#!/usr/bin/python3
"""librdkafka (confluent-kafka): create a multi-partition topic, produce with acks=all
under every compression codec with keys and headers, consume everything back and check
it is byte-identical, offsets dense from 0, and ListOffsets earliest/latest/by-time."""
import sys, time, uuid
from confluent_kafka import Producer, Consumer, TopicPartition, KafkaError
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap = sys.argv[1]
admin = AdminClient({'bootstrap.servers': bootstrap})
topic = 'compat-rt-' + uuid.uuid4().hex[:8]
fs = admin.create_topics([NewTopic(topic, num_partitions=3, replication_factor=1)])
fs[topic].result(10)
md = admin.list_topics(topic, timeout=10)
assert len(md.topics[topic].partitions) == 3, md.topics[topic].partitions

sent = {}
t_before = int(time.time() * 1000)
for codec in ['none', 'gzip', 'snappy', 'lz4', 'zstd']:
    p = Producer({'bootstrap.servers': bootstrap, 'acks': 'all', 'compression.type': codec, 'linger.ms': 5})
    errors = []
    def cb(err, msg):
        if err: errors.append(err)
    for i in range(200):
        key = f'{codec}-key-{i}'.encode()
        value = (f'{codec}-value-{i}-' + 'x' * (i % 50)).encode() + bytes([i % 256])
        headers = [('h1', f'hv{i}'.encode()), ('codec', codec.encode())]
        part = i % 3
        p.produce(topic, value=value, key=key, headers=headers, partition=part, on_delivery=cb)
        sent.setdefault(part, []).append((key, value, headers))
    assert p.flush(20) == 0, 'unflushed messages'
    assert not errors, errors

# Idempotent producer: retries must not duplicate; offsets stay dense.
idem_topic = topic + '-idem'
admin.create_topics([NewTopic(idem_topic, num_partitions=1, replication_factor=1)])[idem_topic].result(10)
ip = Producer({'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'linger.ms': 2})
idem_errors = []
for i in range(2000):
    ip.produce(idem_topic, value=f'idem-{i}'.encode(), on_delivery=lambda err, msg: err and idem_errors.append(err))
assert ip.flush(20) == 0 and not idem_errors, idem_errors

c = Consumer({'bootstrap.servers': bootstrap, 'group.id': 'rt-' + uuid.uuid4().hex[:6], 'auto.offset.reset': 'earliest', 'enable.auto.commit': False})
c.assign([TopicPartition(topic, p, 0) for p in range(3)])
got = {0: [], 1: [], 2: []}
deadline = time.time() + 30
while sum(len(v) for v in got.values()) < 1000 and time.time() < deadline:
    m = c.poll(0.5)
    if m is None or m.error():
        continue
    got[m.partition()].append((m.offset(), m.key(), m.value(), m.headers()))
for part in range(3):
    offsets = [o for o, *_ in got[part]]
    assert offsets == list(range(len(sent[part]))), f'partition {part} offsets not dense from 0'
    for (o, k, v, h), (sk, sv, sh) in zip(got[part], sent[part]):
        assert k == sk and v == sv and h == sh, (part, o, k, sk)
    lo, hi = c.get_watermark_offsets(TopicPartition(topic, part), timeout=10)
    assert (lo, hi) == (0, len(sent[part])), (lo, hi)
# By timestamp: everything was produced after t_before, so offset 0; far future gives -1 (end).
res = c.offsets_for_times([TopicPartition(topic, 0, t_before)], timeout=10)
assert res[0].offset == 0, res
res = c.offsets_for_times([TopicPartition(topic, 0, int(time.time() * 1000) + 3600_000)], timeout=10)
assert res[0].offset == -1, res
lo, hi = c.get_watermark_offsets(TopicPartition(idem_topic, 0), timeout=10)
assert (lo, hi) == (0, 2000), ('idempotent producer wrote', lo, hi)
c.close()

# Record-level validation (KIP-467): a compacted topic refuses a record without a key, and
# a topic with timestamp bounds one from an hour ago; librdkafka reports Kafka's codes.
checked = topic + '-checked'
admin.create_topics([NewTopic(checked, num_partitions=1, replication_factor=1, config={
    'cleanup.policy': 'compact', 'message.timestamp.before.max.ms': '60000'})])[checked].result(10)
vp = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 0, 'retries': 0})
outcomes = []
vp.produce(checked, value=b'no key', on_delivery=lambda err, msg: outcomes.append(err and err.code()))
vp.flush(10)
vp.produce(checked, key=b'k', value=b'old', timestamp=int(time.time() * 1000) - 3600_000, on_delivery=lambda err, msg: outcomes.append(err and err.code()))
vp.flush(10)
vp.produce(checked, key=b'k', value=b'fine', on_delivery=lambda err, msg: outcomes.append(err and err.code()))
vp.flush(10)
assert outcomes == [KafkaError.INVALID_RECORD, KafkaError.INVALID_TIMESTAMP, None], outcomes
print(f'ok: {sum(len(v) for v in got.values())} records round-tripped under 5 codecs, 2000 idempotent records without duplicates, bad records refused')
