"""Round trip of a 1 MB fetch on one warm connection: the broker's side of consuming.

Usage: fetch_rtt.py HOST PORT TOPIC COUNT [OFFSET ...]

Sends Fetch v4 for partition 0 of TOPIC COUNT times, one at a time, cycling through the
given offsets (batch starts), and reads each response into one preallocated buffer, so
the client adds as little as it can (no decoding, no fresh memory). Prints JSON: p50 and
p90 in ms over all but the first 50 round trips, and the size of the last response.
"""
import json
import socket
import struct
import sys
import time

host, port, topic, count = sys.argv[1], int(sys.argv[2]), sys.argv[3].encode(), int(sys.argv[4])
offsets = [int(o) for o in sys.argv[5:]] or [0]
sock = socket.create_connection((host, port))
sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
buf = bytearray(64 << 20)
view = memoryview(buf)


def request(correlation: int, offset: int) -> bytes:
    header = struct.pack('>hhih', 1, 4, correlation, 5) + b'bench'
    # replica -1, max wait 0 ms, min bytes 1, max bytes 50 MB, read uncommitted; one topic, one partition.
    body = struct.pack('>iiiib', -1, 0, 1, 50 << 20, 0) + struct.pack('>ih', 1, len(topic)) + topic
    body += struct.pack('>iiqi', 1, 0, offset, 1 << 20)
    return struct.pack('>i', len(header) + len(body)) + header + body


def read_exactly(n: int) -> None:
    got = 0
    while got < n:
        k = sock.recv_into(view[got:n])
        if k == 0:
            raise SystemExit('connection closed')
        got += k


times = []
size = 0
for i in range(count):
    start = time.perf_counter()
    sock.sendall(request(i, offsets[i % len(offsets)]))
    read_exactly(4)
    size = struct.unpack('>i', buf[:4])[0]
    read_exactly(size)
    times.append(time.perf_counter() - start)
times = sorted(times[50:])
print(json.dumps({'p50': times[len(times) // 2] * 1e3, 'p90': times[int(len(times) * 0.9)] * 1e3, 'bytes': size}))
