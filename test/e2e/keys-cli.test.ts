import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blockingMessage } from "../helpers/anthropic-wire.ts";
import { chatCompletion } from "../helpers/openai-wire.ts";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { startUpstream } from "../helpers/upstream-server.ts";

interface KeyRow {
  key_id: string;
  user: string;
  prefix: string;
  status: string;
  expires_at: string | null;
  models: string[];
  [field: string]: unknown;
}

/**
 * The key lifecycle as an operator lives it, with the real `causeway` command against a running
 * server (Bun, SQLite): several keys per user, expiry, model scopes, revoking one key, disabling
 * and enabling a user, and the key each request used in the audit.
 */
describe("keys and users: the lifecycle from the command line", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: RunningServer;

  const causeway = (...args: string[]) => server.command(...args);
  const json = async <T>(...args: string[]): Promise<T> => {
    const run = await causeway(...args);
    expect(run.code, run.stderr).toBe(0);
    return JSON.parse(run.stdout) as T;
  };
  const anthropic = (key: string, model = "claude-keys-a") =>
    fetch(`${server.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: JSON.stringify({ model, max_tokens: 8, messages: [{ role: "user", content: "hi" }] }),
    });

  beforeAll(async () => {
    upstream = await startUpstream((request) =>
      request.url.includes("chat/completions")
        ? { body: chatCompletion("gpt-keys", "ok", { prompt: 1, cached: 0, completion: 1, reasoning: 0 }) }
        : {
            body: JSON.stringify(
              blockingMessage({
                model: (JSON.parse(request.body) as { model: string }).model,
                usage: {
                  input_tokens: 1,
                  output_tokens: 1,
                  cache_read_input_tokens: 0,
                  cache_creation_input_tokens: 0,
                },
              }),
            ),
          },
    );
    // No auth cache: each change must show on the very next request.
    server = await startServer({
      config: "auth:\n  cache_ttl_ms: 0\n",
      env: {
        ANTHROPIC_API_KEY: "sk-ant-enterprise",
        OPENAI_API_KEY: "sk-openai-enterprise",
        CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url,
        CAUSEWAY_OPENAI_BASE_URL: upstream.url,
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
  });

  it("a user whose keys were revoked gets a new key with keys create (users create points there)", async () => {
    const { token: first } = await json<{ token: string }>("users", "create", "bob", "--json");
    expect((await causeway("users", "revoke", "bob")).code).toBe(0);
    expect((await anthropic(first)).status).toBe(401);

    const again = await causeway("users", "create", "bob");
    expect(again.code).toBe(1);
    expect(again.stderr).toContain("causeway keys create bob");

    const created = await json<{ user: string; key_id: string; token: string; expires_at: null }>(
      "keys",
      "create",
      "bob",
      "--json",
    );
    expect(created).toEqual({
      user: "bob",
      key_id: expect.stringMatching(/^key_[0-9a-f]{16}$/),
      token: expect.stringMatching(/^cw_/),
      expires_at: null,
    });
    expect((await anthropic(created.token)).status).toBe(200);
    expect((await anthropic(first)).status).toBe(401);
  });

  it("several keys per user; revoking one leaves the others working; keys list never shows a secret", async () => {
    await json("users", "create", "carla", "--json");
    const a = await json<{ key_id: string; token: string }>("keys", "create", "carla", "--json");
    const b = await json<{ key_id: string; token: string }>("keys", "create", "carla", "--json");
    const revoked = await causeway("keys", "revoke", a.key_id);
    expect(revoked).toMatchObject({ code: 0, stdout: `Revoked ${a.key_id}.\n` });
    expect((await anthropic(a.token)).status).toBe(401);
    expect((await anthropic(b.token)).status).toBe(200);

    const list = await causeway("keys", "list", "--user", "carla", "--json");
    const rows = JSON.parse(list.stdout) as KeyRow[];
    expect(rows).toHaveLength(3);
    expect(Object.fromEntries(rows.map((r) => [r.key_id, r.status]))).toMatchObject({
      [a.key_id]: "revoked",
      [b.key_id]: "active",
    });
    for (const token of [a.token, b.token]) expect(list.stdout).not.toContain(token.slice(10));
    expect(rows.every((r) => isKeyPrefix(r.prefix))).toBe(true);

    expect(await causeway("keys", "revoke", a.key_id)).toMatchObject({
      code: 0,
      stdout: `${a.key_id} was already revoked.\n`,
    });
    const unknown = await causeway("keys", "revoke", "key_0000000000000000");
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain('no key "key_0000000000000000"');
  });

  it("a key with an expiry stops working when it expires", async () => {
    await json("users", "create", "dina", "--json");
    const key = await json<{ token: string; expires_at: string }>(
      "keys",
      "create",
      "dina",
      "--ttl",
      "2s",
      "--json",
    );
    expect(Date.parse(key.expires_at) - Date.now()).toBeLessThanOrEqual(2000);
    expect((await anthropic(key.token)).status).toBe(200);
    await new Promise((resolve) => setTimeout(resolve, Date.parse(key.expires_at) - Date.now() + 50));
    const before = upstream.requests.length;
    expect((await anthropic(key.token)).status).toBe(401);
    expect(upstream.requests.length).toBe(before);
    const rows = JSON.parse((await causeway("keys", "list", "--user", "dina", "--json")).stdout) as KeyRow[];
    expect(rows.map((r) => r.status).sort()).toEqual(["active", "expired"]);
  });

  it("a key scoped to models: others get 403 in the provider's shape, audited as rejected, upstream untouched", async () => {
    await json("users", "create", "erin", "--json");
    const key = await json<{ key_id: string; token: string }>(
      "keys",
      "create",
      "erin",
      "--models",
      "claude-keys-a",
      "--models",
      "gpt-.*",
      "--json",
    );
    expect((await anthropic(key.token, "claude-keys-a")).status).toBe(200);
    const before = upstream.requests.length;
    // Whole-name match: a scope is not a prefix.
    const refused = await anthropic(key.token, "claude-keys-a-plus");
    expect(refused.status).toBe(403);
    expect(await refused.json()).toMatchObject({ type: "error", error: { type: "permission_error" } });
    const openai = await fetch(`${server.url}/openai/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key.token}`, "content-type": "application/json" },
      body: JSON.stringify({ model: "o3", messages: [{ role: "user", content: "hi" }] }),
    });
    expect(openai.status).toBe(403);
    expect(await openai.json()).toMatchObject({
      error: { type: "invalid_request_error", code: "model_not_allowed" },
    });
    expect(upstream.requests.length).toBe(before);

    const rows = await server.interceptions("--user", "erin");
    expect(rows.map((r) => [r.model, r.status, r.http_status])).toEqual([
      ["o3", "rejected", 403],
      ["claude-keys-a-plus", "rejected", 403],
      ["claude-keys-a", "completed", 200],
    ]);
    expect(
      rows.every((r) => JSON.stringify(r.auth) === JSON.stringify({ method: "keys", key_id: key.key_id })),
    ).toBe(true);
  });

  it("users disable refuses every key of the user until users enable; users list shows it", async () => {
    const { token } = await json<{ token: string }>("users", "create", "finn", "--json");
    expect((await causeway("users", "disable", "finn")).code).toBe(0);
    expect((await anthropic(token)).status).toBe(401);
    const users = await json<{ user: string; disabled: boolean; origin: string; active_keys: number }[]>(
      "users",
      "list",
      "--json",
    );
    expect(users.find((u) => u.user === "finn")).toMatchObject({
      disabled: true,
      origin: "local",
      active_keys: 1,
    });
    expect((await causeway("users", "enable", "finn")).code).toBe(0);
    expect((await anthropic(token)).status).toBe(200);
    const missing = await causeway("users", "disable", "nobody");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain('no user "nobody"');
  });

  it("bad arguments are usage errors (exit 2) with one line, not stack traces", async () => {
    await json("users", "create", "gus", "--json");
    for (const args of [
      ["keys", "create", "gus", "--ttl", "forever"],
      ["keys", "create", "gus", "--ttl", "0d"],
      ["keys", "create", "gus", "--expires", "2001-01-01T00:00:00Z"],
      ["keys", "create", "gus", "--expires", "2099-01-01", "--ttl", "1d"],
      ["keys", "create", "gus", "--models", "claude-("],
      ["keys", "revoke"],
      ["keys", "list", "--models", "x"],
      ["keys", "rotate", "gus"],
      ["users", "disable"],
    ]) {
      const run = await causeway(...args);
      expect(run.code, `${args.join(" ")}: ${run.stderr}`).toBe(2);
      expect(run.stderr).toMatch(/^causeway: /);
      expect(run.stderr).not.toMatch(/\n\s+at /);
    }
    const missing = await causeway("keys", "create", "nobody");
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("causeway users create nobody");
  });
});

function isKeyPrefix(prefix: string): boolean {
  return /^cw_[A-Za-z0-9_-]{6}$/.test(prefix);
}
