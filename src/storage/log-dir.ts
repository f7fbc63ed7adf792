// One directory of `log.dirs`: the partition directories in it, its own checkpoints and
// clean-shutdown marker (Kafka keeps them per directory), and whether it is online. A
// directory whose storage fails is offline until the broker restarts, as Kafka's
// LogDirFailureChannel takes it: its partitions are served by none of this broker's APIs.
import fs from 'node:fs';
import path from 'node:path';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';

const RECOVERY_CHECKPOINT = 'recovery-point-offset-checkpoint';
const START_OFFSET_CHECKPOINT = 'log-start-offset-checkpoint';
const HW_CHECKPOINT = 'replication-offset-checkpoint';
const CLEAN_SHUTDOWN = '.kafka_cleanshutdown';

/** A partition's entry in the checkpoint files. */
export interface CheckpointRow {
  topic: string;
  partition: number;
  recoveryPoint: number;
  logStartOffset: number;
  highWatermark: number;
}

export class LogDir {
  readonly recovery = new Map<string, number>();
  readonly startOffsets = new Map<string, number>();
  readonly highWatermarks = new Map<string, number>();
  /** True when the last shutdown was clean: no segment here needs its CRCs checked. */
  readonly cleanShutdown: boolean;
  /** Why the directory is offline; null while it serves. */
  failure: Error | null = null;
  /** Partitions open here: a new one goes to the directory with the fewest. */
  partitions = 0;

  /** A directory that cannot be created or read starts offline, as Kafka starts without it. */
  constructor(readonly path: string) {
    let clean = false;
    try {
      fs.mkdirSync(path, { recursive: true });
      const marker = this.file(CLEAN_SHUTDOWN);
      clean = fs.existsSync(marker);
      fs.rmSync(marker, { force: true });
      for (const [t, p, o] of readCheckpoint(this.file(RECOVERY_CHECKPOINT))) this.recovery.set(`${t}-${p}`, Number(o));
      for (const [t, p, o] of readCheckpoint(this.file(START_OFFSET_CHECKPOINT))) this.startOffsets.set(`${t}-${p}`, Number(o));
      for (const [t, p, o] of readCheckpoint(this.file(HW_CHECKPOINT))) this.highWatermarks.set(`${t}-${p}`, Number(o));
    } catch (e) {
      this.failure = e as Error;
    }
    this.cleanShutdown = clean;
  }

  get online(): boolean {
    return this.failure === null;
  }

  /** The partition directories found here ("topic-partition"); none while offline. */
  partitionDirs(): Array<{ name: string; topic: string; partition: number }> {
    if (!this.online) return [];
    return fs.readdirSync(this.path, { withFileTypes: true })
      .filter((d) => d.isDirectory())
      .map((d) => /^(.+)-(\d+)$/.exec(d.name))
      .filter((m): m is RegExpExecArray => m !== null)
      .map((m) => ({ name: m[0], topic: m[1]!, partition: Number(m[2]) }));
  }

  /** Subdirectories whose names end with `suffix` (partitions deleted before a stop). */
  leftovers(suffix: string): string[] {
    if (!this.online) return [];
    return fs.readdirSync(this.path, { withFileTypes: true }).filter((d) => d.isDirectory() && d.name.endsWith(suffix)).map((d) => path.join(this.path, d.name));
  }

  writeCheckpoints(rows: readonly CheckpointRow[]): void {
    const lines = (f: (r: CheckpointRow) => number) => rows.map((r) => [r.topic, String(r.partition), String(f(r))]);
    writeCheckpoint(this.file(RECOVERY_CHECKPOINT), lines((r) => r.recoveryPoint));
    writeCheckpoint(this.file(START_OFFSET_CHECKPOINT), lines((r) => r.logStartOffset));
    writeCheckpoint(this.file(HW_CHECKPOINT), lines((r) => r.highWatermark));
  }

  markCleanShutdown(): void {
    fs.writeFileSync(this.file(CLEAN_SHUTDOWN), '');
  }

  /** Bytes of the volume the directory is on, and how many are free; -1 when unknown (Kafka's UNKNOWN_VOLUME_BYTES). */
  volumeBytes(): { total: number; usable: number } {
    try {
      const s = fs.statfsSync(this.path);
      return { total: s.blocks * s.bsize, usable: s.bavail * s.bsize };
    } catch {
      return { total: -1, usable: -1 };
    }
  }

  private file(name: string): string {
    return path.join(this.path, name);
  }
}
