// The aborted transactions of one log, oldest first: what Kafka keeps in each segment's
// .txnindex. A read_committed fetch gets those that overlap what it reads, and the
// consumer drops their records. Rebuilt from the log's markers when it is opened.

export interface AbortedTxn {
  producerId: number;
  firstOffset: number;
  /** The offset of the ABORT marker. */
  lastOffset: number;
  /** The last stable offset once the marker was written. */
  lastStableOffset: number;
}

export class AbortedTxns {
  private entries: AbortedTxn[] = [];

  add(t: AbortedTxn): void {
    this.entries.push(t);
  }

  /** Those that end at or after `fetchOffset` and begin before `upperBound`, as Kafka collects them for a fetch. */
  overlapping(fetchOffset: number, upperBound: number): AbortedTxn[] {
    return this.entries.filter((t) => t.lastOffset >= fetchOffset && t.firstOffset < upperBound);
  }

  /** Those whose ABORT marker is in [from, to): a segment's .txnindex. */
  markedIn(from: number, to: number): AbortedTxn[] {
    return this.entries.filter((t) => t.lastOffset >= from && t.lastOffset < to);
  }

  /** Drops those whose marker is at or after `offset` (a truncated log). */
  truncateFrom(offset: number): void {
    this.entries = this.entries.filter((t) => t.lastOffset < offset);
  }

  /** Drops those wholly below `offset` (the log start moved past them). */
  dropBelow(offset: number): void {
    if (this.entries.length > 0 && this.entries[0]!.lastOffset < offset) this.entries = this.entries.filter((t) => t.lastOffset >= offset);
  }

  clear(): void {
    this.entries = [];
  }
}
