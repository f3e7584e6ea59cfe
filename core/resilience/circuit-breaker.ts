import type { BreakerPolicy } from "../config.ts";
import type { Clock } from "../ports/clock.ts";

/** As the contract's metric numbers them: 0 closed, 1 half-open, 2 open. */
export type BreakerState = "closed" | "half-open" | "open";

export type Admission =
  | { readonly ok: true; readonly probe: boolean }
  | { readonly ok: false; readonly retryAfterMs: number };

/** How an admitted attempt ended, for the breaker. `neutral`: it says nothing (client gone). */
export type AttemptOutcome = "success" | "failure" | "neutral";

/**
 * One provider × model's breaker. Closed: everything passes; failures are counted over a sliding
 * window. Open: nothing passes until `openMs` has gone by. Half-open: exactly one probe passes;
 * its success closes the breaker, its failure opens it again.
 */
export class CircuitBreaker {
  readonly #policy: BreakerPolicy;
  readonly #clock: Clock;
  #failures: number[] = [];
  #openedAt = 0;
  #state: BreakerState = "closed";
  #probing = false;

  constructor(policy: BreakerPolicy, clock: Clock) {
    this.#policy = policy;
    this.#clock = clock;
  }

  get state(): BreakerState {
    if (this.#state === "open" && this.#clock.now() - this.#openedAt >= this.#policy.openMs)
      return "half-open";
    return this.#state;
  }

  /** Whether an attempt may go to the upstream now; a probe must be reported with `probe: true`. */
  admit(): Admission {
    const now = this.#clock.now();
    if (this.#state === "open") {
      const left = this.#openedAt + this.#policy.openMs - now;
      if (left > 0) return { ok: false, retryAfterMs: left };
      this.#state = "half-open";
    }
    if (this.#state === "half-open") {
      // One probe at a time; the rest wait about as long as a probe takes.
      if (this.#probing) return { ok: false, retryAfterMs: 1_000 };
      this.#probing = true;
      return { ok: true, probe: true };
    }
    return { ok: true, probe: false };
  }

  record(outcome: AttemptOutcome, probe: boolean): void {
    const now = this.#clock.now();
    if (probe) {
      this.#probing = false;
      if (outcome === "success") this.#close();
      else if (outcome === "failure") this.#open(now);
      return;
    }
    if (outcome !== "failure" || this.#state !== "closed") return;
    const since = now - this.#policy.windowMs;
    this.#failures = this.#failures.filter((at) => at > since);
    this.#failures.push(now);
    if (this.#failures.length >= this.#policy.failures) this.#open(now);
  }

  /** Whether it holds nothing worth keeping (closed, no failure in the window). */
  idle(): boolean {
    const since = this.#clock.now() - this.#policy.windowMs;
    return this.#state === "closed" && this.#failures.every((at) => at <= since);
  }

  #open(now: number): void {
    this.#state = "open";
    this.#openedAt = now;
    this.#failures = [];
  }

  #close(): void {
    this.#state = "closed";
    this.#failures = [];
  }
}

/** Breakers kept at most; past it, idle ones are dropped (model names come from clients). */
const MAX_BREAKERS = 1_000;

/** The breakers of one provider instance, one per model, all with the instance's policy. */
export class BreakerBoard {
  readonly #breakers = new Map<string, CircuitBreaker>();
  readonly #policy: BreakerPolicy;
  readonly #clock: Clock;

  constructor(policy: BreakerPolicy, clock: Clock) {
    this.#policy = policy;
    this.#clock = clock;
  }

  get(model: string): CircuitBreaker {
    const found = this.#breakers.get(model);
    if (found) return found;
    if (this.#breakers.size >= MAX_BREAKERS)
      for (const [key, breaker] of this.#breakers) if (breaker.idle()) this.#breakers.delete(key);
    const breaker = new CircuitBreaker(this.#policy, this.#clock);
    this.#breakers.set(model, breaker);
    return breaker;
  }

  /** Each model's breaker state, for metrics and operators. */
  states(): { model: string; state: BreakerState }[] {
    return [...this.#breakers].map(([model, breaker]) => ({ model, state: breaker.state }));
  }
}
