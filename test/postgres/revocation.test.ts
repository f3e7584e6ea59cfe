import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { RUNTIMES } from "../behaviour/runtimes.ts";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { startUpstream } from "../helpers/upstream-server.ts";
import { freshDatabase } from "./pg.ts";

const TTL_MS = 1_500;
const BODY =
  '{"type":"message","content":[{"type":"text","text":"ok"}],"usage":{"input_tokens":1,"output_tokens":1}}';

/**
 * Revoking a key and disabling a user reach every instance on one PostgreSQL database within
 * `auth.cache_ttl_ms`, although each instance had the credential in its cache (Bun, Node, Deno).
 */
describe("revocation across instances sharing PostgreSQL", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let servers: RunningServer[] = [];

  const status = (server: RunningServer, key: string) =>
    fetch(`${server.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-rev",
        max_tokens: 4,
        messages: [{ role: "user", content: "hi" }],
      }),
    }).then(async (response) => {
      await response.arrayBuffer();
      return response.status;
    });

  /** Ms until every instance refuses `key` (polled every 100 ms). */
  const untilRefusedEverywhere = async (key: string): Promise<number> => {
    const start = Date.now();
    for (;;) {
      const statuses = await Promise.all(servers.map((server) => status(server, key)));
      if (statuses.every((s) => s === 401)) return Date.now() - start;
      expect(Date.now() - start, `statuses ${statuses}`).toBeLessThan(TTL_MS * 4);
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  };

  beforeAll(async () => {
    upstream = await startUpstream(() => ({ body: BODY }));
    database = await freshDatabase("revoke");
    const env = {
      CAUSEWAY_DB: database.url,
      ANTHROPIC_API_KEY: "sk-ent-revoke",
      CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url,
    };
    servers = await Promise.all(
      RUNTIMES.map((runtime) =>
        startServer({
          command: runtime.command,
          env: { ...runtime.env, ...env },
          config: `auth:\n  cache_ttl_ms: ${TTL_MS}\n`,
        }),
      ),
    );
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
    await upstream?.close();
    await database?.drop();
  });

  it("keys revoke KEY_ID: every instance refuses the key within cache_ttl_ms", async () => {
    await servers[0]!.cli("users", "create", "rhea", "--json");
    const key = JSON.parse(await servers[1]!.cli("keys", "create", "rhea", "--json")) as {
      key_id: string;
      token: string;
    };
    // Each instance has verified (and cached) the key.
    expect(await Promise.all(servers.map((server) => status(server, key.token)))).toEqual([200, 200, 200]);
    await servers[2]!.cli("keys", "revoke", key.key_id);
    expect(await untilRefusedEverywhere(key.token)).toBeLessThanOrEqual(TTL_MS + 500);
  });

  it("users disable NAME: every instance refuses all of the user's keys within cache_ttl_ms", async () => {
    const { token } = JSON.parse(await servers[0]!.cli("users", "create", "sven", "--json")) as {
      token: string;
    };
    expect(await Promise.all(servers.map((server) => status(server, token)))).toEqual([200, 200, 200]);
    await servers[1]!.cli("users", "disable", "sven");
    expect(await untilRefusedEverywhere(token)).toBeLessThanOrEqual(TTL_MS + 500);
    await servers[1]!.cli("users", "enable", "sven");
    await new Promise((resolve) => setTimeout(resolve, TTL_MS + 100));
    expect(await Promise.all(servers.map((server) => status(server, token)))).toEqual([200, 200, 200]);
  });
});
