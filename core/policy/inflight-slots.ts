/**
 * `server.max_inflight`: the requests this bridge serves at once. A request holds its slot from
 * arrival until it is answered, and past that while its exchange with the upstream is open (a
 * stream, until it ends), so a burst is refused at the door with 503 instead of queueing without
 * bound in memory, sockets and upstream connections.
 */
export class InflightSlots {
  readonly max: number;
  #taken = 0;

  constructor(max: number) {
    this.max = max;
  }

  get taken(): number {
    return this.#taken;
  }

  /** A slot held by the caller, or null when all are taken. */
  take(): InflightSlot | null {
    if (this.#taken >= this.max) return null;
    this.#taken++;
    return new InflightSlot(() => this.#taken--);
  }
}

/** Freed when its last holder lets go: the request's handler, then any exchange still open. */
export class InflightSlot {
  #holders = 1;
  readonly #free: () => void;

  constructor(free: () => void) {
    this.#free = free;
  }

  /** Another holder (an exchange); returns its release, which is safe to call more than once. */
  hold(): () => void {
    this.#holders++;
    let held = true;
    return () => {
      if (!held) return;
      held = false;
      this.release();
    };
  }

  /** The first holder's release: call it exactly once. */
  release(): void {
    if (--this.#holders === 0) this.#free();
  }
}
