import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUNTIMES } from "../behaviour/runtimes.ts";
import {
  BUDGET_CONFIG,
  fiftyAgainstTen,
  heldBudgetUpstream,
  REQUEST_COST,
} from "../helpers/budget-scenario.ts";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { freshDatabase } from "./pg.ts";

/**
 * Budgets across instances: a Bun and a Node bridge on one PostgreSQL database, with no other
 * coordination between them, take turns with 50 simultaneous requests against a budget for 10.
 */
describe("usage budgets across instances sharing PostgreSQL", () => {
  let held: Awaited<ReturnType<typeof heldBudgetUpstream>>;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let servers: RunningServer[] = [];

  beforeAll(async () => {
    held = await heldBudgetUpstream();
    database = await freshDatabase("budgets");
    const env = {
      CAUSEWAY_DB: database.url,
      ANTHROPIC_API_KEY: "sk-ant-enterprise-budgets",
      CAUSEWAY_ANTHROPIC_BASE_URL: held.upstream.url,
    };
    // One after the other: the first one's migrations create the ledger table for both.
    for (const runtime of RUNTIMES.filter((r) => r.name !== "deno"))
      servers.push(
        await startServer({
          command: runtime.command,
          env: { ...runtime.env, ...env },
          config: BUDGET_CONFIG,
        }),
      );
  });
  afterAll(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    servers = [];
    await held?.upstream.close();
    await database?.drop();
  });

  it("50 simultaneous requests over two instances reach the upstream 10 times", async () => {
    const key = await servers[0]!.createUser("alice");
    const statuses = await fiftyAgainstTen(
      servers.map((s) => s.url),
      key,
      held,
    );
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    // Both instances refused some: the limit held across them, not within each.
    const refusedBy = servers.map(
      (_, i) => statuses.filter((s, n) => n % servers.length === i && s === 429).length,
    );
    expect(refusedBy.every((n) => n > 0)).toBe(true);
    // Settled: the shared ledger holds the real cost of the ten, in micro-dollars, and the audit
    // (what `usage --budgets` reads) agrees.
    const sql = postgres(database.url, { max: 1 });
    try {
      const ledger = await sql`SELECT used FROM usage_windows WHERE limit_name = 'usd_per_day'`;
      expect(ledger.map((r) => Number(r.used))).toEqual([10 * REQUEST_COST]);
    } finally {
      await sql.end();
    }
    const rows = JSON.parse(await servers[1]!.cli("usage", "--budgets", "--json")) as {
      limit: string;
      used: number;
    }[];
    expect(rows.find((r) => r.limit === "usd_per_day")?.used).toBe((10 * REQUEST_COST) / 1e6);
  });
});
