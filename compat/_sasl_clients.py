#!/usr/bin/python3
"""SASL with Debian's clients (run by test/integration/sasl.test.ts against a
SASL_PLAINTEXT broker): kafka-python with PLAIN and SCRAM-SHA-256, confluent-kafka
(librdkafka 2.0) with SCRAM-SHA-512, each producing and consuming; a wrong password
refused. Arguments: bootstrap, then user:password for PLAIN, SCRAM-SHA-256, SCRAM-SHA-512."""
import sys
from kafka import KafkaProducer
from kafka.errors import KafkaError
import _roundtrip as roundtrip

bootstrap = sys.argv[1]
plain, sha256, sha512 = (a.split(':', 1) for a in sys.argv[2:5])


def kafka_python(mechanism, user, password):
    roundtrip.kafka_python(dict(bootstrap_servers=bootstrap, security_protocol='SASL_PLAINTEXT', sasl_mechanism=mechanism,
                                sasl_plain_username=user, sasl_plain_password=password), 'v-' + mechanism)


def confluent(mechanism, user, password):
    roundtrip.confluent({'bootstrap.servers': bootstrap, 'security.protocol': 'SASL_PLAINTEXT', 'sasl.mechanisms': mechanism,
                         'sasl.username': user, 'sasl.password': password}, 'librdkafka')


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
