// `make bench`: Krill side by side with librdkafka's mock cluster and the machine's
// ceilings, same workload in alternation, several runs, medians. Prints figures (never
// pass/fail) and writes them into bench/README.md. `--quick` runs fewer, smaller cases;
// `--only produce,consume` runs just the named sections (and, like --quick, leaves the README).
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { FrameReader } from '../src/broker/net/frame-reader.js';
import { startBroker } from '../src/index.js';
import { Writer } from '../src/protocol/primitives.js';
import { diskWrite, iperf3, nodeFileToSocket, nodeSocketToFile, startReplayServer } from './ceilings.js';
import { testPath } from './testpath.js';
import { makeCerts } from '../test/support/certs.js';
import { cpuSeconds, median, PEERS, rdkafkaPerformance, ROOT, rssMiB, startTarget, type Target, type TargetName } from './targets.js';

const quick = process.argv.includes('--quick');
const onlyArg = process.argv[process.argv.indexOf('--only') + 1];
const only = process.argv.includes('--only') && onlyArg ? new Set(onlyArg.split(',')) : null;
const RUNS = quick ? 1 : 3;
const MB = 1 << 20;
const out: string[] = [];
const say = (line: string) => {
  console.log(line);
  out.push(line);
};
const f = (n: number | null | undefined, digits = 0) => (n === null || n === undefined || Number.isNaN(n) ? 'n/a' : n.toFixed(digits));
const ratio = (a: number, b: number) => (b > 0 ? `${(a / b).toFixed(2)}×` : 'n/a');


interface Workload { size: number; partitions: number; acks: string; codec: string }

function produceArgs(t: Target, topic: string, w: Workload, count: number): string[] {
  return ['-P', '-t', topic, '-b', t.bootstrap, '-s', String(w.size), '-c', String(count), '-a', w.acks, '-z', w.codec,
    '-X', 'linger.ms=5', '-X', 'batch.size=1000000', '-X', 'queue.buffering.max.kbytes=1048576', '-q'];
}

/** One produce run of `count` records into `t`: MB/s, and the broker's CPU time per GB (10^9 bytes) sent. */
function produceRun(t: Target, topic: string, w: Workload, count: number): { mbs: number; cpuPerGb: number } {
  const before = cpuSeconds(t.proc.pid!);
  const mbs = rdkafkaPerformance(produceArgs(t, topic, w, count)).mbPerSec;
  return { mbs, cpuPerGb: (cpuSeconds(t.proc.pid!) - before) / ((count * w.size) / 1e9) };
}

/** Reads `count` records of partition 0 from the beginning, in fetches of up to 50 MB: MB/s. */
const consumeFromStart = (bootstrap: string, topic: string, count: number): number =>
  rdkafkaPerformance(['-C', '-t', topic, '-p', '0', '-b', bootstrap, '-o', 'beginning', '-c', String(count), '-e', '-q', '-X', 'fetch.max.bytes=52428800']).mbPerSec;

/**
 * One fresh broker's first `count` 1 KB records: started 6 s after the last run ended, by
 * when the memory that run freed has gone back to the host, as it has for a test suite's
 * first produce.
 */
async function freshBrokerRun(name: TargetName, count: number): Promise<{ mbs: number; cpuPerGb: number }> {
  await new Promise((resolve) => setTimeout(resolve, 6000));
  const t = await startTarget(name);
  await t.createTopic('first', 1);
  const r = produceRun(t, 'first', oneKb(1), count);
  await t.stop();
  return r;
}

/** 1 KB records, acks=1, no compression: the workload every section but the produce table uses. */
const oneKb = (partitions: number): Workload => ({ size: 1024, partitions, acks: '1', codec: 'none' });

