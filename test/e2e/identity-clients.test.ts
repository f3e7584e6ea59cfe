import { randomUUID } from "node:crypto";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blockingMessage, textStreamChunks } from "../helpers/anthropic-wire.ts";
import { runClaude, runCodex } from "../helpers/client-cli.ts";
import { AUDIENCE, startIdentityProvider } from "../helpers/identity-provider.ts";
import { chatCompletion, responsesBlocking, responsesStreamChunks } from "../helpers/openai-wire.ts";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { type CapturedRequest, startUpstream, type UpstreamScript } from "../helpers/upstream-server.ts";

/**
 * Identity end to end: one OIDC-like provider (discovery + JWKS on 127.0.0.1), one fake upstream
 * and the real `causeway serve` with `auth.methods: [keys, jwt]` (no `jwks_url`: the JWKS is found
 * through discovery). The real Claude Code and Codex CLIs and the official SDKs log in with the
 * provider's JWTs: they get their answers, the upstream only ever sees the enterprise keys, and
 * the audit names the JWT's user with `auth.method: "jwt"`. Bad JWTs (expired, another issuer) are
 * 401s that never reach the upstream; Causeway keys keep working beside JWTs; just-in-time users
 * can be disabled and enabled like local ones.
 */

const ANTHROPIC_KEY = "sk-ant-enterprise-identity-clients";
const OPENAI_KEY = "sk-openai-enterprise-identity-clients";
const CLAUDE_PARTS = ["Hello ", "JWT user, ", "from the fake upstream."];
const CLAUDE_USAGE = { input_tokens: 321, output_tokens: 12, cache_read_input_tokens: 0 };
const CODEX_PIECES = ["Codex ", "answer ", "for a JWT user."];
const RESPONSES_USAGE = { input: 900, cached: 0, output: 20, reasoning: 4 };
const CHAT_USAGE = { prompt: 50, cached: 0, completion: 6, reasoning: 0 };
/** Models the SDK tests ask for: answered with a blocking message (Claude Code's get a stream). */
const SDK_CLAUDE_MODEL = "claude-identity-sdk";
const SDK_GPT_MODEL = "gpt-identity-sdk";

const isAnthropic = (request: CapturedRequest) => request.url.split("?")[0] === "/v1/messages";
const isOpenAI = (request: CapturedRequest) =>
  ["/v1/responses", "/v1/chat/completions"].includes(request.url.split("?")[0] ?? "");

function answer(request: CapturedRequest): UpstreamScript {
  const path = request.url.split("?")[0];
  if (request.method === "POST" && path === "/v1/messages") {
    const { model } = JSON.parse(request.body) as { model: string };
    if (model === SDK_CLAUDE_MODEL)
      return { body: JSON.stringify(blockingMessage({ model, usage: CLAUDE_USAGE })) };
    return { chunks: textStreamChunks({ model, parts: CLAUDE_PARTS, usage: CLAUDE_USAGE }) };
  }
  if (request.method === "POST" && path === "/v1/responses") {
    const { model, stream } = JSON.parse(request.body) as { model: string; stream?: boolean };
    if (!stream) return { body: responsesBlocking(model, "Responses answer for a JWT.", RESPONSES_USAGE) };
    return { chunks: responsesStreamChunks(model, CODEX_PIECES, RESPONSES_USAGE) };
  }
  if (request.method === "POST" && path === "/v1/chat/completions") {
    const { model } = JSON.parse(request.body) as { model: string };
    return { body: chatCompletion(model, "Chat answer for a JWT.", CHAT_USAGE) };
  }
  return {
    status: 404,
    body: JSON.stringify({ type: "error", error: { type: "not_found_error", message: "Not found" } }),
  };
}

