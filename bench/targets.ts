// The brokers a benchmark runs against, each in its own process: Krill with in-memory
// storage (what test suites use), Krill with its durable log (`bin/krill start`), a
// 3-broker in-process Krill cluster, and librdkafka's in-memory mock cluster (1 or 3
// brokers).
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { type Admin, Kafka, logLevel } from 'kafkajs';
import { DELETED_DIR_SUFFIX } from '../src/storage/file-deleter.js';

export const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
export const PEERS = path.join(ROOT, '.bench');

/** The Krill builds with only some of the optional native addons (native/), by the KRILL_ADDONS they run with. */
const ADDON_VARIANTS = {
  'krill-memory-no-addons': 'none',
  'krill-disk-no-addons': 'none',
} as const;

export type TargetName = 'krill-memory' | 'krill-disk' | 'mock' | 'krill-cluster' | 'krill-memory-sasl-ssl' | keyof typeof ADDON_VARIANTS;

const envFor = (name: TargetName): NodeJS.ProcessEnv => (name in ADDON_VARIANTS ? { ...process.env, KRILL_ADDONS: ADDON_VARIANTS[name as keyof typeof ADDON_VARIANTS] } : process.env);

const running = new Set<ChildProcess>();
// A benchmark that dies must not leave brokers behind.
process.on('exit', () => {
  for (const p of running) p.kill('SIGKILL');
});

function track(proc: ChildProcess): ChildProcess {
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  return proc;
}

export interface Target {
  name: TargetName;
  bootstrap: string;
  proc: ChildProcess;
  dataDir?: string;
  /** Milliseconds from spawn to the bootstrap address being printed. */
  startMs: number;
  stop(): Promise<void>;
  /** Creates a topic (the mock through its own API, Krill through CreateTopics); replication factor 1 unless given. */
  createTopic(topic: string, partitions: number, replicationFactor?: number): Promise<void>;
  /**
   * Deletes a topic after a run so the next run writes into memory this one freed, as the
   * ceilings do (they remove their files): on this VM the first touch of a guest page
   * costs several times the copy itself. The mock needs none: it keeps only a window.
   */
  deleteTopic(topic: string): Promise<void>;
}

async function withAdmin(bootstrap: string, fn: (admin: Admin) => Promise<unknown>): Promise<void> {
  const admin = new Kafka({ brokers: bootstrap.split(','), logLevel: logLevel.NOTHING }).admin();
  await admin.connect();
  try {
    await fn(admin);
  } finally {
    await admin.disconnect();
  }
}

/** Topic management for a Krill target: CreateTopics and DeleteTopics through kafkajs. */
const topicsByProtocol = (bootstrap: string): Pick<Target, 'createTopic' | 'deleteTopic'> => ({
  createTopic: (topic, partitions, replicationFactor = 1) =>
    withAdmin(bootstrap, (a) => a.createTopics({ topics: [{ topic, numPartitions: partitions, replicationFactor }], waitForLeaders: true })),
  deleteTopic: (topic) => withAdmin(bootstrap, (a) => a.deleteTopics({ topics: [topic] })),
});

function waitForLine(proc: ChildProcess, stream: 'stdout' | 'stderr', re: RegExp, timeoutMs = 15000): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`no match for ${re} in: ${text}`)), timeoutMs);
    proc[stream]!.on('data', (d: Buffer) => {
      text += d.toString();
      const m = re.exec(text);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    });
    proc.once('exit', (code) => reject(new Error(`exited ${code}: ${text}`)));
  });
}

const stopper = (proc: ChildProcess) => () => new Promise<void>((resolve) => {
  if (proc.exitCode !== null) return resolve();
  proc.once('exit', () => resolve());
  proc.kill('SIGTERM');
  setTimeout(() => proc.kill('SIGKILL'), 10000).unref();
});

/**
 * `env` is added to the broker process's environment (KRILL_BENCH_CONFIG and
 * KRILL_BENCH_SCRAM for an in-memory broker with a secured listener).
 */