async function produceSection(): Promise<void> {
  say('\n### Produce throughput (rdkafka_performance, MB/s, median of ' + RUNS + ' after 1.5 GB of warm-up runs)\n');
  say('The last column is the CPU time each broker process used per GB (10^9 bytes) produced: on two cores the');
  say('load generator needs more than one of them, so what a broker spends decides what it can be sent.\n');
  say('| workload | mock | krill memory | krill disk | memory / mock | disk / mock | broker CPU s/GB: mock / memory / disk |');
  say('|---|---:|---:|---:|---:|---:|---:|');
  let sinkLine = '';
  const workloads: Workload[] = quick
    ? [{ size: 1024, partitions: 1, acks: '1', codec: 'none' }]
    : [
      { size: 1024, partitions: 1, acks: '1', codec: 'none' },
      { size: 1024, partitions: 1, acks: '-1', codec: 'none' },
      { size: 1024, partitions: 8, acks: '1', codec: 'none' },
      { size: 1024, partitions: 64, acks: '1', codec: 'none' },
      { size: 1024, partitions: 8, acks: '-1', codec: 'none' },
      { size: 100, partitions: 1, acks: '1', codec: 'none' },
      { size: 10240, partitions: 1, acks: '1', codec: 'none' },
      { size: 1024, partitions: 1, acks: '1', codec: 'snappy' },
      { size: 1024, partitions: 1, acks: '1', codec: 'gzip' },
    ];
  for (const w of workloads) {
    const count = Math.min(2_000_000, Math.floor((quick ? 200 : 400) * MB / w.size));
    const targets = await Promise.all((['mock', 'krill-memory', 'krill-disk'] as TargetName[]).map((n) => startTarget(n)));
    // Unmeasured warm-up runs, 1.5 GB or more per broker: a fresh Krill process spends its
    // first gigabytes in the interpreter and in TurboFan compiling the produce path (broker
    // CPU per GB, 400 MB runs one after another: 0.81, 0.81, 0.72, 0.74, 0.57, 0.64, 0.55, 0.64),
    // and on memory no run has freed yet (bench/README.md, notes). The mock needs none.
    const warmups = quick ? 1 : Math.ceil(1.5e9 / (count * w.size));
    // The durable log's own target is a share of the Node socket → file ceiling; in the
    // first workload that ceiling is also measured between the brokers' runs, where page
    // cache memory freed seconds earlier has gone back to the host (see the notes), as it
    // has for Krill's disk runs, rather than only on its own at the start.
    const sink: number[] = [];
    const sinkDir = w === workloads[0] ? fs.mkdtempSync(path.join(os.tmpdir(), 'krill-sink-')) : null;
    const runs = await alternate(targets, warmups, `p-${w.size}-${w.partitions}`, (t, topic) => t.createTopic(topic, w.partitions), (t, topic) => produceRun(t, topic, w, count), sinkDir === null ? undefined : async (measured) => {
      const mbs = await nodeSocketToFile(sinkDir, count * w.size);
      if (measured) sink.push(mbs);
    });
    if (sinkDir !== null) fs.rmSync(sinkDir, { recursive: true, force: true });
    const mbs = (n: TargetName) => runs.get(n)!.map((r) => r.mbs);
    console.log(`  runs (MB/s): ${targets.map((t) => `${t.name} ${mbs(t.name).map((x) => f(x)).join(' ')}`).join(' | ')}`);
    const [m, km, kd] = [median(mbs('mock')), median(mbs('krill-memory')), median(mbs('krill-disk'))];
    const cpus = targets.map((t) => f(median(runs.get(t.name)!.map((r) => r.cpuPerGb)), 2)).join(' / ');
    say(`| ${w.size} B, ${w.partitions} partition(s), acks=${w.acks === '-1' ? 'all' : w.acks}, ${w.codec} | ${f(m)} | ${f(km)} | ${f(kd)} | ${ratio(km, m)} | ${ratio(kd, m)} | ${cpus} |`);
    if (sink.length > 0) sinkLine = `The Node socket → file ceiling measured between the brokers' runs of the first workload (${f(count * w.size / 1e6)} MB each): ${f(median(sink))} MB/s (runs ${sink.map((x) => f(x)).join(', ')}); Krill disk at ${ratio(kd, median(sink))} of it.`;
  }
  if (sinkLine) say(`\n${sinkLine}`);
}

/**
 * The same workload against each target in turn, RUNS times after `warmups` unmeasured
 * rounds; every run gets a topic of its own, deleted afterwards. Stops the targets and
 * returns each one's measured results, in run order.
 */
async function alternate<T>(targets: Target[], warmups: number, topicPrefix: string, create: (t: Target, topic: string) => Promise<void>,
  measure: (t: Target, topic: string) => T, alongside?: (measured: boolean) => Promise<void>): Promise<Map<TargetName, T[]>> {
  const results = new Map<TargetName, T[]>(targets.map((t) => [t.name, []]));
  for (let run = -warmups; run < RUNS; run++) {
    for (const t of targets) {
      const topic = `${topicPrefix}-${run + warmups}`;
      await create(t, topic);
      const r = measure(t, topic);
      if (run >= 0) results.get(t.name)!.push(r);
      await t.deleteTopic(topic);
    }
    await alongside?.(run >= 0);
  }
  await Promise.all(targets.map((t) => t.stop()));
  return results;
}

/**
 * The optional native addon (native/crc32c: the CRC check of every produced batch),
 * measured by running the same Krill with and without it (KRILL_ADDONS=none), in
 * alternation. An addon is kept only where this shows an end-to-end gain of 10% or more.
 */
