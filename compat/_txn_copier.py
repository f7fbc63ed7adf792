#!/usr/bin/python3
"""A consume-transform-produce copier in librdkafka's exactly-once pattern, for the
transactions chaos test (test/cluster/transactions-chaos.test.ts; the leading underscore
keeps it out of the compat scenarios). `_txn_copier.py BOOTSTRAP INPUT OUTPUT GROUP TXN_ID
PER_TXN` copies every record of INPUT to OUTPUT (same key, same partition, value prefixed
"copy:") in transactions of up to PER_TXN records that also commit the consumed offsets,
until it is killed. An abortable
error aborts and rewinds to the committed offsets; a fatal one exits, and the test starts
another copier, which fences this one."""
import sys
from confluent_kafka import Consumer, Producer, KafkaException, TopicPartition

bootstrap, src, dst, group, txn_id = sys.argv[1:6]
per_txn = int(sys.argv[6])
# Static membership: a copier started in place of a killed one takes over its partitions at once.
consumer = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'group.instance.id': f'{group}-copier',
                     'session.timeout.ms': 6000, 'enable.auto.commit': False,
                     'auto.offset.reset': 'earliest', 'isolation.level': 'read_committed'})
consumer.subscribe([src])
producer = Producer({'bootstrap.servers': bootstrap, 'transactional.id': txn_id, 'linger.ms': 5,
                     'transaction.timeout.ms': 10000})
producer.init_transactions(30)
print('ready', flush=True)


def rewind():
    """Back to what the group committed: the aborted transaction's input is read again."""
    assignment = consumer.assignment()
    for tp in consumer.committed(assignment, timeout=10):
        consumer.seek(TopicPartition(tp.topic, tp.partition, tp.offset if tp.offset >= 0 else 0))


def retried(fn):
    """Calls fn again while librdkafka says its error is retriable, as its EOS example does."""
    while True:
        try:
            return fn()
        except KafkaException as e:
            if not e.args[0].retriable():
                raise


while True:
    got = consumer.consume(per_txn, timeout=1)
    # A fatal consumer error (a static member fenced by its successor, say) ends this copier.
    fatal = [m.error() for m in got if m.error() and m.error().fatal()]
    if fatal:
        print('fatal', fatal[0].str(), flush=True)
        sys.exit(3)
    msgs = [m for m in got if not m.error()]
    if not msgs:
        continue
    try:
        producer.begin_transaction()
        for m in msgs:
            producer.produce(dst, key=m.key(), value=b'copy:' + m.value(), partition=m.partition())
        retried(lambda: producer.send_offsets_to_transaction(consumer.position(consumer.assignment()), consumer.consumer_group_metadata(), 30))
        retried(lambda: producer.commit_transaction(30))
        print('committed', len(msgs), flush=True)
    except KafkaException as e:
        err = e.args[0]
        if not err.txn_requires_abort():
            print('fatal', err.str(), flush=True)
            sys.exit(3)
        retried(lambda: producer.abort_transaction(30))
        rewind()
        print('aborted', err.str(), flush=True)
