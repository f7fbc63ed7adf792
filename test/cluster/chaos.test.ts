// Chaos: three broker processes on etcd; for a minute a random broker is SIGKILLed and
// restarted, again and again, while librdkafka produces idempotently with acks=all
// (min.insync.replicas=2). Afterwards every acknowledged record is in the log exactly
// once, at the offset it was acknowledged with, and the log holds nothing else.
import { spawn } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import test from 'ava';
import { killedWithWorker } from '../support/children.js';
import { eventually, kafka, partitionsOf, readEverything, ROOT, sleep } from '../support/helpers.js';
import { kill, useProcessCluster } from '../support/process-cluster.js';

const CHAOS_MS = Number(process.env.KRILL_CHAOS_MS ?? 60_000);

const cluster = useProcessCluster('chaos');

test('a minute of brokers SIGKILLed and restarted under idempotent acks=all load: nothing acknowledged lost, nothing duplicated', async (t) => {
  t.timeout(CHAOS_MS + 180_000);
  const bootstrap = await cluster.start(3);
  const nodes = cluster.nodes;
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'chaos', numPartitions: 6, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true });

  const total = Math.round(CHAOS_MS / 4);
  const producer = killedWithWorker(spawn('/usr/bin/python3', [path.join(ROOT, 'compat/cluster/produce_acked.py'), bootstrap, 'chaos', String(total), '6', String(CHAOS_MS / 1000)], { stdio: ['ignore', 'pipe', 'pipe'] }));
  t.teardown(() => producer.kill('SIGKILL'));
  let stderr = '';
  producer.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const acked = new Map<number, Array<[number, string]>>();
  let lastLine = '';
  readline.createInterface({ input: producer.stdout! }).on('line', (line) => {
    lastLine = line;
    const m = /^ACK (\d+) (\d+) (\S+)$/.exec(line);
    if (!m) return;
    if (!acked.has(Number(m[1]))) acked.set(Number(m[1]), []);
    acked.get(Number(m[1]))!.push([Number(m[2]), m[3]!]);
  });
  const exited = new Promise<number | null>((resolve) => producer.once('exit', resolve));

  // One broker down at a time, for 1-4 s, then back; the others keep min.insync.replicas.
  const end = Date.now() + CHAOS_MS;
  let kills = 0;
  while (Date.now() < end) {
    await sleep(1000 + Math.random() * 2000);
    const victim = nodes[Math.floor(Math.random() * nodes.length)]!;
    await kill(victim);
    kills++;
    await sleep(1000 + Math.random() * 3000);
    await cluster.restart(victim);
  }
  t.log(`${kills} brokers SIGKILLed and restarted`);
  t.true(kills >= 3);
  const code = await exited;
  t.is(code, 0, `producer: ${lastLine} ${stderr}\n${cluster.logTail()}`);
  const ackedCount = [...acked.values()].reduce((n, v) => n + v.length, 0);
  t.is(ackedCount, total, 'the producer had every record acknowledged');

  const read = await readEverything(bootstrap, 'chaos', ackedCount);
  for (const [p, records] of acked) t.deepEqual(read.get(p), records.sort((a, b) => a[0] - b[0]), `partition ${p}: acknowledged records, once each, at their offsets`);
  // Nothing beyond them: the logs hold exactly the acknowledged records.
  await eventually(async () => (await partitionsOf(admin, 'chaos')).every((p) => p.leader >= 0), 20_000, 'high watermarks settled');
  const offsets = await admin.fetchTopicOffsets('chaos');
  const stored = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  t.is(stored, ackedCount, 'no duplicate or stray record in the logs');
});
