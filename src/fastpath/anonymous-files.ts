// Files for in-memory segments: on tmpfs, unlinked as soon as they are opened, so they live
// in RAM and vanish with the process.
//
// Writing into tmpfs pages a file already has costs less than into new ones: the kernel
// allocates, charges and lists every new page, and on VMs memory freed for a second or
// more is handed back to the host and dear to touch again. So a deleted segment's file waits
// here for the next segment to overwrite, and is closed, its memory freed, once it has sat
// unused for DECAY_MS, much as jemalloc decays the dirty pages it keeps. A reused file may
// be longer than what its new segment writes; that stale tail is cut off after DECAY_MS too,
// so a small segment holds a large one's memory for no longer than that.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
// Spare files decay as free blocks do, after the same time.
import { DECAY_MS } from './blocks.js';
/** Spare files beyond this many are closed at once (each holds a descriptor). */
const MAX_SPARE = 256;

let dirCache: string | null = null;

/** /dev/shm when it is writable, else the temp directory. */
function anonymousDir(): string {
  if (dirCache) return dirCache;
  try {
    fs.accessSync('/dev/shm', fs.constants.W_OK);
    dirCache = '/dev/shm';
  } catch {
    dirCache = os.tmpdir();
  }
  return dirCache;
}

/** Deleted segments' files, oldest first. */
const spare: Array<{ fd: number; size: number; freedAt: number }> = [];
/** Reused files whose stale tail past `used()` is still to be cut, by descriptor. */
const reused = new Map<number, { size: number; since: number; used: () => number }>();
let timer: NodeJS.Timeout | null = null;

/**
 * A file for a segment to write from offset 0 on. `used` tells how many bytes the segment
 * holds; a reused file is cut to that length DECAY_MS after it was handed out.
 */
export function openAnonymousFile(used: () => number): number {
  const file = spare.pop();
  if (file) {
    reused.set(file.fd, { size: file.size, since: Date.now(), used });
    startTimer();
    return file.fd;
  }
  const name = path.join(anonymousDir(), `krill-${process.pid}-${crypto.randomBytes(8).toString('hex')}.log`);
  const fd = fs.openSync(name, 'w+');
  fs.unlinkSync(name);
  return fd;
}

/** Takes back the file of a deleted or closed segment. */
export function recycleAnonymousFile(fd: number): void {
  reused.delete(fd);
  const size = fs.fstatSync(fd).size;
  if (size === 0 || spare.length >= MAX_SPARE) {
    fs.closeSync(fd);
    return;
  }
  spare.push({ fd, size, freedAt: Date.now() });
  startTimer();
}

/** One round of decay as of `now`: closes spare files and cuts stale tails older than DECAY_MS. */
export function decayAnonymousFiles(now = Date.now()): void {
  const before = now - DECAY_MS;
  while (spare.length > 0 && spare[0]!.freedAt <= before) fs.closeSync(spare.shift()!.fd);
  for (const [fd, r] of reused) {
    if (r.since > before) continue;
    const used = r.used();
    if (used < r.size) fs.ftruncateSync(fd, used);
    reused.delete(fd);
  }
  if (spare.length === 0 && reused.size === 0 && timer) {
    clearInterval(timer);
    timer = null;
  }
}

/** Spare files waiting for reuse (tests). */
export function spareAnonymousFiles(): number {
  return spare.length;
}

function startTimer(): void {
  if (timer) return;
  timer = setInterval(decayAnonymousFiles, DECAY_MS / 2);
  timer.unref();
}
