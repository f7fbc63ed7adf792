#!/usr/bin/python3
"""librdkafka (confluent-kafka) with client.rack (KIP-392): reads `count` records of a
one-partition topic and reports, from librdkafka's own statistics, which broker it
fetched from and which broker leads. Prints "ok fetched-from=<id> leader=<id>"."""
import json, sys, time
from confluent_kafka import Consumer

bootstrap, topic, count, rack = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
seen = {}

def on_stats(raw):
    p = json.loads(raw).get('topics', {}).get(topic, {}).get('partitions', {}).get('0')
    if p:
        seen['broker'] = p.get('broker')
        seen['leader'] = p.get('leader')

c = Consumer({
    'bootstrap.servers': bootstrap, 'group.id': 'rack-reader', 'client.rack': rack,
    'auto.offset.reset': 'earliest', 'enable.auto.commit': False,
    'statistics.interval.ms': 200, 'stats_cb': on_stats,
})
c.subscribe([topic])
got = 0
deadline = time.time() + 30
while got < count and time.time() < deadline:
    m = c.poll(0.2)
    if m is None or m.error():
        continue
    got += 1
# Let one more statistics report in after the last record.
end = time.time() + 1
while time.time() < end:
    c.poll(0.1)
c.close()
if got < count:
    print(f'FAILED: read {got} of {count}', flush=True)
    sys.exit(1)
print(f"ok fetched-from={seen.get('broker')} leader={seen.get('leader')}", flush=True)
