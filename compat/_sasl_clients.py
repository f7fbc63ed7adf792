#!/usr/bin/python3
"""SASL with Debian's clients (run by test/integration/sasl.test.ts against a
SASL_PLAINTEXT broker): kafka-python with PLAIN and SCRAM-SHA-256, confluent-kafka
(librdkafka 2.0) with SCRAM-SHA-512, each producing and consuming; a wrong password
refused. Arguments: bootstrap, then user:password for PLAIN, SCRAM-SHA-256, SCRAM-SHA-512."""
import sys, uuid
from kafka import KafkaProducer, KafkaConsumer
from kafka.errors import KafkaError
from confluent_kafka import Producer, Consumer

bootstrap = sys.argv[1]
plain, sha256, sha512 = (a.split(':', 1) for a in sys.argv[2:5])


def kafka_python(mechanism, user, password):
    topic = 'kp-sasl-' + uuid.uuid4().hex[:8]
    auth = dict(bootstrap_servers=bootstrap, security_protocol='SASL_PLAINTEXT', sasl_mechanism=mechanism,
                sasl_plain_username=user, sasl_plain_password=password)
    p = KafkaProducer(acks='all', **auth)
    p.send(topic, value=b'v-' + mechanism.encode()).get(timeout=10)
    p.close()
    c = KafkaConsumer(topic, group_id='kpg-' + uuid.uuid4().hex[:6], auto_offset_reset='earliest', consumer_timeout_ms=10000, **auth)
    values = []
    for m in c:
        values.append(m.value)
        break
    c.close()
    assert values == [b'v-' + mechanism.encode()], values


def confluent(mechanism, user, password):
    topic = 'ck-sasl-' + uuid.uuid4().hex[:8]
    auth = {'bootstrap.servers': bootstrap, 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': mechanism,
            'sasl.username': user, 'sasl.password': password}
    p = Producer(auth)
    p.produce(topic, b'librdkafka')
    assert p.flush(10) == 0
    c = Consumer({**auth, 'group.id': 'ckg-' + uuid.uuid4().hex[:6], 'auto.offset.reset': 'earliest'})
    c.subscribe([topic])
    got = None
    for _ in range(100):
        m = c.poll(0.5)
        if m is not None and not m.error():
            got = m.value()
            break
    c.close()
    assert got == b'librdkafka', got


kafka_python('PLAIN', *plain)
kafka_python('SCRAM-SHA-256', *sha256)
confluent('SCRAM-SHA-512', *sha512)
try:
    KafkaProducer(bootstrap_servers=bootstrap, security_protocol='SASL_PLAINTEXT', sasl_mechanism='PLAIN',
                  sasl_plain_username=plain[0], sasl_plain_password='wrong', max_block_ms=3000).send('x', b'x').get(timeout=5)
    raise SystemExit('a wrong password was accepted')
except KafkaError as e:
    refused = type(e).__name__
print(f'ok: kafka-python PLAIN and SCRAM-SHA-256, confluent-kafka SCRAM-SHA-512; a wrong password refused ({refused})')
