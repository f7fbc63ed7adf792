#!/usr/bin/python3
"""librdkafka (confluent-kafka) transactions: a consume-transform-produce copier moves
records from one topic to another in transactions with send_offsets_to_transaction; an
aborted transaction's records are seen only by a read_uncommitted consumer; the group's
committed offsets are those the committed transactions sent; a second producer with the
same transactional.id fences the first."""
import sys, uuid
from confluent_kafka import Producer, Consumer, TopicPartition, KafkaException
from confluent_kafka.admin import AdminClient, NewTopic

bootstrap = sys.argv[1]
run = uuid.uuid4().hex[:8]
src, dst, group, txn_id = f'txn-in-{run}', f'txn-out-{run}', f'txn-copier-{run}', f'txn-{run}'
admin = AdminClient({'bootstrap.servers': bootstrap})
for f in admin.create_topics([NewTopic(src, num_partitions=2, replication_factor=1), NewTopic(dst, num_partitions=2, replication_factor=1)]).values():
    f.result(10)

N = 300
p = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 5})
for i in range(N):
    p.produce(src, key=str(i).encode(), value=f'in-{i}'.encode(), partition=i % 2)
assert p.flush(20) == 0

consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'enable.auto.commit': False,
                     'auto.offset.reset': 'earliest', 'isolation.level': 'read_committed'})
consumer.subscribe([src])
producer = Producer({'bootstrap.servers': bootstrap, 'transactional.id': txn_id, 'linger.ms': 5})
producer.init_transactions(20)

copied = 0
transactions = 0
while copied < N:
    msgs = consumer.consume(100, timeout=2)
    msgs = [m for m in msgs if not m.error()]
    if not msgs:
        continue
    producer.begin_transaction()
    for m in msgs:
        producer.produce(dst, key=m.key(), value=m.value().replace(b'in-', b'out-'), partition=m.partition())
    producer.send_offsets_to_transaction(consumer.position(consumer.assignment()), consumer.consumer_group_metadata(), 20)
    producer.commit_transaction(20)
    copied += len(msgs)
    transactions += 1
assert copied == N, copied

# One transaction aborted: its records must stay invisible to read_committed consumers.
producer.begin_transaction()
for i in range(10):
    producer.produce(dst, value=f'aborted-{i}'.encode(), partition=i % 2)
producer.flush(10)
producer.abort_transaction(20)

def read_all(isolation, expect):
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': f'reader-{isolation}-{run}', 'auto.offset.reset': 'earliest',
                  'enable.auto.commit': False, 'isolation.level': isolation})
    c.subscribe([dst])
    got = []
    idle = 0
    while len(got) < expect and idle < 10:
        ms = c.consume(500, timeout=1)
        idle = idle + 1 if not ms else 0
        got += [m.value().decode() for m in ms if not m.error()]
    # Nothing more than expected arrives.
    got += [m.value().decode() for m in c.consume(500, timeout=1) if not m.error()]
    c.close()
    return got

committed = read_all('read_committed', N)
assert sorted(committed) == sorted(f'out-{i}' for i in range(N)), (len(committed), sorted(set(committed) - {f'out-{i}' for i in range(N)})[:5])
uncommitted = read_all('read_uncommitted', N + 10)
assert len(uncommitted) == N + 10 and sum(v.startswith('aborted-') for v in uncommitted) == 10, len(uncommitted)

offsets = consumer.committed([TopicPartition(src, 0), TopicPartition(src, 1)], timeout=10)
assert [o.offset for o in offsets] == [N // 2, N // 2], offsets
consumer.close()

# A second producer with the same transactional.id fences the first.
second = Producer({'bootstrap.servers': bootstrap, 'transactional.id': txn_id})
second.init_transactions(20)
fenced = False
try:
    producer.begin_transaction()
    producer.produce(dst, value=b'zombie', partition=0)
    producer.commit_transaction(20)
except KafkaException as e:
    fenced = e.args[0].fatal() or 'fenced' in str(e).lower()
assert fenced, 'the first producer was not fenced'
second.begin_transaction()
second.produce(dst, value=b'from-second', partition=0)
second.commit_transaction(20)

print(f'ok: {N} records copied exactly once in {transactions} transactions with their offsets; '
      f'an aborted transaction hidden from read_committed; the zombie producer fenced')
