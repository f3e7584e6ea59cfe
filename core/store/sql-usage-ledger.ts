import type { Clock } from "../ports/clock.ts";
import type { Adjustment, Charge, LimitName, ReserveOutcome, UsageLedger } from "../ports/usage-ledger.ts";
import type { SqlClient } from "./sql-client.ts";

const MINUTE = 60_000;
/** How often an instance clears windows long past; every instance does, and overlapping is harmless. */
const PURGE_EVERY = 10 * MINUTE;
/** Per-minute windows are worth nothing once they close; an hour keeps recent ones for reporting. */
const MINUTE_WINDOWS_KEPT = 60 * MINUTE;
/** The longest window is a calendar month: 62 days keeps the current month and the one before. */
const WINDOWS_KEPT = 62 * 24 * 60 * MINUTE;
const MINUTE_LIMITS: readonly LimitName[] = ["requests_per_minute", "tokens_per_minute"];

/**
 * Adds the charge only while the window is under its limit, in one statement. Under PostgreSQL's
 * READ COMMITTED a concurrent charge to the same window waits for the row lock, and the WHERE is
 * then evaluated on the latest committed row, not on the statement's snapshot, so two instances
 * can never both take the last unit. A new window is inserted unconditionally: callers only get
 * here with max > 0. No row back: the WHERE failed, the window is full and the charge refused.
 */
const CHARGE = `INSERT INTO usage_windows (subject, limit_name, window_start, used, max_value, updated_at)
  VALUES (?, ?, ?, ?, ?, ?)
  ON CONFLICT (subject, limit_name, window_start) DO UPDATE
  SET used = usage_windows.used + excluded.used, max_value = excluded.max_value, updated_at = excluded.updated_at
  WHERE usage_windows.used < ?
  RETURNING used`;

// CASE rather than GREATEST or MAX: SQLite's MAX and PostgreSQL's GREATEST are not each other's.
const SETTLE = `UPDATE usage_windows SET used = CASE WHEN used + ? < 0 THEN 0 ELSE used + ? END, updated_at = ?
  WHERE subject = ? AND limit_name = ? AND window_start = ?`;

interface WindowKey {
  readonly subject: string;
  readonly limit: LimitName;
  readonly windowStart: number;
}

/**
 * One order for every transaction on every instance, so two requests that share windows lock their
 * rows in the same sequence and cannot deadlock. Code-unit order, not the database's collation:
 * all that matters is that every instance computes the same one.
 */
function byWindow(a: WindowKey, b: WindowKey): number {
  if (a.subject !== b.subject) return a.subject < b.subject ? -1 : 1;
  if (a.limit !== b.limit) return a.limit < b.limit ? -1 : 1;
  return a.windowStart - b.windowStart;
}

/** Thrown inside the transaction so that the charges already added roll back; never escapes. */
class Refused extends Error {
  readonly charge: Charge;
  constructor(charge: Charge) {
    super("usage window full");
    this.charge = charge;
  }
}

/**
 * The usage ledger in the shared database (table usage_windows), for instances that share one
 * PostgreSQL store: the database's row locks are the only coordination between them. On SQLite
 * the single writer makes every reservation trivially serial.
 */
export class SqlUsageLedger implements UsageLedger {
  readonly #sql: SqlClient;
  readonly #clock: Clock;
  #purgedAt = Number.NEGATIVE_INFINITY;

  constructor(sql: SqlClient, clock: Clock) {
    this.#sql = sql;
    this.#clock = clock;
  }

  async reserve(charges: readonly Charge[]): Promise<ReserveOutcome> {
    if (charges.length === 0) return { ok: true };
    // A window without any room refuses whatever its use: no need to ask the database.
    const hopeless = charges.find((charge) => charge.max <= 0);
    if (hopeless !== undefined) return { ok: false, refused: hopeless };
    const now = this.#clock.now();
    const ordered = [...charges].sort(byWindow);
    let outcome: ReserveOutcome = { ok: true };
    try {
      await this.#sql.transaction(async (tx) => {
        for (const c of ordered) {
          const rows = await tx.all(CHARGE, [c.subject, c.limit, c.windowStart, c.amount, c.max, now, c.max]);
          if (rows.length === 0) throw new Refused(c);
        }
      });
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      outcome = { ok: false, refused: error.charge };
    }
    // After the reservation, so that on SQLite's one connection the request never queues behind it.
    this.#purgeNowAndThen(now);
    return outcome;
  }

  async settle(adjustments: readonly Adjustment[]): Promise<void> {
    const changes = adjustments.filter((a) => a.delta !== 0).sort(byWindow);
    if (changes.length === 0) return;
    const now = this.#clock.now();
    await this.#sql.transaction(async (tx) => {
      for (const a of changes)
        await tx.run(SETTLE, [a.delta, a.delta, now, a.subject, a.limit, a.windowStart]);
    });
  }

  /** Use so far in that window (0 for a window never charged, or already purged). */
  async used(subject: string, limit: LimitName, windowStart: number): Promise<number> {
    const rows = await this.#sql.all(
      "SELECT used FROM usage_windows WHERE subject = ? AND limit_name = ? AND window_start = ?",
      [subject, limit, windowStart],
    );
    const row = rows[0];
    // PostgreSQL's driver returns BIGINT as a string.
    return row === undefined ? 0 : Number(row.used);
  }

  /**
   * Deletes windows long closed; returns how many. In a transaction of its own: on SQLite's one
   * connection a bare statement would join whichever reservation is open, and roll back with it.
   */
  async purge(now: number): Promise<number> {
    const deleted = await this.#sql.transaction((tx) =>
      tx.all(
        `DELETE FROM usage_windows WHERE window_start < ? OR (limit_name IN (${MINUTE_LIMITS.map(() => "?").join(", ")}) AND window_start < ?) RETURNING subject`,
        [now - WINDOWS_KEPT, ...MINUTE_LIMITS, now - MINUTE_WINDOWS_KEPT],
      ),
    );
    return deleted.length;
  }

  /**
   * At most once per PURGE_EVERY, not awaited and never fatal: a request must not wait for, or fail
   * because of, housekeeping. A failed purge leaves its rows to the next one.
   */
  #purgeNowAndThen(now: number): void {
    if (now - this.#purgedAt < PURGE_EVERY) return;
    this.#purgedAt = now;
    this.purge(now).catch(() => {});
  }
}
