// `bin/krill start` as its own process, for tests that kill it or throw bytes at it: started
// with the given arguments, resolved once it logs that it serves, killed with the worker.
import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { killedWithWorker } from './children.js';
import { ROOT } from './helpers.js';

export interface BrokerProcess {
  proc: ChildProcess;
  host: string;
  port: number;
  bootstrap: string;
}

/**
 * Starts `bin/krill start ...args`; `onLog` is handed what it logs (stderr) as it comes.
 * Rejects when it exits first, or has not served within `timeoutMs`.
 */
export function startBrokerProcess(args: string[], onLog: (chunk: string) => void = () => undefined, timeoutMs = 15_000): Promise<BrokerProcess> {
  return new Promise((resolve, reject) => {
    const proc = killedWithWorker(spawn(process.execPath, [path.join(ROOT, 'bin/krill'), 'start', ...args], { stdio: ['ignore', 'ignore', 'pipe'] }));
    // Only the start of its log is looked through for the ready line; later lines pass on.
    let head = '';
    let ready = false;
    const timer = setTimeout(() => reject(new Error(`broker did not start: ${head}`)), timeoutMs);
    proc.stderr!.on('data', (d: Buffer) => {
      const chunk = d.toString();
      onLog(chunk);
      if (ready) return;
      head += chunk;
      const m = /ready on ([\d.]+):(\d+)/.exec(head);
      if (m) {
        ready = true;
        clearTimeout(timer);
        resolve({ proc, host: m[1]!, port: Number(m[2]), bootstrap: `${m[1]}:${m[2]}` });
      }
    });
    proc.once('exit', (code) => {
      clearTimeout(timer);
      if (!ready) reject(new Error(`broker exited ${code} before it served: ${head}`));
    });
  });
}
