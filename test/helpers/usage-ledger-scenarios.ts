/**
 * SqlUsageLedger scenarios written once for both dialects: test/postgres/usage-ledger.test.ts runs
 * them on PostgreSQL in-process and on SQLite through usage-ledger-sqlite.ts under Bun (Node 20,
 * which runs vitest, has no node:sqlite). Each returns plain data for the test to check.
 */
import { deepStrictEqual, ok } from "node:assert/strict";
import fc from "fast-check";
import { ManualClock } from "../../core/ports/clock.ts";
import { type Charge, type LimitName, MemoryUsageLedger } from "../../core/ports/usage-ledger.ts";
import type { SqlClient } from "../../core/store/sql-client.ts";
import { SqlUsageLedger } from "../../core/store/sql-usage-ledger.ts";

export const T0 = Date.UTC(2026, 5, 1, 12, 0);
export const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const SUBJECTS = ["ann", "bob"];
const LIMITS: readonly LimitName[] = ["requests_per_minute", "tokens_per_day", "usd_per_month"];

type Op =
  | { kind: "reserve"; charges: { subject: string; limit: LimitName; amount: number; max: number }[] }
  | { kind: "settle"; picks: { pick: number; delta: number }[] }
  | { kind: "next-window"; by: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc.record({
      kind: fc.constant("reserve" as const),
      // One charge per (subject, limit), as the gate sends them.
      charges: fc.uniqueArray(
        fc.record({
          subject: fc.constantFrom(...SUBJECTS),
          limit: fc.constantFrom(...LIMITS),
          amount: fc.integer({ min: 0, max: 6 }),
          max: fc.integer({ min: 0, max: 12 }),
        }),
        { minLength: 1, maxLength: 3, selector: (c) => `${c.subject}/${c.limit}` },
      ),
    }),
  },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("settle" as const),
      picks: fc.array(fc.record({ pick: fc.nat(), delta: fc.integer({ min: -15, max: 15 }) }), {
        minLength: 1,
        maxLength: 3,
      }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({ kind: fc.constant("next-window" as const), by: fc.integer({ min: 1, max: 2 }) }),
  },
);

/**
 * Random reserves and settles, applied to MemoryUsageLedger and to the SQL ledgers (taking turns,
 * when there are several instances): same outcomes, and after every step the same use in every
 * current window. Windows only move forward, as time does. Settles correct charges granted
 * earlier, possibly in a window since closed: the memory ledger has dropped those (by design), so
 * there only "never negative" is checked. Throws fast-check's counterexample on a mismatch.
 */
export async function agreesWithMemory(sql: SqlClient, ledgers: readonly SqlUsageLedger[], numRuns: number) {
  await fc.assert(
    fc.asyncProperty(fc.array(opArb, { minLength: 1, maxLength: 30, size: "max" }), async (ops) => {
      await sql.run(
        `DELETE FROM usage_windows WHERE subject IN (${SUBJECTS.map(() => "?").join(", ")})`,
        SUBJECTS,
      );
      const memory = new MemoryUsageLedger();
      const granted: Charge[] = [];
      const touched = new Map<string, Charge>();
      let windowStart = T0;
      for (const [step, op] of ops.entries()) {
        const ledger = ledgers[step % ledgers.length]!;
        if (op.kind === "next-window") windowStart += op.by * MINUTE;
        else if (op.kind === "reserve") {
          const charges = op.charges.map((c) => ({ ...c, windowStart }));
          const full = charges.filter((c) => memory.used(c.subject, c.limit, windowStart) >= c.max);
          const expected = await memory.reserve(charges);
          const outcome = await ledger.reserve(charges);
          deepStrictEqual(outcome.ok, expected.ok, `step ${step}: reserve ok`);
          if (!outcome.ok) ok(full.includes(outcome.refused), `step ${step}: refused a window with room`);
          else granted.push(...charges);
          for (const c of charges) touched.set(`${c.subject}/${c.limit}/${c.windowStart}`, c);
        } else if (granted.length > 0) {
          const adjustments = op.picks.map(({ pick, delta }) => ({
            ...granted[pick % granted.length]!,
            delta,
          }));
          await memory.settle(adjustments);
          await ledger.settle(adjustments);
        }
        for (const subject of SUBJECTS)
          for (const limit of LIMITS)
            deepStrictEqual(
              await ledger.used(subject, limit, windowStart),
              memory.used(subject, limit, windowStart),
              `step ${step}: used ${subject}/${limit}`,
            );
      }
      for (const c of touched.values()) ok((await ledgers[0]!.used(c.subject, c.limit, c.windowStart)) >= 0);
    }),
    { numRuns },
  );
}

