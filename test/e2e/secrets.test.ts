import { existsSync, readFileSync } from "node:fs";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  anthropicErrorBody,
  blockingMessage,
  modelsList,
  textStreamChunks,
} from "../helpers/anthropic-wire.ts";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { type CapturedRequest, startUpstream, type UpstreamScript } from "../helpers/upstream-server.ts";

/**
 * Canary secrets (enterprise keys, user keys, a stray provider token) planted in the real
 * server; after a tour of success and failure paths, none of them may appear in the server's
 * logs, in anything sent back to a client (bodies and headers), in CLI output or in the store.
 */

const CANARY_ENTERPRISE = "sk-ant-api03-CANARY-ENTERPRISE-5b1e7c0d9a";
const CANARY_DEAD_PROVIDER = "sk-ant-api03-CANARY-DEAD-PROVIDER-77e2"; // key of an unreachable upstream
const CANARY_STRAY_ENV = "CANARY-STRAY-AUTH-TOKEN-3f0a";
const CANARY_BOGUS_USER = "cw_CANARY-BOGUS-USER-KEY-e9d8c7b6a5";
const CANARY_QUERY = "CANARY-QUERY-KEY-1c2d";

function answer(request: CapturedRequest): UpstreamScript {
  // The fake provider echoes the credential in response headers: the bridge must filter it.
  const echo = {
    "x-api-key": String(request.headers["x-api-key"]),
    "set-cookie": `k=${String(request.headers["x-api-key"])}`,
  };
  const path = request.url.split("?")[0];
  if (path === "/v1/models") return { body: modelsList(["claude-canary"]), headers: echo };
  if (path === "/v1/messages/count_tokens") return { body: '{"input_tokens":3}', headers: echo };
  const body = JSON.parse(request.body) as { model: string; stream?: boolean };
  if (body.model === "claude-refused")
    return {
      status: 401,
      body: anthropicErrorBody("authentication_error", "invalid x-api-key"),
      headers: echo,
    };
  if (body.model === "claude-broken") {
    return {
      chunks: textStreamChunks({
        model: body.model,
        parts: ["half"],
        usage: { input_tokens: 1, output_tokens: 1 },
      }).slice(0, 4),
      end: "reset",
      headers: echo,
    };
  }
  if (body.stream)
    return {
      chunks: textStreamChunks({
        model: body.model,
        parts: ["safe ", "text"],
        usage: { input_tokens: 2, output_tokens: 2 },
      }),
      headers: echo,
    };
  return {
    body: JSON.stringify(
      blockingMessage({ model: body.model, usage: { input_tokens: 2, output_tokens: 2 } }),
    ),
    headers: echo,
  };
}

