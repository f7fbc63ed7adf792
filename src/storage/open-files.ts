// File descriptors as a budget: segment files are opened when used and the least recently
// used ones closed past a bound sized from the process's limit, so tens of thousands of
// partitions with no traffic hold no descriptors (a CreateTopics of 30,000 partitions
// once ended the process with EMFILE).
import fs from 'node:fs';

/** The soft RLIMIT_NOFILE of this process (Linux /proc), or null where it cannot be read. */
export function descriptorLimit(): number | null {
  try {
    const m = /^Max open files\s+(\d+)/m.exec(fs.readFileSync('/proc/self/limits', 'utf8'));
    return m ? Number(m[1]) : null;
  } catch {
    return null;
  }
}

/** Descriptors this process has open now (Linux), or null. */
export function descriptorsInUse(): number | null {
  try {
    return fs.readdirSync('/proc/self/fd').length;
  } catch {
    return null;
  }
}

/** A file opened on demand: `fd()` opens it again if the budget closed it. */
export class LazyFile {
  private handle = -1;
  /** Async fsyncs in flight: the descriptor may not be closed under them. */
  pinned = 0;

  constructor(readonly path: string, private readonly budget: OpenFiles) {}

  /** Opens the file (creating it when `create`), and counts it in the budget. */
  static open(path: string, budget: OpenFiles, create: boolean): LazyFile {
    const f = new LazyFile(path, budget);
    f.handle = fs.openSync(path, create ? 'w+' : 'r+');
    budget.touch(f);
    return f;
  }

  get isOpen(): boolean {
    return this.handle >= 0;
  }

  /** The descriptor, the file opened again first if the budget had closed it. */
  fd(): number {
    if (this.handle < 0) this.handle = fs.openSync(this.path, 'r+');
    this.budget.touch(this);
    return this.handle;
  }

  /** Closes the descriptor for the budget; the file is opened again on its next use. */
  release(): void {
    if (this.handle < 0) return;
    fs.closeSync(this.handle);
    this.handle = -1;
  }

  /** Closes it for good. */
  close(): void {
    this.budget.forget(this);
    this.release();
  }
}

export class OpenFiles {
  /** Insertion order is use order: the first entries are the least recently used. */
  private readonly open = new Set<LazyFile>();
  /** The file used last: using it again needs no reordering (every append of a busy partition). */
  private last: LazyFile | null = null;

  constructor(public capacity: number) {}

  get size(): number {
    return this.open.size;
  }

  touch(f: LazyFile): void {
    if (f === this.last) return;
    this.last = f;
    this.open.delete(f);
    this.open.add(f);
    if (this.open.size <= this.capacity) return;
    for (const old of this.open) {
      if (this.open.size <= this.capacity) break;
      if (old === f || old.pinned > 0) continue;
      this.open.delete(old);
      old.release();
    }
  }

  forget(f: LazyFile): void {
    this.open.delete(f);
    if (this.last === f) this.last = null;
  }
}

/**
 * Half the process's descriptor limit: the rest is for sockets, in-memory segments' tmpfs
 * files, checkpoints and the runtime. At least 64.
 */
export const segmentFiles = new OpenFiles(Math.max(64, Math.floor((descriptorLimit() ?? 1024) / 2)));
