/** Time as a port: the core never calls Date.now() or setTimeout itself, so tests can drive it. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Runs `callback` after `ms`; returns a function that cancels it. */
  setTimer(ms: number, callback: () => void): () => void;
  /**
   * Monotonic milliseconds with sub-millisecond precision, for measuring durations (Server-Timing,
   * metrics). Absent: durations are measured with `now()`.
   */
  precise?(): number;
}

/** A clock that only moves when told to: for tests of timeouts and pings. */
export class ManualClock implements Clock {
  #now: number;
  #timers = new Map<number, { at: number; callback: () => void }>();
  #nextId = 0;

  constructor(start = Date.UTC(2026, 0, 1)) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  setTimer(ms: number, callback: () => void): () => void {
    const id = this.#nextId++;
    this.#timers.set(id, { at: this.#now + ms, callback });
    return () => this.#timers.delete(id);
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const target = this.#now + ms;
    for (;;) {
      let due: [number, { at: number; callback: () => void }] | undefined;
      for (const entry of this.#timers)
        if (entry[1].at <= target && (!due || entry[1].at < due[1].at)) due = entry;
      if (!due) break;
      this.#timers.delete(due[0]);
      this.#now = due[1].at;
      due[1].callback();
    }
    this.#now = target;
  }
}
