// Processes a test file starts (etcd, broker processes, client scripts) are stopped by its
// own hooks; these kill them by pid when the test worker ends without running those hooks,
// as when ava ends a worker that timed out (with SIGTERM), so none outlives its test run.
import type { ChildProcess } from 'node:child_process';

const running = new Set<ChildProcess>();
let hooked = false;

function killAll(): void {
  for (const p of running) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  running.clear();
}

/** Tracks `proc` until it exits; returns it. */
export function killedWithWorker<T extends ChildProcess>(proc: T): T {
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  if (!hooked) {
    hooked = true;
    process.once('exit', killAll);
    process.once('SIGTERM', () => {
      killAll();
      process.exit(143);
    });
  }
  return proc;
}
