import type { Clock } from "../ports/clock.ts";

/**
 * Watches an upstream for silence: keep-alives every `pingMs` while nothing arrives, and the idle
 * timeout after `idleMs`. One timer serves a whole stream: a read only stamps when it started, and
 * the timer, when it fires, re-arms itself for whatever is left. Arming and cancelling a timer per
 * chunk cost more than the relay's own work on a busy stream.
 *
 * Silence counts only while someone waits: during a read (`reading`), or while the bridge itself
 * works between turns (`waiting`: keep-alives, no idle timeout). After `pause` (a chunk arrived;
 * the client has not asked for more yet) nothing is counted, so a slow client never looks like a
 * silent upstream.
 */
export class SilenceWatch {
  readonly #clock: Clock;
  readonly #pingMs: number | null;
  readonly #idleMs: number;
  readonly #onPing: () => void;
  readonly #onIdle: () => void;
  #active = false;
  #pingAt = Number.POSITIVE_INFINITY;
  #idleAt = Number.POSITIVE_INFINITY;
  /** When the armed timer fires (Infinity: none armed). */
  #armedAt = Number.POSITIVE_INFINITY;
  #cancel: () => void = noop;

  /** `pingMs` null: no keep-alives, only the idle timeout. */
  constructor(clock: Clock, pingMs: number | null, idleMs: number, onPing: () => void, onIdle: () => void) {
    this.#clock = clock;
    this.#pingMs = pingMs;
    this.#idleMs = idleMs;
    this.#onPing = onPing;
    this.#onIdle = onIdle;
  }

  /** A read is pending: silence counts from now; the idle timeout applies. */
  reading(): void {
    this.#start(this.#idleMs);
  }

  /** The bridge works between turns (tools, the next request): keep-alives, no idle timeout. */
  waiting(): void {
    this.#start(Number.POSITIVE_INFINITY);
  }

  /** Nothing is being waited for: stop counting (the armed timer lapses on its own). */
  pause(): void {
    this.#active = false;
  }

  /** The stream is over. */
  stop(): void {
    this.#active = false;
    this.#disarm();
  }

  #start(idleMs: number): void {
    const now = this.#clock.now();
    this.#active = true;
    this.#pingAt = this.#pingMs === null ? Number.POSITIVE_INFINITY : now + this.#pingMs;
    this.#idleAt = now + idleMs;
    const due = Math.min(this.#pingAt, this.#idleAt);
    // Deadlines only move later, so an armed timer usually fires early and re-arms: no churn here.
    if (this.#armedAt > due) {
      this.#disarm();
      this.#arm(due, now);
    }
  }

  #arm(due: number, now: number): void {
    if (due === Number.POSITIVE_INFINITY) return;
    this.#armedAt = due;
    this.#cancel = this.#clock.setTimer(due - now, this.#fire);
  }

  #disarm(): void {
    this.#cancel();
    this.#cancel = noop;
    this.#armedAt = Number.POSITIVE_INFINITY;
  }

  readonly #fire = (): void => {
    this.#cancel = noop;
    this.#armedAt = Number.POSITIVE_INFINITY;
    if (!this.#active) return;
    const now = this.#clock.now();
    if (now >= this.#idleAt) {
      this.#active = false;
      this.#onIdle();
      return;
    }
    if (now >= this.#pingAt && this.#pingMs !== null) {
      this.#pingAt = now + this.#pingMs;
      this.#onPing();
    }
    // The callback may have stopped or restarted the watch.
    if (this.#active && this.#armedAt === Number.POSITIVE_INFINITY)
      this.#arm(Math.min(this.#pingAt, this.#idleAt), now);
  };
}

const noop = (): void => {};
