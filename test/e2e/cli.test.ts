import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blockingMessage } from "../helpers/anthropic-wire.ts";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { startUpstream } from "../helpers/upstream-server.ts";

/**
 * The `causeway` command's contract (bin/causeway, as a user runs it) against the store of a
 * running server: users create/revoke, interceptions list with its filters and record shape,
 * and usage aggregates.
 */

const CONTRACT_KEYS = [
  "api",
  "auth",
  "client",
  "ended_at",
  "http_status",
  "id",
  "model",
  "prompts",
  "provider",
  "session_id",
  "started_at",
  "status",
  "streaming",
  "thoughts",
  "tokens",
  "tools",
  "upstream",
  "user",
  "user_agent",
];

/** Per-model usage the fake upstream reports, so sums are checkable. */
const USAGE: Record<
  string,
  {
    input_tokens: number;
    output_tokens: number;
    cache_read_input_tokens: number;
    cache_creation_input_tokens: number;
  }
> = {
  "claude-cli-a": {
    input_tokens: 10,
    output_tokens: 20,
    cache_read_input_tokens: 30,
    cache_creation_input_tokens: 40,
  },
  "claude-cli-b": {
    input_tokens: 1,
    output_tokens: 2,
    cache_read_input_tokens: 3,
    cache_creation_input_tokens: 4,
  },
};

interface View {
  id: string;
  user: string;
  model: string;
  started_at: string;
  tokens: Record<string, number>;
  [key: string]: unknown;
}

interface UsageRow {
  key: string;
  interceptions: number;
  tokens: Record<string, number>;
}

