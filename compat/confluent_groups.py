#!/usr/bin/python3
"""Consumer groups with librdkafka (confluent-kafka) members in separate processes:
two members split a 6-partition topic with no overlap and nothing read twice; a third
joining gets partitions; a member killed with SIGKILL has its partitions moved to the
survivors after its session timeout; members commit and leave and a new member resumes
exactly from the committed offsets; a second group reads everything independently;
ListGroups/DescribeGroups show both; cooperative-sticky works."""
import json, os, signal, subprocess, sys, threading, time, uuid
from confluent_kafka import Consumer, KafkaException, Producer
from confluent_kafka.admin import AdminClient, NewTopic

SESSION_MS = 6000


def member(bootstrap, group, topic, strategy):
    assigned = set()
    def emit(kind, **kw):
        print(json.dumps(dict(kind=kind, **kw)), flush=True)
    c = Consumer({'bootstrap.servers': bootstrap, 'group.id': group, 'auto.offset.reset': 'earliest',
                  'enable.auto.commit': False, 'session.timeout.ms': SESSION_MS, 'heartbeat.interval.ms': 500,
                  'partition.assignment.strategy': strategy})
    def on_assign(cons, parts):
        assigned.update(p.partition for p in parts)
        if strategy == 'cooperative-sticky':
            cons.incremental_assign(parts)
        else:
            cons.assign(parts)
        emit('assign', partitions=sorted(assigned))
    def on_revoke(cons, parts):
        try:
            cons.commit(asynchronous=False)
        except Exception:
            pass
        assigned.difference_update(p.partition for p in parts)
        if strategy == 'cooperative-sticky':
            cons.incremental_unassign(parts)
        else:
            cons.unassign()
        emit('assign', partitions=sorted(assigned))
    c.subscribe([topic], on_assign=on_assign, on_revoke=on_revoke, on_lost=on_revoke)
    stop = []
    signal.signal(signal.SIGTERM, lambda *a: stop.append(1))
    while not stop:
        m = c.poll(0.2)
        if m is None or m.error():
            continue
        try:
            c.commit(message=m, asynchronous=False)
        except KafkaException:
            # A commit racing a rebalance is refused (REBALANCE_IN_PROGRESS or
            # ILLEGAL_GENERATION); the consumer rejoins and carries on, as applications do.
            pass
        emit('rec', p=m.partition(), o=m.offset(), v=m.value().decode())
    c.close()
    emit('closed')


class Member:
    def __init__(self, name, bootstrap, group, topic, strategy='range'):
        self.name = name
        self.proc = subprocess.Popen([sys.executable, __file__, '--member', bootstrap, group, topic, strategy],
                                     stdout=subprocess.PIPE, text=True)
        self.assigned = None
        self.recs = []
        self.closed = False
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self):
        for line in self.proc.stdout:
            e = json.loads(line)
            if e['kind'] == 'assign':
                self.assigned = e['partitions']
            elif e['kind'] == 'rec':
                self.recs.append((e['p'], e['o'], e['v']))
            elif e['kind'] == 'closed':
                self.closed = True

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(30)

    def kill(self):
        self.proc.kill()
        self.proc.wait(10)


def wait_for(cond, what, timeout=60):
    end = time.time() + timeout
    while time.time() < end:
        if cond():
            return
        time.sleep(0.1)
    raise AssertionError('timed out waiting for ' + what)


def produce(bootstrap, topic, start, n):
    p = Producer({'bootstrap.servers': bootstrap, 'acks': 'all'})
    for i in range(start, start + n):
        p.produce(topic, value=f'r{i}'.encode(), partition=i % 6)
    assert p.flush(20) == 0
    return {f'r{i}' for i in range(start, start + n)}


def split_ok(members):
    sets = [set(m.assigned or []) for m in members]
    union = set().union(*sets)
    return union == set(range(6)) and sum(len(s) for s in sets) == 6 and all(sets)


def main(bootstrap):
    admin = AdminClient({'bootstrap.servers': bootstrap})
    topic = 'grp-' + uuid.uuid4().hex[:8]
    admin.create_topics([NewTopic(topic, num_partitions=6, replication_factor=1)])[topic].result(10)
    group, group2 = 'g1-' + topic, 'g2-' + topic
    expected = produce(bootstrap, topic, 0, 600)

    a, b = Member('a', bootstrap, group, topic), Member('b', bootstrap, group, topic)
    wait_for(lambda: split_ok([a, b]), 'a and b to split the partitions')
    wait_for(lambda: len(a.recs) + len(b.recs) >= 600, 'a and b to read 600 records')
    recs = a.recs + b.recs
    assert len(recs) == len(set(recs)) == 600, 'no record read twice'
    assert {v for _, _, v in recs} == expected

    c = Member('c', bootstrap, group, topic)
    wait_for(lambda: split_ok([a, b, c]), 'a third member to get partitions')
    expected |= produce(bootstrap, topic, 600, 300)
    wait_for(lambda: len(a.recs) + len(b.recs) + len(c.recs) >= 900, 'three members to read 900 records')
    recs = a.recs + b.recs + c.recs
    assert len(recs) == len(set(recs)) == 900, 'no record read twice after the third joined'

    b.kill()
    t0 = time.time()
    wait_for(lambda: split_ok([a, c]), 'b\'s partitions to move to a and c after its session timeout')
    moved_after = time.time() - t0
    expected |= produce(bootstrap, topic, 900, 300)
    wait_for(lambda: {v for _, _, v in a.recs + b.recs + c.recs} >= expected, 'the survivors to read everything')

    a.stop()
    c.stop()
    expected_new = produce(bootstrap, topic, 1200, 100)
    d = Member('d', bootstrap, group, topic)
    wait_for(lambda: len(d.recs) >= 100, 'a new member to read what was produced after the others left')
    time.sleep(1)
    assert {v for _, _, v in d.recs} == expected_new and len(d.recs) == 100, 'resumed exactly from the committed offsets'

    e = Member('e', bootstrap, group2, topic)
    wait_for(lambda: len(e.recs) >= 1300, 'a second group to read everything')
    assert {v for _, _, v in e.recs} == expected | expected_new

    # list_groups in this binding is ListGroups followed by DescribeGroups.
    listed = {g.id: g for g in admin.list_groups(timeout=10)}
    assert group in listed and group2 in listed, listed.keys()
    for gid in (group, group2):
        g = listed[gid]
        assert g.state == 'Stable' and g.protocol_type == 'consumer' and len(g.members) == 1, (gid, g.state, g.members)
    d.stop()
    e.stop()

    # Cooperative-sticky: members keep their partitions while others move.
    group3 = 'g3-' + topic
    x = Member('x', bootstrap, group3, topic, 'cooperative-sticky')
    wait_for(lambda: x.assigned == list(range(6)), 'the first cooperative member to own all partitions')
    y = Member('y', bootstrap, group3, topic, 'cooperative-sticky')
    wait_for(lambda: split_ok([x, y]), 'cooperative rebalance to share the partitions')
    wait_for(lambda: {v for _, _, v in x.recs + y.recs} == expected | expected_new, 'cooperative members to read everything')
    x.stop()
    y.stop()
    print(f'ok: groups split, rebalanced, survived SIGKILL (moved after {moved_after:.1f}s), resumed from commits, cooperative-sticky')


if __name__ == '__main__':
    if sys.argv[1] == '--member':
        member(*sys.argv[2:6])
    else:
        main(sys.argv[1])
