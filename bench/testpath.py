#!/usr/bin/python3
"""The path a test pays with librdkafka (confluent-kafka): produce a record, then a
consumer in a new group joins, syncs, fetches and gets it. Prints the milliseconds from
the first client call to the record in hand (the interpreter's start is not counted)."""
import sys, time
from confluent_kafka import Consumer, Producer

bootstrap, topic = sys.argv[1], sys.argv[2]
t0 = time.monotonic()
p = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 0})
p.produce(topic, value=b'first')
assert p.flush(30) == 0
c = Consumer({'bootstrap.servers': bootstrap, 'group.id': f'g-{topic}', 'auto.offset.reset': 'earliest',
              'session.timeout.ms': 6000, 'heartbeat.interval.ms': 500, 'fetch.wait.max.ms': 100})
c.subscribe([topic])
while True:
    m = c.poll(0.05)
    if m is not None and not m.error():
        break
print(f'{(time.monotonic() - t0) * 1000:.1f}')
c.close()