/** A reservation whose last window (in lock order) is full leaves every earlier one as it was. */
export async function allOrNone(sql: SqlClient) {
  const ledger = new SqlUsageLedger(sql, new ManualClock(T0));
  const charge = (limit: LimitName, windowStart: number, amount: number, max: number): Charge => ({
    subject: "carol",
    limit,
    windowStart,
    amount,
    max,
  });
  await ledger.reserve([charge("requests_per_minute", T0, 3, 100), charge("tokens_per_minute", T0, 50, 50)]);
  // Listed first but locked last ("tokens_..." sorts after "requests_..."): the others are written
  // before the refusal, so only a rollback can undo them; one of them is a window never charged.
  const full = charge("tokens_per_minute", T0, 10, 50);
  const outcome = await ledger.reserve([
    full,
    charge("requests_per_minute", T0, 1, 100),
    charge("requests_per_minute", T0 - MINUTE, 1, 100),
  ]);
  return {
    outcome,
    refusedTheFullOne: !outcome.ok && outcome.refused === full,
    used: {
      requests: await ledger.used("carol", "requests_per_minute", T0),
      requestsBefore: await ledger.used("carol", "requests_per_minute", T0 - MINUTE),
      tokens: await ledger.used("carol", "tokens_per_minute", T0),
    },
    noRoomAtAll: await ledger.reserve([charge("tokens_per_day", T0, 1, 0)]),
    noRoomUsed: await ledger.used("carol", "tokens_per_day", T0),
  };
}

/** Corrections move a window's use both ways but never below zero; zero and unknown windows are no-ops. */
export async function settleClamps(sql: SqlClient) {
  const ledger = new SqlUsageLedger(sql, new ManualClock(T0));
  const window = { subject: "dan", limit: "tokens_per_day", windowStart: T0 } as const;
  const seen: number[] = [];
  const look = async () => seen.push(await ledger.used("dan", "tokens_per_day", T0));
  await ledger.reserve([{ ...window, amount: 5, max: 100 }]);
  await look();
  await ledger.settle([{ ...window, delta: -8 }]);
  await look();
  await ledger.settle([{ ...window, delta: 3 }]);
  await look();
  await ledger.settle([{ ...window, delta: 0 }]);
  await look();
  // Applied in order within one call: +4 then -10 clamps to 0, then +2.
  await ledger.settle([
    { ...window, delta: 4 },
    { ...window, delta: -10 },
    { ...window, delta: 2 },
  ]);
  await look();
  await ledger.settle([{ ...window, windowStart: T0 + DAY, delta: 7 }]);
  return { seen, unknownWindow: await ledger.used("dan", "tokens_per_day", T0 + DAY) };
}

/**
 * purge(now) deletes minute windows over an hour old and any window over 62 days old. Its `now` is
 * far past the other scenarios' windows, whose ledgers' own purges then cannot touch these rows.
 */
export async function purgesOldWindows(sql: SqlClient) {
  const now = T0 + 1000 * DAY;
  // Only this scenario's rows, so that the count is this scenario's.
  await sql.run("DELETE FROM usage_windows");
  const ledger = new SqlUsageLedger(sql, new ManualClock(T0));
  const windows: [LimitName, number][] = [
    ["requests_per_minute", now - 120 * MINUTE],
    ["tokens_per_minute", now - 61 * MINUTE],
    ["requests_per_minute", now - 59 * MINUTE],
    ["tokens_per_minute", now],
    ["tokens_per_day", now - 10 * DAY],
    ["usd_per_month", now - 63 * DAY],
    ["usd_per_month", now - 40 * DAY],
  ];
  for (const [limit, windowStart] of windows)
    await ledger.reserve([{ subject: "erin", limit, windowStart, amount: 1, max: 10 }]);
  const deleted = await ledger.purge(now);
  const left: string[] = [];
  for (const [limit, windowStart] of windows)
    if ((await ledger.used("erin", limit, windowStart)) > 0)
      left.push(`${limit}@${(windowStart - now) / MINUTE}m`);
  return { deleted, left };
}
