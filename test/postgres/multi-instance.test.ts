import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openPostgres } from "../../adapters/store/postgres.ts";
import { MIGRATIONS } from "../../core/store/schema.ts";
import { SqlStore } from "../../core/store/sql-store.ts";
import { RUNTIMES } from "../behaviour/runtimes.ts";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { startUpstream } from "../helpers/upstream-server.ts";
import { freshDatabase } from "./pg.ts";

const BODY =
  '{"type":"message","content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":2,"output_tokens":3}}';

/**
 * Multi-instance deployments: one bridge per runtime (Bun, Node, Deno), all on one PostgreSQL
 * database, started at the same moment so their migrations race.
 */
describe("several bridge instances on one PostgreSQL database", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let servers: RunningServer[] = [];

  const call = (server: RunningServer, key: string, model: string) =>
    fetch(`${server.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({ model, max_tokens: 4, messages: [{ role: "user", content: model }] }),
    });
  const count = async (sql: string): Promise<number> => {
    const db = postgres(database.url, { max: 1 });
    try {
      return Number((await db.unsafe(sql))[0]!.n);
    } finally {
      await db.end();
    }
  };

  beforeAll(async () => {
    upstream = await startUpstream(() => ({ body: BODY }));
    database = await freshDatabase("multi");
    const env = {
      CAUSEWAY_DB: database.url,
      ANTHROPIC_API_KEY: "sk-ent-multi",
      CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url,
    };
    // All at once on an empty database: the migration lock must serialise them.
    servers = await Promise.all(
      RUNTIMES.map((runtime) => startServer({ command: runtime.command, env: { ...runtime.env, ...env } })),
    );
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await upstream?.close();
    await database?.drop();
  });

  it("migrated once although every instance started together", async () => {
    expect(servers.map((s) => /"runtime":"(\w+)"/.exec(s.logs())?.[1])).toEqual(["bun", "node", "deno"]);
    expect(await count("SELECT COUNT(*) AS n FROM schema_migrations")).toBe(MIGRATIONS.length);
  });

  it("accepts a key created through one instance on every other one at once", async () => {
    const [first, ...others] = servers;
    const key = await first!.createUser("shared-key");
    for (const server of others) expect((await call(server, key, "cross")).status).toBe(200);
    expect((await call(first!, key, "cross")).status).toBe(200);
  });

  it("shows the audit of every instance from any of them", async () => {
    const key = await servers[0]!.createUser("auditor");
    const ids: string[] = [];
    for (const [index, server] of servers.entries()) {
      const response = await call(server, key, `audit-${index}`);
      ids.push(response.headers.get("x-causeway-request-id")!);
    }
    for (const server of servers) {
      const rows = await server.interceptions("--user", "auditor");
      expect(rows.map((r) => r.id).sort()).toEqual([...ids].sort());
      expect(rows.every((r) => r.status === "completed")).toBe(true);
    }
  });

  it("stores every one of 60 concurrent requests spread over the instances", async () => {
    const key = await servers[0]!.createUser("burst");
    const responses = await Promise.all(
      Array.from({ length: 60 }, (_, i) => call(servers[i % servers.length]!, key, `burst-${i}`)),
    );
    expect(responses.map((r) => r.status)).toEqual(Array(60).fill(200));
    // Audit is written in the background: wait until every row has landed and ended.
    const deadline = Date.now() + 10_000;
    let ended = 0;
    while (Date.now() < deadline) {
      ended = await count(
        "SELECT COUNT(*) AS n FROM interceptions WHERE user_name = 'burst' AND status = 'completed'",
      );
      if (ended === 60) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(ended).toBe(60);
    expect(await count("SELECT COUNT(*) AS n FROM interceptions WHERE user_name = 'burst'")).toBe(60);
    expect(
      await count(
        "SELECT COUNT(*) AS n FROM token_usages t JOIN interceptions i ON i.id = t.interception_id WHERE i.user_name = 'burst'",
      ),
    ).toBe(60);
    const usage = JSON.parse(await servers[1]!.cli("usage", "--by", "user", "--json")) as {
      key: string;
      interceptions: number;
      tokens: { input: number };
    }[];
    expect(usage.find((r) => r.key === "burst")).toMatchObject({ interceptions: 60, tokens: { input: 120 } });
  });
});

describe("migrations on PostgreSQL", () => {
  it("are applied exactly once when many stores migrate one empty database at the same moment", async () => {
    const database = await freshDatabase("migrate");
    const stores = Array.from({ length: 6 }, () => new SqlStore(openPostgres(database.url, { max: 2 })));
    try {
      await Promise.all(stores.map((store) => store.migrate(Date.now())));
      const rows = await stores[0]!.sql.all("SELECT COUNT(*) AS n FROM schema_migrations");
      expect(Number(rows[0]!.n)).toBe(MIGRATIONS.length);
      // Numbers come back as strings from PostgreSQL; the store still answers with numbers.
      expect(await stores[1]!.usage("user", undefined)).toEqual([]);
    } finally {
      await Promise.all(stores.map((store) => store.sql.close()));
      await database.drop();
    }
  });
});