async function addonsSection(): Promise<void> {
  const variants: Array<[TargetName, string]> = [
    ['krill-memory', 'crc32c'], ['krill-memory-no-addons', 'none'], ['krill-disk', 'crc32c'], ['krill-disk-no-addons', 'none'],
  ];
  const names = variants.map(([n]) => n);
  const w = oneKb(1);
  const count = Math.floor((quick ? 200 : 400) * MB / w.size);
  const consumeCount = quick ? 200_000 : 1_000_000;
  const produced = await alternate(await Promise.all(names.map((n) => startTarget(n))), quick ? 1 : Math.ceil(1.5e9 / (count * w.size)), 'addons-p',
    (t, topic) => t.createTopic(topic, 1), (t, topic) => produceRun(t, topic, w, count));
  const targets = await Promise.all(names.map((n) => startTarget(n)));
  const consumed = new Map<TargetName, number[]>(names.map((n) => [n, []]));
  for (const t of targets) {
    await t.createTopic('addons-c', 1);
    rdkafkaPerformance(produceArgs(t, 'addons-c', w, consumeCount));
  }
  for (let run = -1; run < RUNS; run++) {
    for (const t of targets) {
      const mbs = consumeFromStart(t.bootstrap, 'addons-c', consumeCount);
      if (run >= 0) consumed.get(t.name)!.push(mbs);
    }
  }
  await Promise.all(targets.map((t) => t.stop()));
  // What a test suite's broker meets: its first data, into memory it has never touched.
  const fresh = new Map<TargetName, Array<{ mbs: number; cpuPerGb: number }>>(names.filter((n) => n.startsWith('krill-memory')).map((n) => [n, []]));
  for (let i = 0; i < 3; i++) for (const n of fresh.keys()) fresh.get(n)!.push(await freshBrokerRun(n, count));
  say(`\n### The native addon: the same Krill with and without it (KRILL_ADDONS=none), 1 KB records, one partition, acks=1, median of ${RUNS}\n`);
  say(`Produce: ${f(count * w.size / 1e6)} MB runs after warm-up; consume: ${consumeCount.toLocaleString('en')} records from the beginning; a fresh broker: its first ${f(count * w.size / 1e6)} MB (3 fresh brokers each). Gain: against the same storage with none.\n`);
  say('| storage | addons | produce MB/s | CPU s/GB | gain | consume MB/s | gain | fresh broker MB/s | CPU s/GB | gain |');
  say('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  const gain = (a: number, b: number) => (b > 0 ? `${(((a / b) - 1) * 100).toFixed(0)}%` : 'n/a');
  const none = (n: TargetName): TargetName => (n.startsWith('krill-disk') ? 'krill-disk-no-addons' : 'krill-memory-no-addons');
  for (const [n, label] of variants) {
    const p = median(produced.get(n)!.map((r) => r.mbs));
    const pNone = median(produced.get(none(n))!.map((r) => r.mbs));
    const c = median(consumed.get(n)!);
    const fr = fresh.get(n);
    const frCells = fr ? `${f(median(fr.map((r) => r.mbs)))} | ${f(median(fr.map((r) => r.cpuPerGb)), 2)} | ${gain(median(fr.map((r) => r.mbs)), median(fresh.get(none(n))!.map((r) => r.mbs)))}` : '– | – | –';
    say(`| ${n.startsWith('krill-disk') ? 'disk' : 'memory'} | ${label} | ${f(p)} | ${f(median(produced.get(n)!.map((r) => r.cpuPerGb)), 2)} | ${gain(p, pNone)} | ${f(c)} | ${gain(c, median(consumed.get(none(n))!))} | ${frCells} |`);
  }
  console.log(`  produce runs (MB/s): ${names.map((n) => `${n} ${produced.get(n)!.map((r) => f(r.mbs)).join(' ')}`).join(' | ')}`);
}

async function consumeSection(fileToSocket: number): Promise<void> {
  say('\n### Consume throughput (rdkafka_performance -C from the beginning, MB/s, median)\n');
  // The mock keeps only a small window of each partition (about 4,700 1 KB records were
  // readable after 200,000 were produced), so the side-by-side case fits that window.
  const window = 4000;
  const small: Record<string, number[]> = { mock: [], 'krill-memory': [], 'krill-disk': [] };
  const big: Record<string, number> = {};
  const bigCount = quick ? 200_000 : 1_000_000;
  const targets = await Promise.all((['mock', 'krill-memory', 'krill-disk'] as TargetName[]).map((n) => startTarget(n)));
  for (const t of targets) {
    await t.createTopic('c-small', 1);
    // Full batches (967 records each) for every broker: with linger.ms=5 the producer's
    // first batch took whatever had queued by then (239 records against Krill, 967 against
    // the mock), and rdkafka_performance times from the first record received, so the
    // brokers were timed over different amounts of data.
    rdkafkaPerformance([...produceArgs(t, 'c-small', oneKb(1), window), '-X', 'linger.ms=1000']);
  }
  // Each run reads 4 MB in a few milliseconds: many runs, in alternation so that drift in
  // the machine's speed hits every broker alike, so the median means something (with 15
  // measured runs each, two full runs on one day read the mock at 848 and 1,573 MB/s). As
  // for produce, unmeasured runs come first: a fresh Krill serves its first hundred fetches
  // before V8 has optimised the fetch path.
  const consumeWindow = (bootstrap: string) => rdkafkaPerformance(['-C', '-t', 'c-small', '-p', '0', '-b', bootstrap, '-o', 'beginning', '-c', String(window), '-e', '-q']).mbPerSec;
  // The floor for any broker in Node on this case: a server that replays Krill's answers.
  const replay = await startReplayServer(targets.find((t) => t.name === 'krill-memory')!.bootstrap);
  const replayed: number[] = [];
  for (let i = -(quick ? 3 : 15); i < (quick ? 3 : 40); i++) {
    for (const t of targets) {
      const mbs = consumeWindow(t.bootstrap);
      if (i >= 0) small[t.name]!.push(mbs);
    }
    const mbs = consumeWindow(replay.bootstrap);
    if (i >= 0) replayed.push(mbs);
  }
  replay.stop();
  // The broker's side alone: 1 MB fetches on one warm connection, from a client that only
  // reads the bytes into one buffer (p50 round trip, and the broker's CPU per fetch).
  const rtt: Record<string, number[]> = { mock: [], 'krill-memory': [], 'krill-disk': [] };
  const rttCpu: Record<string, number[]> = { mock: [], 'krill-memory': [], 'krill-disk': [] };
  const fetches = quick ? 500 : 2000;
  for (let i = 0; i < 3; i++) {
    for (const t of targets) {
      const [host, port] = t.bootstrap.split(',')[0]!.split(':');
      const before = cpuSeconds(t.proc.pid!);
      const r = JSON.parse(execFileSync('/usr/bin/python3', [path.join(ROOT, 'bench/fetch_rtt.py'), host!, port!, 'c-small', String(fetches), '0', '1000', '2000', '3000'], { encoding: 'utf8', timeout: 120000 })) as { p50: number };
      rttCpu[t.name]!.push(((cpuSeconds(t.proc.pid!) - before) / fetches) * 1e3);
      rtt[t.name]!.push(r.p50);
    }
  }
  for (const t of targets) {
    if (t.name !== 'mock') {
      await t.createTopic('c-big', 1);
      rdkafkaPerformance(produceArgs(t, 'c-big', oneKb(1), bigCount));
      big[t.name] = median(Array.from({ length: RUNS }, () => consumeFromStart(t.bootstrap, 'c-big', bigCount)));
    }
    await t.stop();
  }
  const [m, km, kd, nr] = [median(small.mock!), median(small['krill-memory']!), median(small['krill-disk']!), median(replayed)];
  say('The last columns: a bare Node server that answers every request with the bytes Krill answered it with before (no decoding, handling or encoding), and Krill (memory) against it.\n');
  say('| case | mock | krill memory | krill disk | memory / mock | disk / mock | Node replay | memory / replay |');
  say('|---|---:|---:|---:|---:|---:|---:|---:|');
  say(`| ${window} × 1 KB (fits the mock's window) | ${f(m)} | ${f(km)} | ${f(kd)} | ${ratio(km, m)} | ${ratio(kd, m)} | ${f(nr)} | ${ratio(km, nr)} |`);
  say(`\nOne 1 MB fetch after another on one connection (\`bench/fetch_rtt.py\`, ${fetches} fetches, median of 3 runs): round trip p50 and the broker's CPU per fetch, ms.\n`);
  say('| | mock | krill memory | krill disk | memory / mock | disk / mock |');
  say('|---|---:|---:|---:|---:|---:|');
  const [rm, rkm, rkd] = [median(rtt.mock!), median(rtt['krill-memory']!), median(rtt['krill-disk']!)];
  say(`| round trip p50 | ${f(rm, 2)} | ${f(rkm, 2)} | ${f(rkd, 2)} | ${ratio(rkm, rm)} | ${ratio(rkd, rm)} |`);
  const [cm, ckm, ckd] = [median(rttCpu.mock!), median(rttCpu['krill-memory']!), median(rttCpu['krill-disk']!)];
  say(`| broker CPU per fetch | ${f(cm, 2)} | ${f(ckm, 2)} | ${f(ckd, 2)} | ${ratio(ckm, cm)} | ${ratio(ckd, cm)} |`);
  say(`\n| case | krill memory | krill disk | Node file→socket ceiling | disk / ceiling |`);
  say('|---|---:|---:|---:|---:|');
  say(`| ${bigCount.toLocaleString('en')} × 1 KB | ${f(big['krill-memory'])} | ${f(big['krill-disk'])} | ${f(fileToSocket)} | ${ratio(big['krill-disk']!, fileToSocket)} |`);
}

/**
 * Replication: one partition with three replicas on three brokers. Krill's in-process
 * cluster (what a test suite starts; all three brokers share one Node process, so every
 * byte is written three times by one thread) against librdkafka's 3-broker mock (which
 * keeps one copy: its "replicas" are bookkeeping), so the ratio shows the cost of real
 * replication, with acks=all waiting for the ISR.
 */
async function replicationSection(): Promise<void> {
  say('\n### Replicated produce: 3 brokers, 1 partition with 3 replicas, 1 KB (rdkafka_performance, MB/s, median of ' + RUNS + ')\n');
  say('| acks | mock (3 brokers) | krill in-process cluster | krill / mock |');
  say('|---|---:|---:|---:|');
  const count = Math.floor((quick ? 100 : 200) * MB / 1024);
  for (const acks of ['1', '-1']) {
    const targets = [await startTarget('mock', { brokers: 3 }), await startTarget('krill-cluster')];
    // Warm-up runs as for produce (1.5 GB per broker): three brokers share one V8 here, and
    // a fresh one runs its first gigabytes unoptimised.
    const warmups = quick ? 1 : Math.ceil(1.5e9 / (count * 1024));
    const runs = await alternate(targets, warmups, `r-${acks}`, (t, topic) => t.createTopic(topic, 1, 3),
      (t, topic) => rdkafkaPerformance(produceArgs(t, topic, { size: 1024, partitions: 1, acks, codec: 'none' }, count)).mbPerSec);
    const [m, k] = [median(runs.get('mock')!), median(runs.get('krill-cluster')!)];
    say(`| ${acks === '-1' ? 'all' : acks} | ${f(m)} | ${f(k)} | ${ratio(k, m)} |`);
  }
}

async function latencySection(): Promise<void> {
  say('\n### End-to-end latency at 10,000 msgs/s of 1 KB (bench/latency.py, librdkafka producer and consumer, ms)\n');
  say('| broker | p50 | p99 | p99.9 |');
  say('|---|---:|---:|---:|');
  for (const name of ['mock', 'krill-memory', 'krill-disk'] as TargetName[]) {
    const t = await startTarget(name);
    // The first run warms every broker up (JIT, the group coordinator's topic); the second is reported.
    const measure = (seconds: string) => JSON.parse(execFileSync('/usr/bin/python3', [path.join(ROOT, 'bench/latency.py'), t.bootstrap, '10000', seconds], { encoding: 'utf8', timeout: 120000 })) as { p50: number; p99: number; p999: number };
    measure('2');
    const r = measure(quick ? '3' : '8');
    say(`| ${name} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.p999, 2)} |`);
    await t.stop();
  }
  // Deleting a topic must not hold up the broker's other clients while its files go: Kafka
  // removes them later, off its request threads, and so does Krill.
  const t = await startTarget('krill-disk');
  const bytes = (quick ? 0.25 : 1) * 1e9;
  await t.createTopic('doomed', 1);
  rdkafkaPerformance(produceArgs(t, 'doomed', oneKb(1), bytes / 1024));
  const rtts = await roundTripsWhile(Number(t.bootstrap.split(':')[1]), () => t.deleteTopic('doomed'));
  await t.stop();
  say(`\nApiVersions requests one after another to Krill's durable log while a topic holding ${f(bytes / 1e9, 2)} GB is deleted: ${rtts.length} round trips, median ${f(median(rtts), 2)} ms, longest ${f(Math.max(...rtts), 1)} ms.`);
}

/** Round-trip times (ms) of ApiVersions v0 requests sent one after another on one connection while `work` runs, and 100 ms after. */
async function roundTripsWhile(port: number, work: () => Promise<void>): Promise<number[]> {
  const s = net.connect(port, '127.0.0.1');
  await new Promise((resolve) => s.once('connect', resolve));
  const rtts: number[] = [];
  let stop = false;
  const answers = new FrameReader(Number.MAX_SAFE_INTEGER);
  let answered: () => void = () => undefined;
  s.on('data', (d: Buffer) => {
    if (answers.push(d).length > 0) answered();
  });
  const pinging = (async () => {
    while (!stop) {
      const t0 = performance.now();
      await new Promise<void>((resolve) => {
        answered = resolve;
        s.write(API_VERSIONS_V0);
      });
      rtts.push(performance.now() - t0);
    }
  })();
  await new Promise((resolve) => setTimeout(resolve, 100));
  await work();
  await new Promise((resolve) => setTimeout(resolve, 100));
  stop = true;
  await pinging;
  s.destroy();
  return rtts;
}

async function startupSection(): Promise<void> {
  say('\n### Start-up to first served request (median of 10, ms) and resident memory when idle (MiB)\n');
  const inProcess: number[] = [];
  for (let i = 0; i < 10; i++) {
    const t0 = performance.now();
    const b = await startBroker();
    await apiVersionsRoundTrip(b.port);
    inProcess.push(performance.now() - t0);
    await b.close();
  }
  const proc: Record<string, number[]> = { mock: [], 'krill-disk': [] };
  const idle: Record<string, number> = {};
  for (let i = 0; i < 10; i++) {
    for (const name of ['mock', 'krill-disk'] as TargetName[]) {
      const t0 = performance.now();
      const t = await startTarget(name);
      await apiVersionsRoundTrip(Number(t.bootstrap.split(':')[1]));
      proc[name]!.push(performance.now() - t0);
      if (i === 0) idle[name] = rssMiB(t.proc.pid!);
      await t.stop();
    }
  }
  const km = await startTarget('krill-memory');
  idle['krill-memory'] = rssMiB(km.proc.pid!);
  await km.stop();
  say('| case | ms | idle RSS (MiB) |');
  say('|---|---:|---:|');
  say(`| Krill in-process \`startBroker()\` | ${f(median(inProcess), 1)} | ${f(idle['krill-memory'], 0)} (as its own process) |`);
  say(`| Krill \`bin/krill start\` process | ${f(median(proc['krill-disk']!), 1)} | ${f(idle['krill-disk'], 0)} |`);
  say(`| librdkafka mock process | ${f(median(proc.mock!), 1)} | ${f(idle.mock, 0)} |`);
  await connectionSetup();
  await firstData();
}

/**
 * A fresh broker's first data, which is what a test suite's broker meets: Krill with
 * in-memory storage keeps every byte, in memory it has never touched before.
 */
async function firstData(): Promise<void> {
  const bytes = (quick ? 200 : 400) * MB;
  const rows: string[] = [];
  for (const name of ['mock', 'krill-memory'] as TargetName[]) {
    const runs: Array<{ mbs: number; cpuPerGb: number }> = [];
    for (let i = 0; i < 3; i++) runs.push(await freshBrokerRun(name, Math.floor(bytes / 1024)));
    rows.push(`| ${name} | ${f(median(runs.map((r) => r.mbs)))} | ${f(median(runs.map((r) => r.cpuPerGb)), 2)} |`);
  }
  say(`\nThe first ${f(bytes / MB)} MB into a fresh broker (1 KB, one partition, acks=1; median of 3 fresh brokers): MB/s and the broker's CPU per GB.\n`);
  say('| broker | MB/s | CPU s/GB |');
  say('|---|---:|---:|');
  for (const r of rows) say(r);
}

/**
 * What each new client connection costs the broker: a test suite pays it for every client
 * it makes. One connection at a time: connect, ApiVersions v0, close; alternating rounds
 * after one unmeasured round each.
 */
async function connectionSetup(): Promise<void> {
  const n = quick ? 200 : 1000;
  const targets = await Promise.all((['mock', 'krill-memory'] as TargetName[]).map((name) => startTarget(name)));
  const cpu: Record<string, number[]> = { mock: [], 'krill-memory': [] };
  const latency: Record<string, number[]> = { mock: [], 'krill-memory': [] };
  for (let round = -1; round < RUNS; round++) {
    for (const t of targets) {
      const port = Number(t.bootstrap.split(',')[0]!.split(':')[1]);
      const before = cpuSeconds(t.proc.pid!);
      for (let i = 0; i < n; i++) {
        const t0 = performance.now();
        await apiVersionsRoundTrip(port);
        if (round >= 0) latency[t.name]!.push(performance.now() - t0);
      }
      if (round >= 0) cpu[t.name]!.push(((cpuSeconds(t.proc.pid!) - before) / n) * 1e6);
    }
  }
  await Promise.all(targets.map((t) => t.stop()));
  say(`\nA new connection (connect, ApiVersions v0, close; ${n} one after another, ${RUNS} rounds): the broker's CPU per connection (median of rounds) and the time to the first answer (p50 of all).\n`);
  say('| | mock | krill memory | krill / mock |');
  say('|---|---:|---:|---:|');
  const [cm, ck] = [median(cpu.mock!), median(cpu['krill-memory']!)];
  const [lm, lk] = [median(latency.mock!), median(latency['krill-memory']!)];
  say(`| broker CPU per connection (µs) | ${f(cm, 0)} | ${f(ck, 0)} | ${ratio(ck, cm)} |`);
  say(`| connect to first answer (ms) | ${f(lm, 2)} | ${f(lk, 2)} | ${ratio(lk, lm)} |`);
}

/** An ApiVersions v0 request frame: size, api key 18, version 0, correlation id 1, null client id. */
const API_VERSIONS_V0 = new Writer().int32(10).int16(18).int16(0).int32(1).int16(-1).toBuffer();

/** Connects, sends ApiVersions v0 and waits for the answer; keeps the connection open in `keep` if given. */
function apiVersionsRoundTrip(port: number, keep?: net.Socket[]): Promise<void> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => s.write(API_VERSIONS_V0));
    s.once('data', () => {
      if (keep) keep.push(s);
      else s.destroy();
      resolve();
    });
    s.once('error', reject);
  });
}

