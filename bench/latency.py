#!/usr/bin/python3
"""End-to-end latency at a fixed rate, producer and consumer in separate processes (so
neither waits on the other's interpreter lock): a librdkafka producer (linger.ms=0) sends
1 KB records stamped with CLOCK_MONOTONIC as they fall due (at most half a millisecond
late); the consumer records now - stamp and prints
JSON with p50/p99/p999 in milliseconds. The same client runs against every broker.
Usage: latency.py <bootstrap> <msgs/s> <seconds>"""
import json, struct, subprocess, sys, time, uuid
from confluent_kafka import Consumer, Producer, TopicPartition

def produce(bootstrap, topic, rate, total):
    p = Producer({'bootstrap.servers': bootstrap, 'linger.ms': 0, 'acks': 1})
    pad = b'x' * (1024 - 8)
    # Warm up (connection, metadata) before the clock starts; stamp 0 marks it.
    p.produce(topic, value=struct.pack('>d', 0) + pad, partition=0)
    p.flush(10)
    # Records go out as they fall due, checked every half millisecond: a generator that
    # spins between records holds a whole core, and on a 2-core machine the broker and the
    # consumer then queue for the other one.
    start = time.monotonic()
    sent = 0
    while sent < total:
        due = min(total, int((time.monotonic() - start) * rate) + 1)
        while sent < due:
            p.produce(topic, value=struct.pack('>d', time.monotonic()) + pad, partition=0)
            sent += 1
        p.poll(0)
        time.sleep(0.0005)
    p.flush(10)

def main(bootstrap, rate, seconds):
    topic = 'lat-' + uuid.uuid4().hex[:8]
    total = int(rate * seconds)
    p = Producer({'bootstrap.servers': bootstrap})
    p.produce(topic, value=struct.pack('>d', 0), partition=0)  # creates the topic
    p.flush(10)
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': topic, 'fetch.wait.max.ms': 100, 'enable.auto.commit': False})
    c.assign([TopicPartition(topic, 0, 1)])
    c.poll(0.5)
    prod = subprocess.Popen([sys.executable, __file__, '--produce', bootstrap, topic, str(rate), str(total)])
    lat = []
    deadline = time.monotonic() + seconds + 30
    while len(lat) < total and time.monotonic() < deadline:
        m = c.poll(0.2)
        if m is None or m.error():
            continue
        stamp = struct.unpack('>d', m.value()[:8])[0]
        if stamp > 0:
            lat.append(time.monotonic() - stamp)
    prod.wait(30)
    c.close()
    lat.sort()
    q = lambda f: round(lat[min(len(lat) - 1, int(f * len(lat)))] * 1000, 3) if lat else None
    print(json.dumps({'count': len(lat), 'p50': q(0.5), 'p99': q(0.99), 'p999': q(0.999)}))

if __name__ == '__main__':
    if sys.argv[1] == '--produce':
        produce(sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5]))
    else:
        main(sys.argv[1], int(sys.argv[2]), float(sys.argv[3]))
