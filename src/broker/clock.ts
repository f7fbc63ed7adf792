// The broker's clock: what its own logic reads the time from and waits on. Group sessions
// and rebalances, delayed fetches, retention and rolling by time, transaction timeouts,
// offsets retention and log-append time all follow it. The system clock is the machine's;
// a virtual clock (the test kit's) stands still until a test advances it, so a 45 s
// session expires the moment a test says a minute has passed, and never by accident.
// Infrastructure keeps real time: connections, flushes, replication, leases.

export interface Clock {
  readonly virtual: boolean;
  now(): number;
  /** Calls `fn` once `ms` of this clock's time have passed; returns a function that cancels it. */
  after(ms: number, fn: () => void): () => void;
  /** Calls `fn` every `ms` of this clock's time; returns a function that stops it. */
  every(ms: number, fn: () => void): () => void;
}

export const systemClock: Clock = {
  virtual: false,
  now: Date.now,
  after(ms, fn) {
    const t = setTimeout(fn, ms);
    return () => clearTimeout(t);
  },
  every(ms, fn) {
    const t = setInterval(fn, ms);
    t.unref();
    return () => clearInterval(t);
  },
};

interface Pending {
  at: number;
  seq: number;
  fn: () => void;
  /** A periodic timer's period; 0 for a one-shot. */
  period: number;
}

/**
 * At most this many runs of one periodic timer per advance: a week's advance does not run
 * a 250 ms group timer 2.4 million times, but a hundred times, spread over the week.
 */
const MAX_RUNS_PER_ADVANCE = 100;

export class VirtualClock implements Clock {
  readonly virtual = true;
  private time: number;
  private pending: Pending[] = [];
  private seq = 0;

  /** Starts at `start`, the machine's time by default, so timestamps look like today's. */
  constructor(start = Date.now()) {
    this.time = start;
  }

  now(): number {
    return this.time;
  }

  after(ms: number, fn: () => void): () => void {
    return this.add({ at: this.time + Math.max(0, ms), seq: this.seq++, fn, period: 0 });
  }

  every(ms: number, fn: () => void): () => void {
    const period = Math.max(1, ms);
    return this.add({ at: this.time + period, seq: this.seq++, fn, period });
  }

  private add(p: Pending): () => void {
    this.pending.push(p);
    return () => {
      this.pending = this.pending.filter((x) => x !== p);
    };
  }

  /**
   * Moves the time forward by `ms`, running each timer that falls due in order, with the
   * clock at its due time while it runs (a timer set meanwhile runs too, if it falls due).
   * Each timer's work is let run to its next wait on I/O before the clock moves on, as it
   * would in the time between: a session expiry writes its group, a timed-out
   * transaction's abort is written, before the next timer.
   */
  async advance(ms: number): Promise<number> {
    if (!Number.isFinite(ms) || ms < 0) throw new RangeError(`a clock moves forward only, not by ${ms} ms`);
    const target = this.time + ms;
    const stride = Math.ceil(ms / MAX_RUNS_PER_ADVANCE);
    for (;;) {
      let next: Pending | undefined;
      for (const p of this.pending) if (p.at <= target && (!next || p.at < next.at || (p.at === next.at && p.seq < next.seq))) next = p;
      if (!next) break;
      this.time = Math.max(this.time, next.at);
      if (next.period > 0) {
        next.at = this.time + Math.max(next.period, stride);
        next.seq = this.seq++;
      } else {
        this.pending = this.pending.filter((x) => x !== next);
      }
      next.fn();
      await new Promise((resolve) => setImmediate(resolve));
    }
    this.time = target;
    return this.time;
  }
}