/**
 * RSS growth per partition or connection. The process's own RSS moves by a megabyte or so
 * between samples (heap growth, collections), which swamps a handful of units: below 100
 * the figure would be noise (it read 110 KiB per partition for 8, and -292 KiB for one connection).
 */
function perUnitKiB(beforeMiB: number, afterMiB: number, n: number): string {
  return n >= 100 ? f(((afterMiB - beforeMiB) * 1024) / n, 1) : '–';
}

/**
 * Produce runs of 1 KB records into a fresh in-memory broker: the first (into memory the
 * process has never touched, as a test suite's broker meets it; bench/README.md, notes),
 * then three more, each into the topic made again, which take recycled memory, like the
 * produce table's runs: the median of those, and the broker's CPU per GB in them.
 */
async function firstAndThen(t: Target, topic: string, partitions: number, count: number): Promise<{ first: number; then: number; cpu: number }> {
  const first = produceRun(t, topic, oneKb(partitions), count).mbs;
  const later: Array<{ mbs: number; cpuPerGb: number }> = [];
  for (let i = 0; i < 3; i++) {
    await t.deleteTopic(topic);
    await t.createTopic(topic, partitions);
    later.push(produceRun(t, topic, oneKb(partitions), count));
  }
  return { first, then: median(later.map((r) => r.mbs)), cpu: median(later.map((r) => r.cpuPerGb)) };
}

