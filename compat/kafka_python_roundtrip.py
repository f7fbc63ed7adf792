#!/usr/bin/python3
"""kafka-python: admin create, produce (acks=all, gzip), consume back, group commit."""
import sys, uuid
from kafka import KafkaProducer, KafkaConsumer, KafkaAdminClient, TopicPartition
from kafka.admin import NewTopic

bootstrap = sys.argv[1]
topic = 'kp-' + uuid.uuid4().hex[:8]
admin = KafkaAdminClient(bootstrap_servers=bootstrap)
admin.create_topics([NewTopic(topic, num_partitions=2, replication_factor=1)])
p = KafkaProducer(bootstrap_servers=bootstrap, acks='all', compression_type='gzip')
futures = [p.send(topic, key=f'k{i}'.encode(), value=f'v{i}'.encode(), partition=i % 2) for i in range(100)]
p.flush()
meta = [f.get(timeout=10) for f in futures]
assert sorted(m.offset for m in meta if m.partition == 0) == list(range(50))
group = 'kpg-' + uuid.uuid4().hex[:6]
c = KafkaConsumer(topic, bootstrap_servers=bootstrap, group_id=group, auto_offset_reset='earliest',
                  enable_auto_commit=False, consumer_timeout_ms=10000)
seen = []
for m in c:
    seen.append((m.partition, m.offset, m.key, m.value))
    if len(seen) == 100:
        break
c.commit()
assert len(seen) == 100 and len(set(seen)) == 100
committed = c.committed(TopicPartition(topic, 0))
assert committed == 50, committed
c.close()
groups = [g[0] for g in admin.list_consumer_groups()]
assert group in groups, groups
print('ok: kafka-python round trip and group commit')
