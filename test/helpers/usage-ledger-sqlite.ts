/**
 * Runs on Bun (bun:sqlite is Bun's): `bun usage-ledger-sqlite.ts DIR`. Runs the SqlUsageLedger
 * scenarios on a real SQLite file in DIR and prints one JSON line for
 * test/postgres/usage-ledger.test.ts to check.
 */
import { join } from "node:path";
import { openBunSqlite } from "../../adapters/store/bun-sqlite.ts";
import { ManualClock } from "../../core/ports/clock.ts";
import { SqlStore } from "../../core/store/sql-store.ts";
import { SqlUsageLedger } from "../../core/store/sql-usage-ledger.ts";
import { agreesWithMemory, allOrNone, purgesOldWindows, settleClamps, T0 } from "./usage-ledger-scenarios.ts";

const [dir, runs] = process.argv.slice(2) as [string, string];
const sql = openBunSqlite(join(dir, "ledger.db"));
await new SqlStore(sql).migrate(T0);

let property: { passed: true } | { passed: false; error: string } = { passed: true };
try {
  await agreesWithMemory(sql, [new SqlUsageLedger(sql, new ManualClock(T0))], Number(runs));
} catch (error) {
  property = {
    passed: false,
    error: String(error instanceof Error ? `${error.message}\n${String(error.cause)}` : error),
  };
}
console.log(
  JSON.stringify({
    property,
    allOrNone: await allOrNone(sql),
    settle: await settleClamps(sql),
    purge: await purgesOldWindows(sql),
  }),
);
await sql.close();
process.exit(0);