async function growthSection(): Promise<void> {
  const count = quick ? 100_000 : 300_000;
  say('\n### Growth: partitions and connections (Krill memory storage, 1 KB, acks=1)\n');
  say(`Produce: the first ${f((count * 1024) / MB)} MB into a fresh broker, then the median of three more runs into the topic made again (CPU: the broker's, per GB, in those).\n`);
  say('| partitions | produce MB/s, first | produce MB/s, then | CPU s/GB, then | RSS after create (MiB) | KiB per partition |');
  say('|---:|---:|---:|---:|---:|---:|');
  for (const n of quick ? [1, 1000] : [1, 8, 100, 1000]) {
    const t = await startTarget('krill-memory');
    await new Promise((r) => setTimeout(r, 300));
    const before = rssMiB(t.proc.pid!);
    await t.createTopic('grow', n);
    await new Promise((r) => setTimeout(r, 300));
    const after = rssMiB(t.proc.pid!);
    const p = await firstAndThen(t, 'grow', n, count);
    say(`| ${n} | ${f(p.first)} | ${f(p.then)} | ${f(p.cpu, 2)} | ${f(after, 1)} | ${perUnitKiB(before, after, n)} |`);
    await t.stop();
  }
  say('\n| idle connections | RSS (MiB) | KiB per connection | produce MB/s alongside, first | then |');
  say('|---:|---:|---:|---:|---:|');
  for (const n of quick ? [1, 1000] : [1, 100, 1000]) {
    const t = await startTarget('krill-memory');
    const port = Number(t.bootstrap.split(':')[1]);
    await new Promise((r) => setTimeout(r, 300));
    const before = rssMiB(t.proc.pid!);
    const socks: net.Socket[] = [];
    for (let i = 0; i < n; i++) {
      await apiVersionsRoundTrip(port, socks);
    }
    await new Promise((r) => setTimeout(r, 300));
    const after = rssMiB(t.proc.pid!);
    await t.createTopic('conn', 1);
    const p = await firstAndThen(t, 'conn', 1, count);
    say(`| ${n} | ${f(after, 1)} | ${perUnitKiB(before, after, n)} | ${f(p.first)} | ${f(p.then)} |`);
    for (const s of socks) s.destroy();
    await t.stop();
  }
}

