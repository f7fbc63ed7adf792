// A cluster of separate `bin/krill` processes coordinated through a real etcd: placement,
// librdkafka producing idempotently with acks=all while the leader of some partitions is
// SIGKILLed and later restarted, every acknowledged record read back exactly once in
// order, the restarted broker back in every ISR, and a new controller after the
// controller is SIGKILLed.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import test from 'ava';
import { killedWithWorker } from '../support/children.js';
import { eventually, kafka, partitionsOf, readEverything, ROOT } from '../support/helpers.js';
import { kill, useProcessCluster } from '../support/process-cluster.js';

const cluster = useProcessCluster('node');

test('3 broker processes with etcd: librdkafka acks=all through a leader SIGKILL and restart, then controller failover', async (t) => {
  const bootstrap = await cluster.start(3);
  const nodes = cluster.nodes;
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'procs', numPartitions: 6, replicationFactor: 3 }], waitForLeaders: true });
  const before = await partitionsOf(admin, 'procs');
  const perBroker = [0, 1, 2].map((id) => before.filter((p) => p.leader === id).length);
  t.deepEqual(perBroker, [2, 2, 2], 'two leaders per broker');

  const total = 1500;
  const producer = killedWithWorker(spawn('/usr/bin/python3', [path.join(ROOT, 'compat/cluster/produce_acked.py'), bootstrap, 'procs', String(total), '6'], { stdio: ['ignore', 'pipe', 'pipe'] }));
  t.teardown(() => producer.kill('SIGKILL'));
  let stderr = '';
  producer.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const acked = new Map<number, Array<[number, string]>>();
  let acks = 0;
  let lastLine = '';
  const victim = nodes[before[0]!.leader]!;
  let killed = false;
  let restarted: Promise<void> | null = null;
  const rl = readline.createInterface({ input: producer.stdout! });
  rl.on('line', (line) => {
    lastLine = line;
    const m = /^ACK (\d+) (\d+) (\S+)$/.exec(line);
    if (!m) return;
    const p = Number(m[1]);
    if (!acked.has(p)) acked.set(p, []);
    acked.get(p)!.push([Number(m[2]), m[3]!]);
    acks++;
    if (!killed && acks >= total / 4) {
      killed = true;
      void kill(victim);
    }
    if (killed && !restarted && acks >= (total * 3) / 4) restarted = cluster.restart(victim);
  });
  const code = await new Promise<number | null>((resolve) => producer.once('exit', resolve));
  t.is(code, 0, `producer: ${lastLine} ${stderr}\n${cluster.logTail()}`);
  t.is(acks, total);
  await (restarted ?? cluster.restart(victim));

  // Every acknowledged record is there once, at its acknowledged offset, in order.
  const read = await readEverything(bootstrap, 'procs', total);
  for (const [p, records] of acked) t.deepEqual(read.get(p), records.sort((a, b) => a[0] - b[0]), `partition ${p}`);

  const fullIsrs = async () => (await partitionsOf(admin, 'procs')).every((p) => p.isr.length === 3);
  await eventually(fullIsrs, 20_000, 'the restarted broker back in every ISR');
  t.true(await fullIsrs(), 'the restarted broker caught up and rejoined every ISR');

  const controllerOf = async () => (await admin.describeCluster()).controller;
  const controller = await controllerOf();
  t.true(controller !== null && controller >= 0);
  await kill(nodes[controller!]!);
  await eventually(async () => {
    const now = await controllerOf();
    return now !== null && now >= 0 && now !== controller;
  }, 20_000, 'a new controller');
  // The new controller elects leaders for the dead one's partitions just after it takes over.
  const ledByLive = async () => (await partitionsOf(admin, 'procs')).every((p) => p.leader >= 0 && p.leader !== controller);
  await eventually(ledByLive, 20_000, 'leaders for the old controller\'s partitions');
  t.true(await ledByLive(), 'every partition led by a live broker');
});
