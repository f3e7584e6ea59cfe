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
 * Adds each charge only while its window is under its limit, all in one statement (one round trip).
 * Under PostgreSQL's READ COMMITTED a concurrent charge to the same window waits for the row lock,
 * and the WHERE is then evaluated on the latest committed row, not on the statement's snapshot, so
 * two instances can never both take the last unit. Rows are written in the order given (sorted by
 * the caller), so two statements lock shared rows in the same order and cannot deadlock. A new
 * window is inserted unconditionally: callers only get here with max > 0. A charge missing from
 * what comes back was refused: its window is full.
 */
function chargeStatement(count: number): string {
  const known = CHARGE_STATEMENTS[count];
  if (known !== undefined) return known;
  const rows = Array.from({ length: count }, () => "(?, ?, ?, ?, ?, ?)").join(", ");
  const statement = `INSERT INTO usage_windows (subject, limit_name, window_start, used, max_value, updated_at)
  VALUES ${rows}
  ON CONFLICT (subject, limit_name, window_start) DO UPDATE
  SET used = usage_windows.used + excluded.used, max_value = excluded.max_value, updated_at = excluded.updated_at
  WHERE usage_windows.used < excluded.max_value
  RETURNING subject, limit_name, window_start`;
  CHARGE_STATEMENTS[count] = statement;
  return statement;
}
/** By number of charges (at most one per limit): built once each. */
const CHARGE_STATEMENTS: string[] = [];

// CASE rather than GREATEST or MAX: SQLite's MAX and PostgreSQL's GREATEST are not each other's.
const SETTLE = `UPDATE usage_windows SET used = CASE WHEN used + ? < 0 THEN 0 ELSE used + ? END, updated_at = ?
  WHERE subject = ? AND limit_name = ? AND window_start = ?`;

interface WindowKey {
  readonly subject: string;
  readonly limit: LimitName;
  readonly windowStart: number;
}

/**
 * One order for every statement on every instance, so two requests that share windows lock their
 * rows in the same sequence and cannot deadlock. Code-unit order, not the database's collation:
 * all that matters is that every instance computes the same one.
 */
function byWindow(a: WindowKey, b: WindowKey): number {
  if (a.subject !== b.subject) return a.subject < b.subject ? -1 : 1;
  if (a.limit !== b.limit) return a.limit < b.limit ? -1 : 1;
  return a.windowStart - b.windowStart;
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
    const params = ordered.flatMap((c) => [c.subject, c.limit, c.windowStart, c.amount, c.max, now]);
    const added = await this.#sql.all(chargeStatement(ordered.length), params);
    // After the reservation, so that on SQLite's one connection the request never queues behind it.
    this.#purgeNowAndThen(now);
    if (added.length === ordered.length) return { ok: true };
    // All or none: take back what was added. Until then other requests see a little more use than
    // there is, and may be refused: the error is on the side that never overspends.
    const took = new Set(
      added.map((row) => `${row.subject}\u0000${row.limit_name}\u0000${Number(row.window_start)}`),
    );
    const keyOf = (c: Charge) => `${c.subject}\u0000${c.limit}\u0000${c.windowStart}`;
    const refused = ordered.find((c) => !took.has(keyOf(c)))!;
    await this.settle(ordered.filter((c) => took.has(keyOf(c))).map((c) => ({ ...c, delta: -c.amount })));
    return { ok: false, refused };
  }

  /**
   * Each correction is one statement of its own, in order (a window clamped at zero is where the
   * order shows): they need no transaction, and one row lock at a time cannot deadlock. Off the
   * request's path: the client already has its answer.
   */
  async settle(adjustments: readonly Adjustment[]): Promise<void> {
    const now = this.#clock.now();
    for (const a of adjustments)
      if (a.delta !== 0)
        await this.#sql.run(SETTLE, [a.delta, a.delta, now, a.subject, a.limit, a.windowStart]);
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
   * connection a bare statement would join whichever transaction is open there (a user being
   * created, say), and roll back with it.
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