export async function startTarget(name: TargetName, opts: { dataDir?: string; config?: string[]; brokers?: number; env?: NodeJS.ProcessEnv } = {}): Promise<Target> {
  const t0 = performance.now();
  if (name === 'mock') {
    const proc = track(spawn(path.join(PEERS, 'rdkafka_mock'), [String(opts.brokers ?? 1)], { stdio: ['pipe', 'pipe', 'ignore'] }));
    const m = await waitForLine(proc, 'stdout', /^(\S+:\d+)/m);
    const createTopic = async (topic: string, partitions: number, replicationFactor = 1) => {
      const answered = new Promise<void>((resolve) => proc.stdout!.once('data', () => resolve()));
      proc.stdin!.write(`create ${topic} ${partitions} ${replicationFactor}\n`);
      await answered;
    };
    return { name, bootstrap: m[1]!, proc, startMs: performance.now() - t0, stop: stopper(proc), createTopic, deleteTopic: () => Promise.resolve() };
  }
  if (name.startsWith('krill-memory') || name === 'krill-cluster') {
    const server = name === 'krill-cluster' ? 'krill-cluster.js' : 'krill-memory.js';
    const proc = track(spawn(process.execPath, [path.join(ROOT, 'dist/bench/servers', server)], { stdio: ['ignore', 'pipe', 'ignore'], env: { ...envFor(name), ...opts.env } }));
    const m = await waitForLine(proc, 'stdout', /^(\S+:\d+)/m);
    const bootstrap = m[1]!;
    return { name, bootstrap, proc, startMs: performance.now() - t0, stop: stopper(proc), ...topicsByProtocol(bootstrap) };
  }
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'krill-bench-'));
  // A deleted topic's files are removed at once rather than after Kafka's 60 s, and the
  // next run waits for that (deleteTopic below): a run's cleanup must neither overlap the
  // next broker's run nor leave a minute of deleted runs in the page cache to be written
  // back while others are measured.
  const sets = ['message.max.bytes=10485760', 'log.segment.delete.delay.ms=0', ...(opts.config ?? [])].flatMap((s) => ['--set', s]);
  const proc = track(spawn(process.execPath, [path.join(ROOT, 'bin/krill'), 'start', '--port', '0', '--data-dir', dataDir, ...sets], { stdio: ['ignore', 'ignore', 'pipe'], env: envFor(name) }));
  const m = await waitForLine(proc, 'stderr', /ready on (\S+:\d+)/);
  const stop = stopper(proc);
  const bootstrap = m[1]!;
  const topics = topicsByProtocol(bootstrap);
  return {
    name, bootstrap, proc, dataDir, startMs: performance.now() - t0,
    ...topics,
    deleteTopic: async (topic) => {
      await topics.deleteTopic(topic);
      const deadline = Date.now() + 30_000;
      while (fs.readdirSync(dataDir).some((f) => f.endsWith(DELETED_DIR_SUFFIX))) {
        if (Date.now() > deadline) throw new Error(`topic ${topic}'s files were still in ${dataDir} 30 s after it was deleted`);
        await new Promise((r) => setTimeout(r, 5));
      }
    },
    stop: async () => {
      await stop();
      if (!opts.dataDir) fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resident set size of a process in MiB (Linux /proc). */
export function rssMiB(pid: number): number {
  const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+)/.exec(status)![1]) / 1024;
}

/** CPU time a process has used so far (user + system, all threads), in seconds (Linux /proc). */
export function cpuSeconds(pid: number): number {
  const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after "pid (comm) ": state is field 3, utime 14 and stime 15, in clock ticks (100 per second).
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

export interface PerfResult {
  msgsPerSec: number;
  mbPerSec: number;
  count: number;
}

/**
 * glibc settings for the load generator: keep freed memory rather than hand it back to the
 * kernel. By default glibc trims its heap and unmaps large buffers as soon as they are
 * freed, so the generator faults the same memory in again whenever its queue refills or a
 * 1 MB request or response buffer is allocated; on this VM a fault costs ~13 µs. Those faults
 * made the generator spend 1.2-2.3 s of CPU per GB produced, swinging from run to run with
 * the depth of its queue and so with the broker's speed; with these settings, 1.23-1.33 s
 * against either broker. Set only on the generator, the same for every broker.
 */
export const GENERATOR_ENV = {
  MALLOC_TRIM_THRESHOLD_: '4000000000',
  MALLOC_TOP_PAD_: String(256 * 1024 * 1024),
  MALLOC_MMAP_THRESHOLD_: String(32 * 1024 * 1024),
};

/** Runs librdkafka's rdkafka_performance and parses its final throughput line. */
export function rdkafkaPerformance(args: string[], timeoutMs = 180000): PerfResult {
  const env = { ...process.env, ...(process.env.KRILL_BENCH_GLIBC_DEFAULTS ? {} : GENERATOR_ENV) };
  const out = execFileSync(path.join(PEERS, 'rdkafka_performance'), args, { encoding: 'utf8', timeout: timeoutMs, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines = out.trim().split('\n').filter((l) => /msgs\/s/.test(l));
  const last = lines[lines.length - 1] ?? '';
  const m = /% (\d+) messages.*?: (\d+) msgs\/s and ([\d.]+) MB\/s/.exec(last) ?? /% (\d+) messages .*consumed.*?: (\d+) msgs\/s \(([\d.]+) MB\/s\)/.exec(last);
  if (!m) throw new Error(`cannot parse rdkafka_performance output: ${out.slice(-500)}`);
  return { count: Number(m[1]), msgsPerSec: Number(m[2]), mbPerSec: Number(m[3]) };
}

export const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]! : NaN;
};
