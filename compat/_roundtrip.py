"""One record produced and read back, by confluent-kafka (librdkafka 2.0) and by kafka-python,
with whatever security settings the caller gives: shared by the SASL and TLS scenarios."""
import uuid
from kafka import KafkaProducer, KafkaConsumer
from confluent_kafka import Consumer, Producer


def confluent(conf, what):
    topic = 'ck-' + uuid.uuid4().hex[:8]
    p = Producer(conf)
    p.produce(topic, what.encode())
    assert p.flush(10) == 0, what
    c = Consumer({**conf, 'group.id': 'ckg-' + uuid.uuid4().hex[:6], 'auto.offset.reset': 'earliest'})
    c.subscribe([topic])
    got = None
    for _ in range(100):
        m = c.poll(0.5)
        if m is not None and not m.error():
            got = m.value()
            break
    c.close()
    assert got == what.encode(), (what, got)


def kafka_python(auth, what):
    topic = 'kp-' + uuid.uuid4().hex[:8]
    p = KafkaProducer(acks='all', **auth)
    p.send(topic, value=what.encode()).get(timeout=10)
    p.close()
    c = KafkaConsumer(topic, group_id='kpg-' + uuid.uuid4().hex[:6], auto_offset_reset='earliest', consumer_timeout_ms=10000, **auth)
    values = []
    for m in c:
        values.append(m.value)
        break
    c.close()
    assert values == [what.encode()], (what, values)
