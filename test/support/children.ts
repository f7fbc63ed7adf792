// Processes a test file starts (etcd, broker processes, client scripts) and directories it
// makes are stopped and removed by its own hooks; these kill the processes by pid and remove
// the directories when the test worker ends without running those hooks, as when ava ends a
// worker that timed out (with SIGTERM), so none outlives its test run.
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';

const running = new Set<ChildProcess>();
const dirs = new Set<string>();
let hooked = false;

function cleanUp(): void {
  for (const p of running) if (p.exitCode === null && p.signalCode === null) p.kill('SIGKILL');
  running.clear();
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
  dirs.clear();
}

function hook(): void {
  if (hooked) return;
  hooked = true;
  process.once('exit', cleanUp);
  process.once('SIGTERM', () => {
    cleanUp();
    process.exit(143);
  });
}

/** Tracks `proc` until it exits; returns it. */
export function killedWithWorker<T extends ChildProcess>(proc: T): T {
  hook();
  running.add(proc);
  proc.once('exit', () => running.delete(proc));
  return proc;
}

/** Removes `dir` when the worker ends, if the test's own teardown has not; returns it. */
export function removedWithWorker(dir: string): string {
  hook();
  dirs.add(dir);
  return dir;
}
