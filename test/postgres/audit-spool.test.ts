import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { startUpstream } from "../helpers/upstream-server.ts";
import { freshDatabase } from "./pg.ts";
import { startTcpProxy } from "./tcp-proxy.ts";

const BODY = '{"type":"message","content":[],"usage":{"input_tokens":5,"output_tokens":6}}';

/**
 * Audit durability through the real server (docs/operations.md, "When the store is down"): the
 * bridge reaches PostgreSQL through a TCP proxy the test cuts; checks read the database directly.
 */
describe("audit records across a PostgreSQL outage", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let proxy: Awaited<ReturnType<typeof startTcpProxy>>;
  let direct: postgres.Sql;
  let dbViaProxy: string;
  let dir: string;
  const servers: RunningServer[] = [];

  const start = async (audit: string): Promise<RunningServer> => {
    const server = await startServer({
      config: `audit:\n${audit}`,
      env: {
        CAUSEWAY_DB: dbViaProxy,
        ANTHROPIC_API_KEY: "sk-ent-spool",
        CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url,
      },
    });
    servers.push(server);
    return server;
  };
  const call = (server: RunningServer, key: string, model: string) =>
    fetch(`${server.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({ model, max_tokens: 4, messages: [{ role: "user", content: model }] }),
    });
  const rowsOf = (id: string) =>
    direct`SELECT i.status, t.input::int AS input, t.output::int AS output FROM interceptions i
           LEFT JOIN token_usages t ON t.interception_id = i.id WHERE i.id = ${id}`;
  const waitFor = async (what: string, check: () => Promise<boolean> | boolean): Promise<void> => {
    const deadline = Date.now() + 10_000;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  beforeAll(async () => {
    upstream = await startUpstream(() => ({ body: BODY }));
    database = await freshDatabase("spool");
    const url = new URL(database.url);
    proxy = await startTcpProxy({ host: url.hostname, port: Number(url.port) });
    url.port = String(proxy.port);
    dbViaProxy = url.toString();
    direct = postgres(database.url, { max: 2, onnotice: () => {} });
    dir = mkdtempSync(join(tmpdir(), "causeway-spool-"));
  });
  afterAll(async () => {
    proxy?.up();
    await Promise.all(servers.map((server) => server.stop()));
    await direct?.end();
    await proxy?.close();
    await upstream?.close();
    await database?.drop();
    rmSync(dir, { recursive: true, force: true });
  });

  it("spool: a request served during the outage survives a SIGKILL and is stored after restart", async () => {
    const spoolPath = join(dir, "spool.jsonl");
    const audit = `  when_store_down: spool\n  spool_path: ${spoolPath}\n`;
    const first = await start(audit);
    const key = await first.createUser("spooled");
    expect((await call(first, key, "warm-cache")).status).toBe(200);

    proxy.down();
    let id = "";
    try {
      // The key is in the auth cache: the request is served although the store is down.
      const response = await call(first, key, "served-in-outage");
      expect(response.status).toBe(200);
      id = response.headers.get("x-causeway-request-id")!;
      // The whole record, end included: its entries may reach the spool in more than one batch.
      await waitFor("the record's end in the spool", () =>
        readFileSync(spoolPath, "utf8")
          .split("\n")
          .some((line) => line.includes(id) && line.includes('"interception-end"')),
      );
      expect(first.logs()).toContain("audit store down; spooling audit records to disk");
      // A crash: no shutdown, no last flush. Only the spool remembers the request.
      await first.stop("SIGKILL");
    } finally {
      proxy.up();
    }
    expect(await rowsOf(id)).toHaveLength(0);

    const second = await start(audit);
    await waitFor("the replayed record", async () => (await rowsOf(id)).length > 0);
    const rows = await rowsOf(id);
    // Exactly once, complete, with its usage.
    expect(rows).toEqual([{ status: "completed", input: 5, output: 6 }]);
    await waitFor("the spool to be cleared", () => readFileSync(spoolPath, "utf8") === "");
    expect(second.logs()).toContain("audit spool replayed into the store");
  });

  it("reject: new requests get 503 while the store is down and are served again after", async () => {
    const server = await start(`  when_store_down: reject\n  spool_path: ${join(dir, "reject.jsonl")}\n`);
    const key = await server.createUser("rejected");
    expect((await call(server, key, "warm-cache")).status).toBe(200);

    proxy.down();
    let servedId = "";
    try {
      // Served: no write has failed yet. Its audit write then fails and the bridge starts refusing.
      const served = await call(server, key, "before-failure");
      expect(served.status).toBe(200);
      servedId = served.headers.get("x-causeway-request-id")!;
      await waitFor("refusing", () => server.logs().includes("refusing new requests: audit cannot be kept"));
      const before = upstream.requests.length;
      const refused = await call(server, key, "during-outage");
      expect(refused.status).toBe(503);
      expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
      expect(await refused.json()).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
      expect(upstream.requests.length).toBe(before);
    } finally {
      proxy.up();
    }

    await waitFor(
      "requests to be served again",
      async () => (await call(server, key, "after")).status === 200,
    );
    // The request served as the outage began was kept in memory and stored on recovery.
    await waitFor("the kept record", async () => (await rowsOf(servedId)).length > 0);
    expect(await rowsOf(servedId)).toEqual([{ status: "completed", input: 5, output: 6 }]);
  });
});
