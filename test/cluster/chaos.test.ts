// Chaos: three broker processes on etcd; for a minute a random broker is SIGKILLed and
// restarted, again and again, while librdkafka produces idempotently with acks=all
// (min.insync.replicas=2). Afterwards every acknowledged record is in the log exactly
// once, at the offset it was acknowledged with, and the log holds nothing else.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import test from 'ava';
import { freePort, type RunningEtcd, startEtcd } from '../etcd.js';
import { kafka, ROOT } from '../helpers.js';
import { kill, type Node, partitions, readEverything, startNode, until } from './process-cluster.js';

const CHAOS_MS = Number(process.env.KRILL_CHAOS_MS ?? 60_000);

let etcd: RunningEtcd | null = null;
const nodes: Node[] = [];
test.before(async () => {
  etcd = await startEtcd();
});
test.after.always(async () => {
  await Promise.all(nodes.map(kill));
  for (const n of nodes) fs.rmSync(n.dir, { recursive: true, force: true });
  await etcd?.stop();
});

test('a minute of brokers SIGKILLed and restarted under idempotent acks=all load: nothing acknowledged lost, nothing duplicated', async (t) => {
  t.timeout(CHAOS_MS + 180_000);
  for (let id = 0; id < 3; id++) nodes.push({ id, port: await freePort(), dir: fs.mkdtempSync(path.join(os.tmpdir(), `krill-chaos${id}-`)), proc: null });
  await Promise.all(nodes.map((n) => startNode(n, etcd!.metadataUrl)));
  const bootstrap = nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
  const admin = kafka(bootstrap).admin();
  await admin.connect();
  t.teardown(() => admin.disconnect());
  await admin.createTopics({ topics: [{ topic: 'chaos', numPartitions: 6, replicationFactor: 3, configEntries: [{ name: 'min.insync.replicas', value: '2' }] }], waitForLeaders: true });

  const total = Math.round(CHAOS_MS / 4);
  const producer = spawn('/usr/bin/python3', [path.join(ROOT, 'compat/cluster/produce_acked.py'), bootstrap, 'chaos', String(total), '6', String(CHAOS_MS / 1000)], { stdio: ['ignore', 'pipe', 'pipe'] });
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
    await new Promise((r) => setTimeout(r, 1000 + Math.random() * 2000));
    const victim = nodes[Math.floor(Math.random() * nodes.length)]!;
    await kill(victim);
    kills++;
    await new Promise((r) => setTimeout(r, 1000 + Math.random() * 3000));
    await startNode(victim, etcd!.metadataUrl);
  }
  t.log(`${kills} brokers SIGKILLed and restarted`);
  t.true(kills >= 3);
  const code = await exited;
  t.is(code, 0, `producer: ${lastLine} ${stderr}`);
  const ackedCount = [...acked.values()].reduce((n, v) => n + v.length, 0);
  t.is(ackedCount, total, 'the producer had every record acknowledged');

  const read = await readEverything(bootstrap, 'chaos', ackedCount);
  for (const [p, records] of acked) t.deepEqual(read.get(p), records.sort((a, b) => a[0] - b[0]), `partition ${p}: acknowledged records, once each, at their offsets`);
  // Nothing beyond them: the logs hold exactly the acknowledged records.
  await until('high watermarks settled', async () => (await partitions(admin, 'chaos')).every((p) => p.leader >= 0));
  const offsets = await admin.fetchTopicOffsets('chaos');
  const stored = offsets.reduce((n, o) => n + Number(o.high) - Number(o.low), 0);
  t.is(stored, ackedCount, 'no duplicate or stray record in the logs');
});
