/**
 * What a usage limit counts, in the contract's names (`policies.*` in the config file). Amounts
 * are whole units: requests, tokens, or micro-dollars (USD × 10⁶), so sums never drift.
 */
export type LimitName =
  | "requests_per_minute"
  | "tokens_per_minute"
  | "tokens_per_day"
  | "usd_per_day"
  | "usd_per_month";

/** One limit's share of one request: `amount` added to the user's current window of that limit. */
export interface Charge {
  /** Whose window: the user id. */
  readonly subject: string;
  readonly limit: LimitName;
  /** The window's start, epoch ms (core/policy/windows.ts). */
  readonly windowStart: number;
  readonly amount: number;
  /** The limit in force for this user (same unit as `amount`). */
  readonly max: number;
}

/** A charge corrected once the request's real use is known (`delta` may be negative). */
export interface Adjustment {
  readonly subject: string;
  readonly limit: LimitName;
  readonly windowStart: number;
  readonly delta: number;
}

export type ReserveOutcome = { readonly ok: true } | { readonly ok: false; readonly refused: Charge };

/**
 * Where usage against limits is counted. One process uses `MemoryUsageLedger`; instances that
 * share a PostgreSQL store use `SqlUsageLedger` (core/store/sql-usage-ledger.ts), whose statements
 * are atomic in the database so that concurrent requests on any instance cannot overspend.
 */
export interface UsageLedger {
  /**
   * Adds every charge to its window, atomically and all or none. Refused (nothing added) when a
   * window's use is already at or past its limit: a request is admitted while there is room left,
   * so one request can take a window past its limit by at most its own use.
   * Throws when the ledger cannot answer (the bridge then fails closed with 503).
   */
  reserve(charges: readonly Charge[]): Promise<ReserveOutcome>;
  /** Applies corrections; a window's use never goes below zero. */
  settle(adjustments: readonly Adjustment[]): Promise<void>;
}

/**
 * The ledger of one process: each user's current window per limit, in memory. JavaScript runs one
 * request's check-and-add without interleaving, so it needs no lock. A window that has passed is
 * dropped when its limit's next window opens; corrections to it are then moot and ignored.
 */
export class MemoryUsageLedger implements UsageLedger {
  /** By user, then limit: lookups by the strings requests already hold, never a built key. */
  readonly #windows = new Map<string, Map<LimitName, { windowStart: number; used: number }>>();

  async reserve(charges: readonly Charge[]): Promise<ReserveOutcome> {
    for (const charge of charges) {
      if (this.used(charge.subject, charge.limit, charge.windowStart) >= charge.max)
        return { ok: false, refused: charge };
    }
    for (const charge of charges) this.#add(charge.subject, charge.limit, charge.windowStart, charge.amount);
    return { ok: true };
  }

  async settle(adjustments: readonly Adjustment[]): Promise<void> {
    for (const a of adjustments) this.#add(a.subject, a.limit, a.windowStart, a.delta);
  }

  /** Use so far in that window (0 for a window not open, or already dropped). */
  used(subject: string, limit: LimitName, windowStart: number): number {
    const window = this.#windows.get(subject)?.get(limit);
    return window !== undefined && window.windowStart === windowStart ? window.used : 0;
  }

  #add(subject: string, limit: LimitName, windowStart: number, delta: number): void {
    let limits = this.#windows.get(subject);
    if (limits === undefined) {
      limits = new Map();
      this.#windows.set(subject, limits);
    }
    const window = limits.get(limit);
    if (window === undefined || windowStart > window.windowStart) {
      limits.set(limit, { windowStart, used: Math.max(0, delta) });
    } else if (window.windowStart === windowStart) {
      window.used = Math.max(0, window.used + delta);
    }
  }
}