async function recoverySection(): Promise<void> {
  say('\n### Recovery after SIGKILL (Krill durable log, 1 KB records, one partition)\n');
  say('| log size | write MB/s (acks=1) | restart after SIGKILL (ms) | restart after SIGTERM (ms) |');
  say('|---:|---:|---:|---:|');
  for (const gb of quick ? [1] : [1, 4]) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'krill-recovery-'));
    let t = await startTarget('krill-disk', { dataDir });
    await t.createTopic('rec', 1);
    const mbs = rdkafkaPerformance(produceArgs(t, 'rec', oneKb(1), gb * 1024 * 1024), 600000).mbPerSec;
    t.proc.kill('SIGKILL');
    await new Promise((r) => t.proc.once('exit', r));
    t = await startTarget('krill-disk', { dataDir });
    const killed = t.startMs;
    await t.stop();
    t = await startTarget('krill-disk', { dataDir });
    const clean = t.startMs;
    await t.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
    say(`| ${gb} GiB | ${f(mbs)} | ${f(killed)} | ${f(clean)} |`);
  }
}

/**
 * Transactional produce (bench/peers/txn_producer.c, librdkafka): 1 KB records to one
 * partition in transactions of 100 and of 1,000, each committed before the next begins,
 * beside the same producer idempotent without transactions. The mock serves transactions
 * too, so the ratios compare like with like.
 */
