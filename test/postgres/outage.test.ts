import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { startUpstream } from "../helpers/upstream-server.ts";
import { freshDatabase } from "./pg.ts";
import { startTcpProxy } from "./tcp-proxy.ts";

const BODY = '{"type":"message","content":[],"usage":{"input_tokens":5,"output_tokens":6}}';

/**
 * Store outages (docs/operations.md, "Storage and outages"): the bridge reaches PostgreSQL
 * through a proxy the test takes down; the checks here read the database directly.
 */
describe("a PostgreSQL outage under a running bridge", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let server: RunningServer;
  let direct: postgres.Sql;

  const call = (key: string, model: string) =>
    fetch(`${server.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({ model, max_tokens: 4, messages: [{ role: "user", content: model }] }),
    });
  const createUser = async (name: string): Promise<string> => {
    // Through the CLI, while the store is up.
    const out = await server.cli("users", "create", name, "--json");
    return (JSON.parse(out) as { token: string }).token;
  };
  const statusOf = async (id: string): Promise<string | null | undefined> =>
    (await direct`SELECT status FROM interceptions WHERE id = ${id}`)[0]?.status as string | null | undefined;

  beforeAll(async () => {
    upstream = await startUpstream(() => ({ body: BODY }));
    database = await freshDatabase("outage");
    const url = new URL(database.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    const viaProxy = new URL(database.url);
    viaProxy.port = String(proxy.port);
    server = await startServer({
      env: {
        CAUSEWAY_DB: viaProxy.toString(),
        ANTHROPIC_API_KEY: "sk-ent-outage",
        CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url,
      },
    });
    direct = postgres(database.url, { max: 2, onnotice: () => {} });
  });
  afterAll(async () => {
    proxy?.up();
    await server?.stop();
    await direct?.end();
    await proxy?.close();
    await upstream?.close();
    await database?.drop();
  });

  it("fails closed with 503 for a key it has not cached, and never calls the upstream", async () => {
    const key = await createUser("uncached");
    const before = upstream.requests.length;
    proxy.down();
    try {
      const response = await call(key, "during-outage");
      expect(response.status).toBe(503);
      const body = JSON.stringify(await response.json());
      expect(body).toContain("temporarily unavailable");
      expect(body).not.toMatch(/ECONN|postgres|interceptions/i);
      expect(upstream.requests.length).toBe(before);
    } finally {
      proxy.up();
    }
    // Once the store is back, the same key works.
    expect((await call(key, "after-outage")).status).toBe(200);
  });

  it("keeps the audit of a request served during the outage and stores it after recovery", async () => {
    const key = await createUser("cached");
    expect((await call(key, "warm-cache")).status).toBe(200);
    proxy.down();
    let id = "";
    try {
      // The key is in the auth cache (60 s TTL): the request is served while the store is down.
      const response = await call(key, "served-in-outage");
      expect(response.status).toBe(200);
      id = response.headers.get("x-causeway-request-id")!;
      await new Promise((r) => setTimeout(r, 1_500));
      expect(await statusOf(id)).toBeUndefined();
      expect(server.logs()).toContain("audit write failed; will retry");
    } finally {
      proxy.up();
    }
    const deadline = Date.now() + 10_000;
    while ((await statusOf(id)) !== "completed" && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 200));
    expect(await statusOf(id)).toBe("completed");
    const [row] = await server.interceptions("--user", "cached", "--limit", "1");
    expect(row).toMatchObject({ id, status: "completed", tokens: { input: 5, output: 6 } });
  });
});
