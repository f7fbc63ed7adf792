#!/usr/bin/python3
"""kafka-python: a CreateTopics for 30,000 partitions is refused with POLICY_VIOLATION, nothing
is created, and the broker goes on serving other clients."""
import sys, uuid
from kafka import KafkaAdminClient, KafkaProducer
from kafka.admin import NewTopic
from kafka.errors import PolicyViolationError

bootstrap = sys.argv[1]
admin = KafkaAdminClient(bootstrap_servers=bootstrap)
big = 'bomb-' + uuid.uuid4().hex[:8]
try:
    admin.create_topics([NewTopic(big, num_partitions=30000, replication_factor=1)])
    raise AssertionError('a 30,000-partition topic was accepted')
except PolicyViolationError as e:
    assert "error_message='Excessively large number of partitions per request.'" in str(e), str(e)
assert big not in admin.list_topics(), 'nothing was created'
small = 'after-' + uuid.uuid4().hex[:8]
admin.create_topics([NewTopic(small, num_partitions=1, replication_factor=1)])
p = KafkaProducer(bootstrap_servers=bootstrap)
assert p.send(small, b'still serving').get(timeout=10).offset == 0
p.close()
admin.close()
print('ok: a 30,000-partition CreateTopics refused with POLICY_VIOLATION; the broker serves on')
