// Brokers as separate `bin/krill` processes on loopback for the cluster tests: an etcd for
// the test file, brokers started on their own port and data directory against it,
// SIGKILLed and started again.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import test from 'ava';
import { startBrokerProcess } from './broker-process.js';
import { removedWithWorker } from './children.js';
import { freePort, type RunningEtcd, startEtcd } from './etcd.js';

export interface Node {
  id: number;
  port: number;
  dir: string;
  proc: ChildProcess | null;
  /** What the broker's runs logged (stderr), kept for a failing test to show. */
  log: string;
}

async function startNode(n: Node, metadata: string): Promise<void> {
  const b = await startBrokerProcess([
    '--broker-id', String(n.id), '--host', '127.0.0.1', '--port', String(n.port), '--data-dir', n.dir, '--metadata', metadata,
    '--set', 'broker.session.timeout.ms=2000', '--set', 'replica.lag.time.max.ms=4000', '--set', 'replica.fetch.backoff.ms=200',
  ], (chunk) => {
    n.log += chunk;
  });
  n.proc = b.proc;
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

export interface ProcessCluster {
  nodes: Node[];
  /** Starts `n` brokers (ids 0..n-1) on free ports; resolves with the bootstrap servers once all serve. */
  start(n: number): Promise<string>;
  /** Starts a killed broker again on its port and data directory. */
  restart(n: Node): Promise<void>;
  /** The last lines every broker logged, for the message of a failed assertion. */
  logTail(lines?: number): string;
}

/**
 * For a test file: an etcd started before its tests, and afterwards every broker process
 * killed by pid, their data removed and the etcd stopped.
 */
export function useProcessCluster(name: string): ProcessCluster {
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
  return {
    nodes,
    async start(count) {
      for (let id = 0; id < count; id++) nodes.push({ id, port: await freePort(), dir: removedWithWorker(fs.mkdtempSync(path.join(os.tmpdir(), `krill-${name}${id}-`))), proc: null, log: '' });
      await Promise.all(nodes.map((n) => startNode(n, etcd!.metadataUrl)));
      return nodes.map((n) => `127.0.0.1:${n.port}`).join(',');
    },
    restart: (n) => startNode(n, etcd!.metadataUrl),
    logTail: (lines = 40) => nodes.map((n) => `--- broker ${n.id}:\n${n.log.trimEnd().split('\n').slice(-lines).join('\n')}`).join('\n'),
  };
}
