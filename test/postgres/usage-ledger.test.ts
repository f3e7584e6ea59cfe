import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it, onTestFinished, vi } from "vitest";
import { openPostgres } from "../../adapters/store/postgres.ts";
import { ManualClock } from "../../core/ports/clock.ts";
import type { Charge } from "../../core/ports/usage-ledger.ts";
import type { SqlClient } from "../../core/store/sql-client.ts";
import { SqlStore } from "../../core/store/sql-store.ts";
import { SqlUsageLedger } from "../../core/store/sql-usage-ledger.ts";
import {
  agreesWithMemory,
  allOrNone,
  MINUTE,
  purgesOldWindows,
  settleClamps,
  T0,
} from "../helpers/usage-ledger-scenarios.ts";
import { freshDatabase } from "./pg.ts";

const ROOT = join(import.meta.dirname, "../..");
const RUNS = 30;

/** What both dialects must answer to the shared scenarios. */
const EXPECTED = {
  allOrNone: {
    outcome: {
      ok: false,
      refused: { subject: "carol", limit: "tokens_per_minute", windowStart: T0, amount: 10, max: 50 },
    },
    refusedTheFullOne: true,
    used: { requests: 3, requestsBefore: 0, tokens: 50 },
    noRoomAtAll: { ok: false, refused: expect.objectContaining({ limit: "tokens_per_day", max: 0 }) },
    noRoomUsed: 0,
  },
  settle: { seen: [5, 0, 3, 3, 2], unknownWindow: 0 },
  purge: {
    deleted: 3,
    left: [
      "requests_per_minute@-59m",
      "tokens_per_minute@0m",
      "tokens_per_day@-14400m",
      "usd_per_month@-57600m",
    ],
  },
};