describe("the causeway command", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: RunningServer;

  const causeway = (...args: string[]) => server.command(...args);

  const call = (key: string, model: string, prompt: string) =>
    fetch(`${server.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model, max_tokens: 16, messages: [{ role: "user", content: prompt }] }),
    });

  beforeAll(async () => {
    upstream = await startUpstream((request) => {
      const { model } = JSON.parse(request.body) as { model: string };
      return { body: JSON.stringify(blockingMessage({ model, usage: USAGE[model]! })) };
    });
    // Revocation takes effect within the auth cache TTL; 0 makes it immediate for this test.
    server = await startServer({
      env: { ANTHROPIC_API_KEY: "sk-ant-enterprise-cli", CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url },
      config: "auth:\n  cache_ttl_ms: 0\n",
    });
  });
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
  });

  it("users create --json prints exactly {user, token}, and the store keeps only the key's hash", async () => {
    const run = await causeway("users", "create", "ann", "--json");
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as Record<string, unknown>;
    expect(Object.keys(printed).sort()).toEqual(["token", "user"]);
    expect(printed.user).toBe("ann");
    const token = String(printed.token);
    expect(token.length).toBeGreaterThanOrEqual(32);

    const store = Buffer.concat(
      ["", "-wal", "-shm"]
        .map((suffix) => `${server.db}${suffix}`)
        .filter(existsSync)
        .map((path) => readFileSync(path)),
    );
    expect(store.includes(token)).toBe(false);
    expect(store.includes(createHash("sha256").update(token).digest("hex"))).toBe(true);
  });

  it("users create without --json shows the key once, and each key is new", async () => {
    const run = await causeway("users", "create", "bob");
    expect(run.code).toBe(0);
    const keys = run.stdout.match(/cw_[A-Za-z0-9_-]+/g) ?? [];
    expect(keys).toHaveLength(1);
    expect((await call(keys[0]!, "claude-cli-b", "bob checks his key")).status).toBe(200);
  });

  it("a duplicate user is refused with a clear message and a non-zero exit", async () => {
    const run = await causeway("users", "create", "ann", "--json");
    expect(run.code).not.toBe(0);
    expect(run.stdout).toBe("");
    expect(run.stderr).toContain('user "ann" already exists');
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });

  it("bad arguments are usage errors, not stack traces", async () => {
    for (const args of [
      ["interceptions", "list", "--limit", "zero"],
      ["interceptions", "list", "--since", "yesterday-ish"],
      ["usage", "--by", "planet"],
      ["users", "create", "bad name!"],
      ["frobnicate"],
    ]) {
      const run = await causeway(...args);
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(/^causeway: /);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
  });

  it("users revoke: the revoked key gets 401 and the upstream is not called", async () => {
    const token = (
      JSON.parse((await causeway("users", "create", "carol", "--json")).stdout) as { token: string }
    ).token;
    expect((await call(token, "claude-cli-a", "before revoke")).status).toBe(200);
    const revoke = await causeway("users", "revoke", "carol");
    expect(revoke.code).toBe(0);
    const before = upstream.requests.length;
    const refused = await call(token, "claude-cli-a", "after revoke");
    expect(refused.status).toBe(401);
    expect(await refused.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    expect(upstream.requests.length).toBe(before);
  });

  it("interceptions list: newest first, contract keys, --user, --since and --limit filters", async () => {
    const ann = (
      JSON.parse((await causeway("users", "create", "dora", "--json")).stdout) as { token: string }
    ).token;
    const eve = (JSON.parse((await causeway("users", "create", "eve", "--json")).stdout) as { token: string })
      .token;
    const plan: [string, string, string][] = [
      [ann, "claude-cli-a", "dora one"],
      [eve, "claude-cli-b", "eve one"],
      [ann, "claude-cli-b", "dora two"],
      [ann, "claude-cli-a", "dora three"],
    ];
    const ids: string[] = [];
    for (const [key, model, prompt] of plan) {
      const response = await call(key, model, prompt);
      expect(response.status).toBe(200);
      ids.push(response.headers.get("x-causeway-request-id")!);
      await new Promise((r) => setTimeout(r, 15));
    }

    const all = (await server.interceptions("--limit", "100")) as View[];
    for (const row of all) {
      expect(Object.keys(row).sort()).toEqual(CONTRACT_KEYS);
      expect(Object.keys(row.tokens).sort()).toEqual([
        "cache_read",
        "cache_write",
        "input",
        "output",
        "reasoning",
      ]);
    }
    const startedAt = all.map((row) => Date.parse(row.started_at));
    expect(startedAt).toEqual([...startedAt].sort((a, b) => b - a));
    expect(all.slice(0, 4).map((row) => row.id)).toEqual([...ids].reverse());

    const dora = (await server.interceptions("--user", "dora")) as View[];
    expect(dora.map((row) => row.prompts)).toEqual([["dora three"], ["dora two"], ["dora one"]]);
    expect(dora.every((row) => row.user === "dora")).toBe(true);

    expect(
      ((await server.interceptions("--user", "dora", "--limit", "2")) as View[]).map((row) => row.id),
    ).toEqual([ids[3], ids[2]]);

    const third = all.find((row) => row.id === ids[2])!;
    const since = (await server.interceptions("--since", third.started_at, "--limit", "100")) as View[];
    expect(since.map((row) => row.id)).toEqual([ids[3], ids[2]]);
    expect(await server.interceptions("--user", "nobody")).toEqual([]);

    const text = await causeway("interceptions", "list", "--user", "eve");
    expect(text.code).toBe(0);
    expect(text.stdout).toContain(ids[1]);
  });

  it("usage --by user|model|day --json sums what interceptions list shows", async () => {
    const all = (await server.interceptions("--limit", "1000")) as View[];
    const expected = (keyOf: (row: View) => string): Map<string, UsageRow> => {
      const groups = new Map<string, UsageRow>();
      for (const row of all) {
        const key = keyOf(row);
        const group = groups.get(key) ?? {
          key,
          interceptions: 0,
          tokens: { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0, total: 0 },
        };
        group.interceptions++;
        for (const name of ["input", "output", "cache_read", "cache_write", "reasoning"])
          group.tokens[name]! += row.tokens[name]!;
        group.tokens.total! +=
          row.tokens.input! + row.tokens.output! + row.tokens.cache_read! + row.tokens.cache_write!;
        groups.set(key, group);
      }
      return groups;
    };
    const groupings: [string, (row: View) => string][] = [
      ["user", (row) => row.user],
      ["model", (row) => row.model],
      ["day", (row) => row.started_at.slice(0, 10)],
    ];
    for (const [by, keyOf] of groupings) {
      const run = await causeway("usage", "--by", by, "--json");
      expect(run.code).toBe(0);
      const rows = JSON.parse(run.stdout) as UsageRow[];
      const want = expected(keyOf);
      expect(new Map(rows.map((row) => [row.key, row] as const)), by).toEqual(want);
    }
    const byUser = JSON.parse((await causeway("usage", "--by", "user", "--json")).stdout) as UsageRow[];
    expect(byUser.find((row) => row.key === "dora")).toMatchObject({
      interceptions: 3,
      tokens: { input: 21, output: 42, cache_read: 63, cache_write: 84, total: 210 },
    });
    const future = JSON.parse(
      (await causeway("usage", "--since", "2999-01-01T00:00:00Z", "--json")).stdout,
    ) as UsageRow[];
    expect(future).toEqual([]);
    const table = await causeway("usage", "--by", "model");
    expect(table.code).toBe(0);
    expect(table.stdout).toContain("claude-cli-a");
  });
});