async function transactionsSection(): Promise<void> {
  const count = quick ? 20_000 : 100_000;
  say(`\n### Transactional produce (librdkafka, ${count.toLocaleString('en')} × 1 KB to one partition, MB/s, median of ${RUNS})\n`);
  say('| records per transaction | mock | krill memory | krill disk | memory / mock | disk / mock |');
  say('|---|---:|---:|---:|---:|---:|');
  const names: TargetName[] = ['mock', 'krill-memory', 'krill-disk'];
  const rows = new Map<number, number[][]>([[0, [[], [], []]], [100, [[], [], []]], [1000, [[], [], []]]]);
  for (let run = 0; run < RUNS; run++) {
    for (const [i, name] of names.entries()) {
      const t = await startTarget(name);
      for (const per of rows.keys()) {
        const topic = `txn-${per}-${run}`;
        await t.createTopic(topic, 1);
        const outText = execFileSync(path.join(PEERS, 'txn_producer'), [t.bootstrap, topic, String(count), '1024', String(per)], { encoding: 'utf8', timeout: 300_000 });
        rows.get(per)![i]!.push(Number(outText.trim().split(' ')[0]));
      }
      await t.stop();
    }
  }
  for (const [per, [mock, memory, disk]] of rows) {
    const [m, k, d] = [median(mock!), median(memory!), median(disk!)];
    say(`| ${per === 0 ? 'none (idempotent)' : per.toLocaleString('en')} | ${f(m)} | ${f(k)} | ${f(d)} | ${ratio(k, m)} | ${ratio(d, m)} |`);
  }
}

async function testPathSection(): Promise<void> {
  const runs = quick ? 2 : 5;
  const r = await testPath(runs);
  say(`\n### The path a test pays (median of ${runs}, ms)\n`);
  say('From nothing to a consumer\'s first record: the broker started, a topic made, one record produced, a consumer in a new group joined, synced and fetched it. Krill starts in-process (`startBroker()`), the mock as its process.\n');
  say('| path | mock | krill | krill / mock |');
  say('|---|---:|---:|---:|');
  say(`| librdkafka (confluent-kafka) | ${f(r.librdkafka.mock)} | ${f(r.librdkafka.krill)} | ${ratio(r.librdkafka.krill, r.librdkafka.mock)} |`);
  say(`| kafkajs | n/a (no CreateTopics) | ${f(r.kafkajs)} | |`);
  say(`| \`reset()\` to a topic made again | n/a | ${f(r.reset)} | |`);
}

/**
 * Security: the same in-memory Krill with a PLAINTEXT listener and with SASL_SSL
 * (SCRAM-SHA-512 over TLS 1.3, certificates made by openssl here), produce and consume
 * with rdkafka_performance in alternation: the ratio is what TLS and SASL cost.
 */
