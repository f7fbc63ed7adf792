// Which leader epoch wrote which offsets (Kafka's LeaderEpochFileCache): (epoch, start
// offset) pairs, ascending, persisted as leader-epoch-checkpoint by the log's storage.
// Followers use it to find where their log diverged from a new leader's.
export type EpochEntry = readonly [epoch: number, startOffset: number];

export class LeaderEpochCache {
  private entries: EpochEntry[] = [];

  constructor(private readonly persist: (entries: readonly EpochEntry[]) => void) {}

  /** Takes the entries a checkpoint holds (opening a log); nothing is written. */
  load(entries: EpochEntry[]): void {
    this.entries = entries;
  }

  /** The newest epoch recorded, or -1. */
  get latestEpoch(): number {
    return this.entries.length ? this.entries[this.entries.length - 1]![0] : -1;
  }

  /** Records that `epoch` starts at `offset`, if it is newer than every epoch known. */
  assign(epoch: number, offset: number): void {
    if (epoch <= this.latestEpoch) return;
    this.entries.push([epoch, offset]);
    this.persist(this.entries);
  }

  /**
   * OffsetForLeaderEpoch, as Kafka's LeaderEpochFileCache.endOffsetFor answers it: the
   * latest epoch ends at the log end offset; an older one ends where the next begins; an
   * epoch newer than any known is undefined (-1, -1).
   */
  endOffsetFor(epoch: number, logEndOffset: number): { leaderEpoch: number; endOffset: number } {
    if (epoch < 0 || this.entries.length === 0) return { leaderEpoch: -1, endOffset: -1 };
    if (epoch === this.latestEpoch) return { leaderEpoch: epoch, endOffset: logEndOffset };
    const higher = this.entries.find(([e]) => e > epoch);
    if (!higher) return { leaderEpoch: -1, endOffset: -1 };
    let floor = -1;
    for (const [e] of this.entries) if (e <= epoch) floor = e;
    return { leaderEpoch: floor >= 0 ? floor : epoch, endOffset: higher[1] };
  }

  /** The epoch that wrote `offset`, or -1 when none is known. */
  epochAt(offset: number): number {
    let e = -1;
    for (const [epoch, start] of this.entries) if (start <= offset) e = epoch;
    return e;
  }

  /** Forgets the epochs that start at or past `logEndOffset` (the log was truncated there). */
  truncateFrom(logEndOffset: number): void {
    this.entries = this.entries.filter(([, o]) => o < logEndOffset);
    this.persist(this.entries);
  }

  clear(): void {
    this.entries = [];
    this.persist(this.entries);
  }
}