describe("identity (keys + jwt) with real clients through the real server", () => {
  let idp: Awaited<ReturnType<typeof startIdentityProvider>>;
  let otherIdp: Awaited<ReturnType<typeof startIdentityProvider>>;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: RunningServer;

  beforeAll(async () => {
    idp = await startIdentityProvider();
    otherIdp = await startIdentityProvider();
    upstream = await startUpstream(answer);
    server = await startServer({
      env: {
        ANTHROPIC_API_KEY: ANTHROPIC_KEY,
        OPENAI_API_KEY: OPENAI_KEY,
        CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url,
        CAUSEWAY_OPENAI_BASE_URL: upstream.url,
      },
      // No jwks_url: the JWKS must be found through the issuer's discovery document.
      // cache_ttl_ms 0: no verdict is reused, so disabling a user applies to the next request.
      config: [
        "auth:",
        "  methods: [keys, jwt]",
        "  cache_ttl_ms: 0",
        "  jwt:",
        `    issuer: "${idp.issuer}"`,
        `    audience: ${AUDIENCE}`,
        "    admin_groups: [platform]",
        "",
      ].join("\n"),
    });
  });
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
    await otherIdp?.close();
    await idp?.close();
  });

  /** A fresh token (unique `jti`, so never byte-equal to an earlier one) for one identity. */
  const tokenFor = (name: string, extra: Record<string, unknown> = {}) =>
    idp.token({ sub: `sub-${name}`, preferred_username: name, jti: randomUUID(), ...extra });

  const anthropicWith = (credential: { authToken: string } | { apiKey: string }) =>
    new Anthropic({
      apiKey: null,
      authToken: null,
      ...credential,
      baseURL: `${server.url}/anthropic`,
      maxRetries: 0,
    });
  const openaiWith = (apiKey: string) =>
    new OpenAI({ apiKey, baseURL: `${server.url}/openai/v1`, maxRetries: 0 });

  const askAnthropic = (client: Anthropic, text = "hello from the SDK") =>
    client.messages.create({
      model: SDK_CLAUDE_MODEL,
      max_tokens: 64,
      messages: [{ role: "user", content: text }],
    });
  const askOpenAI = (client: OpenAI, text = "hello from the SDK") =>
    client.chat.completions.create({ model: SDK_GPT_MODEL, messages: [{ role: "user", content: text }] });

  /** The upstream got the enterprise key of its provider on every call, and never `secret`. */
  function expectEnterpriseKeysOnly(requests: readonly CapturedRequest[], secret: string): void {
    for (const request of requests) {
      expect(JSON.stringify(request.headers)).not.toContain(secret);
      expect(request.body).not.toContain(secret);
      if (isAnthropic(request)) {
        expect(request.headers["x-api-key"]).toBe(ANTHROPIC_KEY);
        expect(request.headers.authorization).toBeUndefined();
      }
      if (isOpenAI(request)) {
        expect(request.headers.authorization).toBe(`Bearer ${OPENAI_KEY}`);
        expect(request.headers["x-api-key"]).toBeUndefined();
      }
    }
  }

  /** The user's interceptions (newest first), once at least `count` exist and all have ended. */
  async function audited(user: string, count: number): Promise<Record<string, unknown>[]> {
    for (let attempt = 0; ; attempt++) {
      const rows = await server.interceptions("--user", user);
      if (rows.length >= count || attempt > 50) return rows;
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  async function users(): Promise<{ user: string; origin: string; disabled: boolean; admin: boolean }[]> {
    return JSON.parse(await server.cli("users", "list", "--json"));
  }

  /** The SDK's error for a call expected to fail. */
  const failure = (call: Promise<unknown>): Promise<unknown> =>
    call.then(
      () => null,
      (e: unknown) => e,
    );

  it("claude -p with ANTHROPIC_AUTH_TOKEN=<JWT> gets its answer, audited under the JWT's user", async () => {
    const jwt = await tokenFor("cc-jwt");
    const before = upstream.requests.length;
    const run = await runClaude(
      { ANTHROPIC_BASE_URL: `${server.url}/anthropic`, ANTHROPIC_AUTH_TOKEN: jwt },
      "hello",
    );
    expect(run.stderr).not.toContain(jwt);
    expect(run.code, `claude failed: ${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout.trim()).toBe(CLAUDE_PARTS.join(""));

    // The JWKS was found through the issuer's discovery document (no jwks_url configured).
    expect(idp.requests.some((r) => r.url === "/.well-known/openid-configuration")).toBe(true);
    expect(idp.jwksFetches()).toBeGreaterThanOrEqual(1);

    const calls = upstream.requests.slice(before);
    expect(calls.filter(isAnthropic).length).toBeGreaterThanOrEqual(1);
    expectEnterpriseKeysOnly(calls, jwt);

    const rows = await audited("cc-jwt", 1);
    expect(rows.length).toBeGreaterThanOrEqual(1);
    for (const row of rows) {
      expect(row).toMatchObject({
        user: "cc-jwt",
        provider: "anthropic",
        api: "anthropic.messages",
        client: "claude-code",
        status: "completed",
        http_status: 200,
        auth: { method: "jwt", key_id: null },
      });
    }
    expect(rows.some((row) => (row.prompts as string[]).includes("hello"))).toBe(true);
  }, 90_000);

  it("codex exec with the JWT in its env_key variable gets its answer, audited under the JWT's user", async () => {
    const jwt = await tokenFor("codex-jwt");
    const before = upstream.requests.length;
    const run = await runCodex(`${server.url}/openai/v1`, jwt, "Please greet me", "gpt-codex-identity");
    expect(run.code, `codex failed: ${run.stdout}\n${run.stderr}`).toBe(0);
    expect(run.stdout).toContain(CODEX_PIECES.join(""));

    const calls = upstream.requests.slice(before);
    expect(calls.filter((r) => r.url === "/v1/responses")).toHaveLength(1);
    expectEnterpriseKeysOnly(calls, jwt);

    const [row, ...more] = await audited("codex-jwt", 1);
    expect(more).toEqual([]);
    expect(row).toMatchObject({
      user: "codex-jwt",
      provider: "openai",
      api: "openai.responses",
      model: "gpt-codex-identity",
      client: "codex",
      streaming: true,
      status: "completed",
      http_status: 200,
      prompts: ["Please greet me"],
      auth: { method: "jwt", key_id: null },
    });
  }, 90_000);

  it("the Anthropic SDK (authToken) and the OpenAI SDK (apiKey) work with a JWT", async () => {
    const jwt = await tokenFor("sdk-jwt");
    const before = upstream.requests.length;

    const message = await askAnthropic(anthropicWith({ authToken: jwt }), "anthropic sdk via jwt");
    expect({ ...message }).toEqual(blockingMessage({ model: SDK_CLAUDE_MODEL, usage: CLAUDE_USAGE }));

    const openai = openaiWith(jwt);
    const completion = await askOpenAI(openai, "openai chat via jwt");
    expect(completion.choices[0]?.message.content).toBe("Chat answer for a JWT.");
    const response = await openai.responses.create({
      model: SDK_GPT_MODEL,
      input: "openai responses via jwt",
    });
    expect(response.output_text).toBe("Responses answer for a JWT.");

    const calls = upstream.requests.slice(before);
    expect(calls.map((r) => r.url.split("?")[0])).toEqual([
      "/v1/messages",
      "/v1/chat/completions",
      "/v1/responses",
    ]);
    expectEnterpriseKeysOnly(calls, jwt);

    const rows = await audited("sdk-jwt", 3);
    expect(rows).toHaveLength(3);
    const byApi = Object.fromEntries(rows.map((row) => [row.api as string, row]));
    expect(byApi["anthropic.messages"]).toMatchObject({
      client: "anthropic-sdk",
      prompts: ["anthropic sdk via jwt"],
    });
    expect(byApi["openai.chat"]).toMatchObject({ client: "openai-sdk", prompts: ["openai chat via jwt"] });
    expect(byApi["openai.responses"]).toMatchObject({
      client: "openai-sdk",
      prompts: ["openai responses via jwt"],
    });
    for (const row of rows) {
      expect(row).toMatchObject({
        user: "sdk-jwt",
        status: "completed",
        http_status: 200,
        auth: { method: "jwt", key_id: null },
      });
    }
  });

  const badTokens: { name: string; user: string; make: () => Promise<string> }[] = [
    {
      name: "an expired JWT",
      user: "expired-jwt",
      // Expired ten minutes ago: well past the 30 s clock skew allowed by default.
      make: () =>
        idp.token(
          { sub: "sub-expired-jwt", preferred_username: "expired-jwt", jti: randomUUID() },
          { expiresIn: Math.floor(Date.now() / 1000) - 600 },
        ),
    },
    {
      name: "a JWT from another issuer (its own keys)",
      user: "foreign-jwt",
      make: () =>
        otherIdp.token({ sub: "sub-foreign-jwt", preferred_username: "foreign-jwt", jti: randomUUID() }),
    },
    {
      name: "a JWT signed with the trusted key but naming another issuer",
      user: "wrong-iss-jwt",
      make: () => tokenFor("wrong-iss-jwt", { iss: otherIdp.issuer }),
    },
  ];
  for (const bad of badTokens) {
    it(`${bad.name}: both SDKs get a 401 AuthenticationError and the upstream is not called`, async () => {
      const token = await bad.make();
      const before = upstream.requests.length;

      const anthropicError = await failure(askAnthropic(anthropicWith({ authToken: token })));
      expect(anthropicError).toBeInstanceOf(Anthropic.AuthenticationError);
      expect((anthropicError as InstanceType<typeof Anthropic.AuthenticationError>).status).toBe(401);
      expect((anthropicError as InstanceType<typeof Anthropic.AuthenticationError>).error).toMatchObject({
        type: "error",
        error: { type: "authentication_error" },
      });

      const openai = openaiWith(token);
      const chatError = await failure(askOpenAI(openai));
      expect(chatError).toBeInstanceOf(OpenAI.AuthenticationError);
      expect((chatError as InstanceType<typeof OpenAI.AuthenticationError>).status).toBe(401);
      const responsesError = await failure(openai.responses.create({ model: SDK_GPT_MODEL, input: "x" }));
      expect(responsesError).toBeInstanceOf(OpenAI.AuthenticationError);

      expect(upstream.requests.length).toBe(before);
      // Refused before any user was made for it, and nothing audited under its name.
      expect((await users()).map((u) => u.user)).not.toContain(bad.user);
      expect(await server.interceptions("--user", bad.user)).toEqual([]);
    });
  }

  it("a Causeway key still works beside JWTs, audited with method keys and its key id", async () => {
    const { token } = JSON.parse(await server.cli("users", "create", "key-user", "--json")) as {
      token: string;
    };
    const keys = JSON.parse(await server.cli("keys", "list", "--user", "key-user", "--json")) as {
      key_id: string;
      user: string;
    }[];
    expect(keys).toHaveLength(1);
    const keyId = keys[0]!.key_id;
    expect(keyId).toEqual(expect.any(String));

    const before = upstream.requests.length;
    const message = await askAnthropic(anthropicWith({ apiKey: token }), "anthropic sdk via key");
    expect(message.content.length).toBeGreaterThan(0);
    const completion = await askOpenAI(openaiWith(token), "openai chat via key");
    expect(completion.choices[0]?.message.content).toBe("Chat answer for a JWT.");
    expectEnterpriseKeysOnly(upstream.requests.slice(before), token);

    const rows = await audited("key-user", 2);
    expect(rows).toHaveLength(2);
    for (const row of rows) {
      expect(row).toMatchObject({
        user: "key-user",
        status: "completed",
        auth: { method: "keys", key_id: keyId },
      });
    }

    // A JWT whose name claim is the local user's name gets a user of its own, never the local one.
    const namesake = await tokenFor("key-user");
    await askOpenAI(openaiWith(namesake), "namesake via jwt");
    expect(await audited("key-user", 2)).toHaveLength(2);
    const newcomer = (await users()).find((u) => u.user.startsWith("key-user~"));
    expect(newcomer?.origin).toBe(`jwt:${idp.issuer}`);
    const [namesakeRow] = await audited(newcomer!.user, 1);
    expect(namesakeRow).toMatchObject({
      auth: { method: "jwt", key_id: null },
      prompts: ["namesake via jwt"],
    });
    expect((await users()).find((u) => u.user === "key-user")?.origin).toBe("local");
  });

  it("just-in-time users are listed with a jwt: origin, and can be disabled and enabled", async () => {
    const name = "toggle-jwt";
    const first = await tokenFor(name);
    const client = (token: string) => openaiWith(token);
    const ok = await askOpenAI(client(first), "before disable");
    expect(ok.choices[0]?.message.content).toBe("Chat answer for a JWT.");

    const listed = (await users()).find((u) => u.user === name);
    expect(listed).toMatchObject({ user: name, admin: false, disabled: false });
    expect(listed?.origin.startsWith("jwt:")).toBe(true);
    expect(listed?.origin).toBe(`jwt:${idp.issuer}`);

    await server.cli("users", "disable", name);
    expect((await users()).find((u) => u.user === name)?.disabled).toBe(true);
    const before = upstream.requests.length;
    const refused = await failure(askOpenAI(client(await tokenFor(name)), "while disabled"));
    expect(refused).toBeInstanceOf(OpenAI.AuthenticationError);
    const refusedAnthropic = await failure(askAnthropic(anthropicWith({ authToken: await tokenFor(name) })));
    expect(refusedAnthropic).toBeInstanceOf(Anthropic.AuthenticationError);
    // With cache_ttl_ms 0 nothing is reused: the token accepted before is refused too.
    expect(await failure(askOpenAI(client(first), "old token while disabled"))).toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    expect(upstream.requests.length).toBe(before);

    await server.cli("users", "enable", name);
    const again = await askOpenAI(client(await tokenFor(name)), "after enable");
    expect(again.choices[0]?.message.content).toBe("Chat answer for a JWT.");

    const rows = await audited(name, 2);
    expect(rows.map((row) => (row.prompts as string[])[0])).toEqual(["after enable", "before disable"]);
    for (const row of rows) expect(row).toMatchObject({ auth: { method: "jwt", key_id: null } });
    // Still the one just-in-time user: no second user was made for the same subject.
    expect((await users()).filter((u) => u.user.startsWith(name))).toHaveLength(1);
  });
});