async function securitySection(): Promise<void> {
  // Every run's records stay in the brokers' memory (the secured one cannot be sent kafkajs's DeleteTopics): 5 runs of 200 MB each.
  const count = quick ? 50_000 : 200_000;
  const certs = makeCerts(fs.mkdtempSync(path.join(os.tmpdir(), 'krill-bench-certs-')));
  const secured = {
    KRILL_BENCH_CONFIG: JSON.stringify({
      listeners: 'SASL_SSL://127.0.0.1:0', 'sasl.enabled.mechanisms': 'SCRAM-SHA-512',
      'ssl.keystore.type': 'PEM', 'ssl.keystore.location': certs.brokerPem,
    }),
    KRILL_BENCH_SCRAM: 'bench:bench-secret',
  };
  const client = ['security.protocol=sasl_ssl', 'sasl.mechanisms=SCRAM-SHA-512', 'sasl.username=bench', 'sasl.password=bench-secret',
    `ssl.ca.location=${certs.ca}`, 'ssl.endpoint.identification.algorithm=none'].flatMap((x) => ['-X', x]);
  const cases = [
    { name: 'PLAINTEXT', target: 'krill-memory' as TargetName, env: {}, args: [] as string[] },
    { name: 'SASL_SSL', target: 'krill-memory-sasl-ssl' as TargetName, env: secured, args: client },
  ];
  const produced: number[][] = [[], []];
  const consumed: number[][] = [[], []];
  const cpu: number[][] = [[], []];
  const targets = [];
  for (const c of cases) targets.push(await startTarget(c.target, { env: c.env }));
  // Unmeasured runs first (a fresh Node process spends its first gigabyte in V8's compilers), then alternation.
  for (let run = -2; run < RUNS; run++) {
    for (const [i, c] of cases.entries()) {
      const t = targets[i]!;
      // Each run's topic is made by the producer's first Metadata (auto-creation), alike on both.
      const topic = `sec-${run + 2}`;
      const before = cpuSeconds(t.proc.pid!);
      const p = rdkafkaPerformance([...produceArgs(t, topic, oneKb(1), count), ...c.args]).mbPerSec;
      const cpuPerGb = (cpuSeconds(t.proc.pid!) - before) / ((count * 1024) / 1e9);
      const r = rdkafkaPerformance(['-C', '-t', topic, '-p', '0', '-b', t.bootstrap, '-o', 'beginning', '-c', String(count), '-e', '-q', '-X', 'fetch.max.bytes=52428800', ...c.args]).mbPerSec;
      if (run < 0) continue;
      produced[i]!.push(p);
      consumed[i]!.push(r);
      cpu[i]!.push(cpuPerGb);
    }
  }
  for (const t of targets) await t.stop();
  fs.rmSync(certs.dir, { recursive: true, force: true });
  say(`\n### Security (Krill in memory, ${count.toLocaleString('en')} × 1 KB on one partition, rdkafka_performance, MB/s, median of ${RUNS})\n`);
  say('SASL_SSL is SCRAM-SHA-512 over TLS (OpenSSL on both sides, Node\'s `tls` in the broker). The broker CPU row is per GB produced.\n');
  say('| case | PLAINTEXT | SASL_SSL | SASL_SSL / PLAINTEXT |');
  say('|---|---:|---:|---:|');
  const row = (label: string, xs: number[][], digits = 0) => say(`| ${label} | ${f(median(xs[0]!), digits)} | ${f(median(xs[1]!), digits)} | ${ratio(median(xs[1]!), median(xs[0]!))} |`);
  row('produce, acks=1', produced);
  row('consume from the beginning', consumed);
  row('broker CPU s/GB produced', cpu, 2);
}

/** The sections in the order they run; `--only` names them by these keys. */
const sections = (fileToSocket: number): Record<string, () => Promise<void>> => ({
  produce: produceSection,
  consume: () => consumeSection(fileToSocket),
  replication: replicationSection,
  latency: latencySection,
  startup: startupSection,
  growth: growthSection,
  recovery: recoverySection,
  addons: addonsSection,
  transactions: transactionsSection,
  testpath: testPathSection,
  security: securitySection,
});

async function main(): Promise<void> {
  const known = Object.keys(sections(0));
  for (const s of only ?? []) if (!known.includes(s)) throw new Error(`--only: no section "${s}" (sections: ${known.join(', ')})`);
  if (!['rdkafka_performance', 'txn_producer'].every((p) => fs.existsSync(path.join(PEERS, p)))) execFileSync('bash', [path.join(ROOT, 'bench/setup.sh')], { stdio: 'inherit' });
  const cpu = os.cpus()[0]?.model ?? 'unknown';
  say(`Machine: ${os.cpus().length} × ${cpu}, ${Math.round(os.totalmem() / 2 ** 30)} GiB RAM, Node ${process.version}, ${new Date().toISOString().slice(0, 10)}. Command: \`make bench\`${quick ? ' (quick)' : ''}.`);
  say('\n### Ceilings of this machine\n');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'krill-ceil-'));
  const bytes = (quick ? 512 : 1024) * MB;
  const tcp = iperf3();
  const disk = diskWrite(dir, bytes);
  const s2f = median(await Promise.all([nodeSocketToFile(dir, bytes)]).then(async (a) => [...a, await nodeSocketToFile(dir, bytes)]));
  const f2s = median([await nodeFileToSocket(dir, bytes), await nodeFileToSocket(dir, bytes)]);
  fs.rmSync(dir, { recursive: true, force: true });
  say('| ceiling | MB/s |');
  say('|---|---:|');
  say(`| loopback TCP (iperf3) | ${f(tcp)} |`);
  say(`| sequential write, page cache (1 MiB writes) | ${f(disk.noFsync)} |`);
  say(`| sequential write, with fdatasync at the end | ${f(disk.fsync)} |`);
  say(`| Node: socket → file | ${f(s2f)} |`);
  say(`| Node: file → socket | ${f(f2s)} |`);
  for (const [name, run] of Object.entries(sections(f2s))) if (only === null || only.has(name)) await run();
  const readme = path.join(ROOT, 'bench/README.md');
  const text = fs.readFileSync(readme, 'utf8');
  const a = text.indexOf('<!-- results:begin -->');
  const b = text.indexOf('<!-- results:end -->');
  if (a >= 0 && b > a && !quick && only === null) fs.writeFileSync(readme, `${text.slice(0, a + 22)}\n${out.join('\n')}\n${text.slice(b)}`);
}

await main();