describe("secrets never leak", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: RunningServer;
  let userKey: string;
  /** Everything a client saw: status line, headers and body of every response. */
  const seen: string[] = [];

  const record = async (response: Response): Promise<Response> => {
    const body = await response.text();
    seen.push(`${response.status}\n${JSON.stringify([...response.headers])}\n${body}`);
    return new Response(body, { status: response.status, headers: response.headers });
  };
  const call = (path: string, init: RequestInit) => fetch(`${server.url}${path}`, init).then(record);
  /** The SDK, with every response it receives recorded too. */
  const sdk = (apiKey: string, provider = "anthropic") =>
    new Anthropic({
      apiKey,
      baseURL: `${server.url}/${provider}`,
      maxRetries: 0,
      fetch: (url, init) => fetch(url, init).then(record),
    });

  beforeAll(async () => {
    upstream = await startUpstream(answer);
    server = await startServer({
      env: {
        ANTHROPIC_API_KEY: CANARY_ENTERPRISE,
        CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url,
        ANTHROPIC_AUTH_TOKEN: CANARY_STRAY_ENV,
      },
      config: [
        "limits:",
        "  max_body_bytes: 2048",
        "providers:",
        "  - name: anthropic",
        "    kind: anthropic",
        "  - name: dead",
        "    kind: anthropic",
        `    api_key: ${CANARY_DEAD_PROVIDER}`,
        "    base_url: http://127.0.0.1:9",
        "",
      ].join("\n"),
    });
    userKey = await server.createUser("canary-user");
  });
  afterAll(async () => {
    await server?.stop("SIGKILL");
    await upstream?.close();
  });

  it("a tour of success and failure paths", async () => {
    const good = sdk(userKey);
    const text = {
      model: "claude-canary",
      max_tokens: 8,
      messages: [{ role: "user" as const, content: "hi" }],
    };
    await good.messages.create(text);
    await good.messages.stream(text).finalMessage();
    await good.messages.countTokens({ model: "claude-canary", messages: text.messages });
    for await (const _ of good.models.list()) void _;
    await expect(good.messages.create({ ...text, model: "claude-refused" })).rejects.toThrow();
    await expect(
      good.messages.create({ ...text, messages: [{ role: "user", content: "p".repeat(4096) }] }),
    ).rejects.toThrow();
    await expect(sdk(userKey, "dead").messages.create(text)).rejects.toThrow();
    await expect(sdk(CANARY_BOGUS_USER).messages.create(text)).rejects.toThrow();
    await expect(good.messages.stream({ ...text, model: "claude-broken" }).finalMessage()).rejects.toThrow();

    const json = { "content-type": "application/json" };
    const body = JSON.stringify(text);
    const statuses = [
      (
        await call("/anthropic/v1/messages", {
          method: "POST",
          headers: { ...json, "x-api-key": userKey },
          body,
        })
      ).status,
      (
        await call("/anthropic/v1/messages", {
          method: "POST",
          headers: { ...json, "x-api-key": CANARY_BOGUS_USER },
          body,
        })
      ).status,
      (
        await call("/anthropic/v1/messages", {
          method: "POST",
          headers: { ...json, authorization: `Bearer ${CANARY_BOGUS_USER}` },
          body,
        })
      ).status,
      (
        await call(`/anthropic/v1/messages?api_key=${CANARY_QUERY}`, {
          method: "POST",
          headers: { ...json, "x-api-key": userKey },
          body,
        })
      ).status,
      (
        await call("/anthropic/v1/messages", {
          method: "POST",
          headers: { ...json, "x-api-key": userKey },
          body: `{"model":"${CANARY_QUERY}",`,
        })
      ).status,
      (
        await call("/anthropic/v1/nothing", {
          method: "POST",
          headers: { ...json, "x-api-key": userKey },
          body,
        })
      ).status,
      (await call("/anthropic/v1/models", { method: "GET", headers: { authorization: `Bearer ${userKey}` } }))
        .status,
    ];
    expect(statuses).toEqual([200, 401, 401, 400, 400, 404, 200]);
    expect(seen.length).toBeGreaterThanOrEqual(15);
    expect(upstream.requests.every((r) => r.headers["x-api-key"] === CANARY_ENTERPRISE)).toBe(true);
  });

  it("no canary in client-visible responses, server logs, CLI output or the store", async () => {
    const cliOutput = [
      await server.cli("interceptions", "list", "--json", "--limit", "1000"),
      await server.cli("interceptions", "list", "--limit", "1000"),
      await server.cli("usage", "--json"),
      await server.cli("usage", "--by", "model"),
    ].join("\n");
    expect(cliOutput).toContain("canary-user");

    const exited = new Promise<number | null>((resolve) =>
      server.child.once("exit", (code) => resolve(code)),
    );
    server.child.kill("SIGTERM");
    expect(await exited).toBe(0);
    const store = ["", "-wal", "-shm"]
      .map((suffix) => `${server.db}${suffix}`)
      .filter(existsSync)
      .map((path) => readFileSync(path).toString("latin1"))
      .join("\n");
    expect(store.length).toBeGreaterThan(0);
    expect(store).toContain("claude-canary");

    const places: Record<string, string> = {
      responses: seen.join("\n"),
      logs: server.logs(),
      cli: cliOutput,
      store,
    };
    const canaries = [CANARY_ENTERPRISE, CANARY_DEAD_PROVIDER, CANARY_STRAY_ENV, CANARY_BOGUS_USER, userKey];
    for (const [place, text] of Object.entries(places)) {
      for (const canary of canaries) expect(text.includes(canary), `${canary} found in ${place}`).toBe(false);
      // A prefix long enough to identify a key is a leak too.
      for (const canary of canaries)
        expect(text.includes(canary.slice(0, 24)), `a prefix of ${canary} found in ${place}`).toBe(false);
    }
    // The query-string credential was refused before anything was recorded or logged.
    expect(places.logs!.includes(CANARY_QUERY)).toBe(false);
  });
});
