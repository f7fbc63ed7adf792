// Brokers as separate `bin/krill` processes on loopback for the cluster tests: start one
// on a given port and data directory against an etcd, SIGKILL it, wait for conditions,
// and read a topic back whole.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import type { Admin } from 'kafkajs';
import { kafka, ROOT } from '../helpers.js';

export interface Node {
  id: number;
  port: number;
  dir: string;
  proc: ChildProcess | null;
}

export function startNode(n: Node, metadata: string, extra: string[] = []): Promise<void> {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, [
      path.join(ROOT, 'bin/krill'), 'start', '--broker-id', String(n.id), '--host', '127.0.0.1', '--port', String(n.port),
      '--data-dir', n.dir, '--metadata', metadata,
      '--set', 'broker.session.timeout.ms=2000', '--set', 'replica.lag.time.max.ms=4000', '--set', 'replica.fetch.backoff.ms=200',
      ...extra,
    ], { stdio: ['ignore', 'ignore', 'pipe'] });
    n.proc = proc;
    let out = '';
    const timer = setTimeout(() => reject(new Error(`broker ${n.id} did not start: ${out}`)), 15000);
    proc.stderr!.on('data', (d: Buffer) => {
      out += d.toString();
      if (/ready on/.test(out)) {
        clearTimeout(timer);
        resolve();
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`broker ${n.id} exited ${code}: ${out}`));
    });
  });
}

export function kill(n: Node): Promise<void> {
  const p = n.proc;
  n.proc = null;
  if (!p || p.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    p.once('exit', () => resolve());
    p.kill('SIGKILL');
  });
}

export async function partitions(admin: Admin, topic: string) {
  const md = await admin.fetchTopicMetadata({ topics: [topic] });
  return md.topics[0]!.partitions.sort((a, b) => a.partitionId - b.partitionId);
}

export async function until(what: string, fn: () => Promise<boolean>, ms = 20000): Promise<void> {
  const end = Date.now() + ms;
  for (;;) {
    try {
      if (await fn()) return;
    } catch {
      // A broker on its way down or up: ask again.
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Reads `count` records of `topic` from the start: per partition, [offset, value] in order. */
export async function readEverything(bootstrap: string, topic: string, count: number, ms = 60_000): Promise<Map<number, Array<[number, string]>>> {
  const consumer = kafka(bootstrap).consumer({ groupId: `reader-${topic}-${Date.now()}`, maxWaitTimeInMs: 100 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  const read = new Map<number, Array<[number, string]>>();
  let n = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`read ${n} of ${count}`)), ms);
      void consumer.run({
        eachMessage: async ({ partition, message }) => {
          if (!read.has(partition)) read.set(partition, []);
          read.get(partition)!.push([Number(message.offset), message.value!.toString()]);
          if (++n >= count) {
            clearTimeout(timer);
            resolve();
          }
        },
      });
    });
  } finally {
    await consumer.disconnect();
  }
  return read;
}
