import type { Clock } from "../ports/clock.ts";
import { retryAfterMs } from "./retry-policy.ts";

/** Statuses that say something about the key rather than the request: another key may not get them. */
export const KEY_STATUSES: ReadonlySet<number> = new Set([401, 403, 429]);

/** A key the upstream refused as invalid or forbidden is left alone this long. */
const AUTH_FAILURE_COOL_DOWN_MS = 5 * 60_000;
/** A rate-limited key without `retry-after` is left alone this long. */
const RATE_LIMIT_COOL_DOWN_MS = 60_000;

/**
 * A provider instance's enterprise keys (`api_keys`). Requests stay on one key while it works;
 * a 429, 401 or 403 moves them to the next key and sets the failing one aside for a cool-down
 * (its `retry-after`, else a minute; five minutes for 401/403). When every key is cooling down,
 * the one that recovers first is used rather than none. Keys are named outside by index only.
 */
export class KeyPool {
  readonly #keys: readonly string[];
  readonly #coolUntil: number[];
  readonly #clock: Clock;
  /** The answer of a one-key pool (the common case): no work and no allocation per request. */
  readonly #only: { readonly key: string; readonly index: number } | null;
  #current = 0;

  constructor(keys: readonly string[], clock: Clock) {
    if (keys.length === 0) throw new Error("a key pool needs a key");
    this.#keys = keys;
    this.#only = keys.length === 1 ? { key: keys[0]!, index: 0 } : null;
    this.#coolUntil = keys.map(() => 0);
    this.#clock = clock;
  }

  get size(): number {
    return this.#keys.length;
  }

  /** The key to use now and its index. */
  pick(): { readonly key: string; readonly index: number } {
    if (this.#only) return this.#only;
    const now = this.#clock.now();
    let soonest = this.#current;
    for (let step = 0; step < this.#keys.length; step++) {
      const index = (this.#current + step) % this.#keys.length;
      if (this.#coolUntil[index]! <= now) {
        this.#current = index;
        return { key: this.#keys[index]!, index };
      }
      if (this.#coolUntil[index]! < this.#coolUntil[soonest]!) soonest = index;
    }
    return { key: this.#keys[soonest]!, index: soonest };
  }

  /** Whether a key other than `index` is usable now: worth retrying a 401/403/429 on it. */
  hasAlternative(index: number): boolean {
    const now = this.#clock.now();
    return this.#coolUntil.some((until, other) => other !== index && until <= now);
  }

  /** What the upstream answered to key `index`: 429, 401 and 403 set it aside and move on. */
  observe(index: number, response: Response): void {
    if (this.#only || !KEY_STATUSES.has(response.status)) return;
    this.#report(index, response.status, retryAfterMs(response.headers, this.#clock.now()));
  }

  #report(index: number, status: number, retryAfterMs: number | null): void {
    const coolDown =
      status === 401 || status === 403
        ? AUTH_FAILURE_COOL_DOWN_MS
        : status === 429
          ? (retryAfterMs ?? RATE_LIMIT_COOL_DOWN_MS)
          : 0;
    if (coolDown === 0) return;
    this.#coolUntil[index] = this.#clock.now() + coolDown;
    if (this.#current === index) this.#current = (index + 1) % this.#keys.length;
  }
}
