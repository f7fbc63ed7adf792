// Starts a throwaway etcd (Debian's etcd-server) on free loopback ports for tests, and
// stops it by pid. Tests that need one fail, not skip, when it is missing: .ci/run
// installs it.
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { EtcdStore } from '../../src/broker/controller/etcd-store.js';
import { killedWithWorker, removedWithWorker } from './children.js';

export const ETCD_BIN = ['/usr/bin/etcd', '/usr/local/bin/etcd'].find((p) => fs.existsSync(p)) ?? 'etcd';

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

export interface RunningEtcd {
  url: string;
  /** "etcd://127.0.0.1:port", as `krill start --metadata` takes it. */
  metadataUrl: string;
  process: ChildProcess;
  stop(): Promise<void>;
}

export async function startEtcd(): Promise<RunningEtcd> {
  const dir = removedWithWorker(fs.mkdtempSync(path.join(os.tmpdir(), 'krill-etcd-')));
  const client = await freePort();
  const peer = await freePort();
  const c = `http://127.0.0.1:${client}`;
  const p = `http://127.0.0.1:${peer}`;
  const proc = killedWithWorker(spawn(ETCD_BIN, [
    '--name', 'krill-test', '--data-dir', dir, '--listen-client-urls', c, '--advertise-client-urls', c,
    '--listen-peer-urls', p, '--initial-advertise-peer-urls', p, '--initial-cluster', `krill-test=${p}`,
    '--logger', 'zap', '--log-level', 'error',
  ], { stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  proc.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const stop = async () => {
    if (proc.exitCode === null) {
      proc.kill('SIGTERM');
      await new Promise((r) => proc.once('exit', r));
    }
    fs.rmSync(dir, { recursive: true, force: true });
  };
  const probe = new EtcdStore([c]);
  try {
    const end = Date.now() + 15_000;
    for (;;) {
      if (proc.exitCode !== null) throw new Error(`etcd exited: ${stderr}`);
      try {
        await probe.get('/probe');
        break;
      } catch (e) {
        if (Date.now() > end) throw new Error(`etcd did not start: ${(e as Error).message} ${stderr}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    }
  } catch (e) {
    await stop();
    throw e;
  } finally {
    await probe.close();
  }
  return { url: c, metadataUrl: `etcd://127.0.0.1:${client}`, process: proc, stop };
}