/** Two bridge instances are two pools on one database, each with its own ledger. */
describe("SqlUsageLedger on PostgreSQL", () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let first: SqlClient;
  let second: SqlClient;
  beforeAll(async () => {
    database = await freshDatabase("ledger");
    first = openPostgres(database.url, { max: 5 });
    second = openPostgres(database.url, { max: 5 });
    await new SqlStore(first).migrate(T0);
  });
  afterAll(async () => {
    await first?.close();
    await second?.close();
    await database?.drop();
  });

  it("agrees with MemoryUsageLedger on random reserves and settles, two instances taking turns", async () => {
    const clock = new ManualClock(T0);
    await agreesWithMemory(
      first,
      [new SqlUsageLedger(first, clock), new SqlUsageLedger(second, clock)],
      RUNS,
    );
  });

  it("admits exactly up to the limit when instances race for the same windows", async () => {
    const clock = new ManualClock(T0);
    const ledgers = [new SqlUsageLedger(first, clock), new SqlUsageLedger(second, clock)];
    for (const round of [0, 1, 2]) {
      const requests: Charge = {
        subject: "racer",
        limit: "requests_per_minute",
        windowStart: T0 + round * MINUTE,
        amount: 1,
        max: 10,
      };
      const tokens: Charge = { ...requests, limit: "tokens_per_minute", amount: 7, max: 1_000_000 };
      // Half of the calls list the windows in the other order: the ledger must lock them in one.
      const outcomes = await Promise.all(
        Array.from({ length: 50 }, (_, i) =>
          ledgers[i % 2]!.reserve((i >> 1) % 2 === 0 ? [requests, tokens] : [tokens, requests]),
        ),
      );
      expect(outcomes.filter((o) => o.ok)).toHaveLength(10);
      expect(outcomes.filter((o) => !o.ok)).toEqual(Array(40).fill({ ok: false, refused: requests }));
      expect(await ledgers[0]!.used("racer", "requests_per_minute", requests.windowStart)).toBe(10);
      expect(await ledgers[1]!.used("racer", "tokens_per_minute", requests.windowStart)).toBe(70);
    }
  });

  it("adds all charges of a reservation or none", async () => {
    expect(await allOrNone(first)).toEqual(EXPECTED.allOrNone);
  });

  it("settles corrections without going below zero", async () => {
    expect(await settleClamps(first)).toEqual(EXPECTED.settle);
  });

  it("purges minute windows past an hour and every window past 62 days", async () => {
    expect(await purgesOldWindows(first)).toEqual(EXPECTED.purge);
  });

  it("purges from reserve at most every 10 minutes, without waiting for it or failing with it", async () => {
    let failPurge = false;
    let failedPurges = 0;
    // A reserve is one statement; each purge is a transaction of its own, begun before reserve
    // returns, so counting transactions counts purges. (Not
    // vi.spyOn(ledger, "purge"): the spy handles the promises it records, hiding an uncaught one.)
    let transactions = 0;
    const flaky: SqlClient = {
      ...first,
      transaction(work) {
        transactions++;
        return first.transaction((tx) =>
          work({
            ...tx,
            all: (sql, params) => {
              if (!failPurge || !sql.startsWith("DELETE")) return tx.all(sql, params);
              failedPurges++;
              return Promise.reject(new Error("purge failed"));
            },
          }),
        );
      },
    };
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on("unhandledRejection", onUnhandled);
    onTestFinished(() => {
      process.off("unhandledRejection", onUnhandled);
    });
    // Later than every other test's windows, so that only this ledger's purges reach these rows.
    const start = T0 + 2000 * 24 * 60 * MINUTE;
    const clock = new ManualClock(start);
    const ledger = new SqlUsageLedger(flaky, clock);
    const old = (n: number): Charge => ({
      subject: "frank",
      limit: "requests_per_minute",
      windowStart: start - (120 + n) * MINUTE,
      amount: 1,
      max: 5,
    });
    const used = (n: number) => ledger.used("frank", "requests_per_minute", old(n).windowStart);

    expect(await ledger.reserve([old(0)])).toEqual({ ok: true });
    expect(transactions).toBe(1);
    await vi.waitFor(async () => expect(await used(0)).toBe(0));

    clock.advance(9 * MINUTE);
    expect(await ledger.reserve([old(1)])).toEqual({ ok: true });
    expect(transactions).toBe(1);
    expect(await used(1)).toBe(1);

    clock.advance(MINUTE);
    failPurge = true;
    expect(await ledger.reserve([old(2)])).toEqual({ ok: true });
    expect(transactions).toBe(2);
    await vi.waitFor(() => expect(failedPurges).toBe(1));
    // Long enough for Node to report a rejection nobody handled.
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(unhandled).toEqual([]);
    expect([await used(1), await used(2)]).toEqual([1, 1]);

    failPurge = false;
    clock.advance(10 * MINUTE);
    expect(await ledger.reserve([old(3)])).toEqual({ ok: true });
    expect(transactions).toBe(3);
    await vi.waitFor(async () => expect([await used(1), await used(2), await used(3)]).toEqual([0, 0, 0]));
  });
});

/**
 * The same scenarios on SQLite. Node 20, which runs vitest, has no node:sqlite, so they run under
 * Bun on bun:sqlite (the default runtime's driver), as the audit writer's tests do.
 */
describe("SqlUsageLedger on SQLite (Bun)", () => {
  let results: Record<keyof typeof EXPECTED | "property", unknown>;
  beforeAll(async () => {
    const dir = mkdtempSync(join(tmpdir(), "causeway-ledger-"));
    try {
      const bun = join(ROOT, "node_modules/.bin/bun");
      const script = join(ROOT, "test/helpers/usage-ledger-sqlite.ts");
      const { stdout } = await promisify(execFile)(bun, [script, dir, String(RUNS)], {
        cwd: ROOT,
        timeout: 60_000,
      });
      results = JSON.parse(stdout);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("agrees with MemoryUsageLedger on random reserves and settles", () => {
    expect(results.property).toEqual({ passed: true });
  });

  it("adds all charges of a reservation or none", () => {
    expect(results.allOrNone).toEqual(EXPECTED.allOrNone);
  });

  it("settles corrections without going below zero", () => {
    expect(results.settle).toEqual(EXPECTED.settle);
  });

  it("purges minute windows past an hour and every window past 62 days", () => {
    expect(results.purge).toEqual(EXPECTED.purge);
  });
});
