// Removes deleted segments and partition directories after `file.delete.delay.ms`, off the
// event loop, as Kafka does: unlinking a file drops its page cache in the same call, which
// for a 1 GiB segment held every client of the broker for tens of milliseconds. What is
// deleted is renamed first (Kafka's names), so a crash before the delay is over leaves
// files that the next start recognises and removes.
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import { timerDelay } from '../timer-delay.js';

/** Suffix of a deleted segment's files (`00000000000000000000.log.deleted`). */
export const DELETED_FILE_SUFFIX = '.deleted';

/** Suffix of a deleted partition directory (`topic-0.<id>-delete`). */
export const DELETED_DIR_SUFFIX = '-delete';

/** The name a deleted partition directory is renamed to: unique, so a topic can be created again at once. */
export const deletedDirName = (dir: string): string => `${dir}.${randomUUID().replace(/-/g, '')}${DELETED_DIR_SUFFIX}`;

export class FileDeleter {
  private readonly timers = new Set<NodeJS.Timeout>();

  /** Removes `paths` (files or directories) `delayMs` from now, in libuv's thread pool. */
  schedule(paths: readonly string[], delayMs: number): void {
    if (paths.length === 0) return;
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      for (const p of paths) fs.rm(p, { recursive: true, force: true }, () => undefined);
    }, timerDelay(delayMs));
    timer.unref();
    this.timers.add(timer);
  }

  /** Forgets what is still waiting; the next start removes it by its name. */
  close(): void {
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
  }
}
