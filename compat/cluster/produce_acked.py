#!/usr/bin/python3
"""librdkafka (confluent-kafka) producing to a replicated cluster while brokers die:
idempotent, acks=all, `count` records round-robin over `partitions` partitions at a
steady pace (spread over `seconds`, default 6). Prints one line per acknowledged record ("ACK partition offset value") so
the test driving it knows what was acknowledged and when to kill a broker; ends with
"ok" once every record is acknowledged."""
import sys, time
from confluent_kafka import Producer

bootstrap, topic, count, partitions = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
pause = (float(sys.argv[5]) if len(sys.argv) > 5 else 6.0) / count
p = Producer({
    'bootstrap.servers': bootstrap, 'enable.idempotence': True, 'acks': 'all',
    'linger.ms': 2, 'message.timeout.ms': 60000, 'retry.backoff.ms': 50,
    'topic.metadata.refresh.interval.ms': 1000,
})
failed = []

def delivered(err, msg):
    if err:
        failed.append(str(err))
        print(f'ERR {err}', flush=True)
    else:
        print(f'ACK {msg.partition()} {msg.offset()} {msg.value().decode()}', flush=True)

for i in range(count):
    while True:
        try:
            p.produce(topic, value=f'm{i}'.encode(), partition=i % partitions, on_delivery=delivered)
            break
        except BufferError:
            p.poll(0.05)
    p.poll(0)
    time.sleep(pause)
left = p.flush(75)
if left or failed:
    # What the client last knew of the partitions, to tell a missing leader from a stuck one.
    try:
        parts = p.list_topics(topic, timeout=5).topics[topic].partitions.values()
        seen = ' '.join(f'{q.id}:leader={q.leader},isr={q.isrs}' for q in sorted(parts, key=lambda q: q.id))
    except Exception as e:
        seen = f'no metadata ({e})'
    print(f'FAILED: {left} unflushed, errors {failed[:5]}; partitions {seen}', flush=True)
    sys.exit(1)
print('ok', flush=True)
