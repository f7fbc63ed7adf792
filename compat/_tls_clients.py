#!/usr/bin/python3
"""TLS with Debian's clients (run by test/integration/tls.test.ts against one broker with a
SASL_SSL listener and a mutual-TLS SSL listener): confluent-kafka (librdkafka 2.0) and kcat
with SCRAM-SHA-512 over TLS and with a client certificate, kafka-python with both; every
client checks the broker's certificate and host name. A client without a certificate is
refused on the mutual-TLS listener.
Arguments: SASL_SSL bootstrap, mutual-TLS bootstrap, CA file, client certificate, client
key, user:password (SCRAM-SHA-512)."""
import subprocess, sys, uuid
from confluent_kafka import KafkaException
from confluent_kafka.admin import AdminClient
import _roundtrip as roundtrip

sasl_bootstrap, mtls_bootstrap, ca, cert, key, creds = sys.argv[1:7]
user, password = creds.split(':', 1)

librdkafka_sasl = {'security.protocol': 'SASL_SSL', 'sasl.mechanisms': 'SCRAM-SHA-512', 'sasl.username': user,
                   'sasl.password': password, 'ssl.ca.location': ca, 'ssl.endpoint.identification.algorithm': 'https'}
librdkafka_mtls = {'security.protocol': 'SSL', 'ssl.ca.location': ca, 'ssl.certificate.location': cert,
                   'ssl.key.location': key, 'ssl.endpoint.identification.algorithm': 'https'}


def confluent(bootstrap, auth, what):
    roundtrip.confluent({'bootstrap.servers': bootstrap, **auth}, what)


def kcat(bootstrap, auth, what):
    topic = 'kcat-tls-' + uuid.uuid4().hex[:8]
    args = ['kcat', '-b', bootstrap, '-t', topic]
    for k, v in auth.items():
        args += ['-X', f'{k}={v}']
    subprocess.run(args + ['-P'], input=what.encode() + b'\n', check=True, timeout=30)
    out = subprocess.run(args + ['-C', '-o', 'beginning', '-c', '1', '-e'], capture_output=True, check=True, timeout=30).stdout
    assert out.strip() == what.encode(), (what, out)


def kafka_python(bootstrap, auth, what):
    roundtrip.kafka_python(dict(bootstrap_servers=bootstrap, **auth), what)


confluent(sasl_bootstrap, librdkafka_sasl, 'confluent SASL_SSL')
confluent(mtls_bootstrap, librdkafka_mtls, 'confluent mTLS')
kcat(sasl_bootstrap, librdkafka_sasl, 'kcat SASL_SSL')
kcat(mtls_bootstrap, librdkafka_mtls, 'kcat mTLS')
kafka_python(sasl_bootstrap, dict(security_protocol='SASL_SSL', sasl_mechanism='SCRAM-SHA-512', sasl_plain_username=user,
                                  sasl_plain_password=password, ssl_cafile=ca), 'kafka-python SASL_SSL')
kafka_python(mtls_bootstrap, dict(security_protocol='SSL', ssl_cafile=ca, ssl_certfile=cert, ssl_keyfile=key), 'kafka-python mTLS')

no_cert = AdminClient({'bootstrap.servers': mtls_bootstrap, 'security.protocol': 'SSL', 'ssl.ca.location': ca})
try:
    no_cert.list_topics(timeout=5)
    raise SystemExit('a client without a certificate was served on the mutual-TLS listener')
except KafkaException as e:
    refused = e.args[0].name()
print(f'ok: confluent-kafka, kcat and kafka-python over SASL_SSL (SCRAM-SHA-512) and mutual TLS; no certificate refused ({refused})')
