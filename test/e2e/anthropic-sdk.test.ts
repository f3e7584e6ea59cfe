import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  anthropicErrorBody,
  blockingMessage,
  modelsList,
  thinkingToolStreamChunks,
} from "../helpers/anthropic-wire.ts";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { type CapturedRequest, startUpstream, type UpstreamScript } from "../helpers/upstream-server.ts";

/**
 * The official @anthropic-ai/sdk against the real `causeway serve` process and a fake upstream
 * serving valid Anthropic answers: the SDK gets exactly the upstream's answer, and the audit
 * (`causeway interceptions list --json`) shows who asked what and what came back.
 */

const ENTERPRISE_KEY = "sk-ant-enterprise-sdk-suite";
const MAX_BODY_BYTES = 4096;
const BLOCKING_USAGE = {
  input_tokens: 21,
  output_tokens: 57,
  cache_read_input_tokens: 1024,
  cache_creation_input_tokens: 300,
};
const STREAM_USAGE = {
  input_tokens: 9,
  output_tokens: 33,
  cache_read_input_tokens: 2048,
  cache_creation_input_tokens: 0,
};
const MODELS = ["claude-sdk-opus", "claude-sdk-sonnet", "claude-sdk-haiku"];

function answer(request: CapturedRequest): UpstreamScript {
  const path = request.url.split("?")[0];
  if (path === "/v1/models") return { body: modelsList(MODELS), headers: { "request-id": "req_models_1" } };
  if (path === "/v1/messages/count_tokens") return { body: JSON.stringify({ input_tokens: 14 }) };
  const body = JSON.parse(request.body) as { model: string; stream?: boolean };
  if (body.model === "claude-rate-limited") {
    return {
      status: 429,
      headers: { "retry-after": "1" },
      body: anthropicErrorBody(
        "rate_limit_error",
        "Number of request tokens has exceeded your per-minute rate limit.",
      ),
    };
  }
  if (body.stream) return { chunks: thinkingToolStreamChunks({ model: body.model, usage: STREAM_USAGE }) };
  return { body: JSON.stringify(blockingMessage({ model: body.model, usage: BLOCKING_USAGE })) };
}

const WEATHER_TOOL = {
  name: "get_weather",
  description: "Current weather for a location.",
  input_schema: {
    type: "object" as const,
    properties: { location: { type: "string" } },
    required: ["location"],
  },
};

describe("the Anthropic SDK through the real server", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: RunningServer;
  let client: Anthropic;

  beforeAll(async () => {
    upstream = await startUpstream(answer);
    server = await startServer({
      env: { ANTHROPIC_API_KEY: ENTERPRISE_KEY, CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url },
      config: `limits:\n  max_body_bytes: ${MAX_BODY_BYTES}\n`,
    });
    client = new Anthropic({
      apiKey: await server.createUser("sdk-user"),
      baseURL: `${server.url}/anthropic`,
      maxRetries: 0,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
  });

  const latest = async () => (await server.interceptions("--limit", "1"))[0];

  it("messages.create returns exactly the upstream's message and is audited", async () => {
    const message = await client.messages.create({
      model: "claude-sdk-opus",
      max_tokens: 256,
      tools: [WEATHER_TOOL],
      messages: [{ role: "user", content: "What is the weather in Paris?" }],
    });
    expect({ ...message }).toEqual(blockingMessage({ model: "claude-sdk-opus", usage: BLOCKING_USAGE }));

    const sent = upstream.requests.at(-1)!;
    expect(sent.headers["x-api-key"]).toBe(ENTERPRISE_KEY);
    expect(sent.headers.authorization).toBeUndefined();
    expect(sent.headers["user-agent"]).toMatch(/^Anthropic\/JS /);

    const row = await latest();
    expect(row).toMatchObject({
      user: "sdk-user",
      provider: "anthropic",
      api: "anthropic.messages",
      model: "claude-sdk-opus",
      streaming: false,
      client: "anthropic-sdk",
      session_id: null,
      status: "completed",
      http_status: 200,
      prompts: ["What is the weather in Paris?"],
      thoughts: ["The user wants the weather; I should call the tool."],
      tokens: { input: 21, output: 57, cache_read: 1024, cache_write: 300, reasoning: 0 },
    });
    expect(row?.tools).toEqual([
      {
        name: "get_weather",
        call_id: "toolu_01A09q90qw90lq917835lq9",
        injected: false,
        server: null,
        args: { location: "Paris, France", unit: "celsius" },
        error: null,
      },
    ]);
  });

  it("messages.stream delivers the text, the signed thinking and the tool call, and is audited", async () => {
    const stream = client.messages.stream({
      model: "claude-sdk-sonnet",
      max_tokens: 256,
      tools: [WEATHER_TOOL],
      thinking: { type: "enabled", budget_tokens: 1024 },
      messages: [
        { role: "user", content: "Earlier question" },
        { role: "assistant", content: "Earlier answer" },
        { role: "user", content: [{ type: "text", text: "Weather in Paris, streamed?" }] },
      ],
    });
    let text = "";
    stream.on("text", (delta) => {
      text += delta;
    });
    const final = await stream.finalMessage();
    expect(text).toBe("Checking now.");
    expect(final).toMatchObject({
      id: "msg_01StreamThinkToolZ9y8X7",
      model: "claude-sdk-sonnet",
      stop_reason: "tool_use",
      usage: { input_tokens: 9, output_tokens: 33, cache_read_input_tokens: 2048 },
    });
    expect(final.content).toEqual([
      {
        type: "thinking",
        thinking: "Weather needs a tool call.",
        signature: "EqQBCgIYAhIMstreamSig0123456789",
      },
      { type: "text", text: "Checking now." },
      {
        type: "tool_use",
        id: "toolu_01StreamToolCall42",
        name: "get_weather",
        input: { location: "Paris, France" },
      },
    ]);

    const row = await latest();
    expect(row).toMatchObject({
      user: "sdk-user",
      model: "claude-sdk-sonnet",
      streaming: true,
      client: "anthropic-sdk",
      status: "completed",
      http_status: 200,
      prompts: ["Weather in Paris, streamed?"],
      thoughts: ["Weather needs a tool call."],
      tokens: { input: 9, output: 33, cache_read: 2048, cache_write: 0, reasoning: 0 },
    });
    expect(row?.tools).toEqual([
      {
        name: "get_weather",
        call_id: "toolu_01StreamToolCall42",
        injected: false,
        server: null,
        args: { location: "Paris, France" },
        error: null,
      },
    ]);
  });

  it("messages.countTokens passes through with the enterprise key", async () => {
    const before = upstream.requests.length;
    const counted = await client.messages.countTokens({
      model: "claude-sdk-opus",
      messages: [{ role: "user", content: "hi" }],
    });
    expect(counted).toEqual({ input_tokens: 14 });
    const sent = upstream.requests.slice(before);
    expect(sent.map((r) => `${r.method} ${r.url.split("?")[0]}`)).toEqual(["POST /v1/messages/count_tokens"]);
    expect(sent[0]?.headers["x-api-key"]).toBe(ENTERPRISE_KEY);
    expect(sent[0]?.headers.authorization).toBeUndefined();
    expect(JSON.parse(sent[0]!.body)).toEqual({
      model: "claude-sdk-opus",
      messages: [{ role: "user", content: "hi" }],
    });
  });

  it("models.list passes through and pages like the real API", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(MODELS);
    const sent = upstream.requests.at(-1)!;
    expect(sent.method).toBe("GET");
    expect(sent.headers["x-api-key"]).toBe(ENTERPRISE_KEY);
  });

  it("a bad key is an AuthenticationError 401 in Anthropic's shape, and the upstream is never called", async () => {
    const before = upstream.requests.length;
    const stranger = new Anthropic({
      apiKey: "cw_not-a-real-key",
      baseURL: `${server.url}/anthropic`,
      maxRetries: 0,
    });
    const calls = [
      () =>
        stranger.messages.create({
          model: "claude-sdk-opus",
          max_tokens: 5,
          messages: [{ role: "user", content: "hi" }],
        }),
      () =>
        stranger.messages.countTokens({
          model: "claude-sdk-opus",
          messages: [{ role: "user", content: "hi" }],
        }),
      () => stranger.models.list(),
    ];
    for (const call of calls) {
      const error = await call().then(
        () => null,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
      const apiError = error as InstanceType<typeof Anthropic.AuthenticationError>;
      expect(apiError.status).toBe(401);
      expect(apiError.error).toMatchObject({
        type: "error",
        error: { type: "authentication_error", message: expect.any(String) },
      });
    }
    expect(upstream.requests.length).toBe(before);
  });

  it("an upstream 429 is retried by the bridge after its retry-after, then reaches the SDK as a RateLimitError marked x-should-retry: false", async () => {
    const rateLimited = () =>
      upstream.requests.filter((r) => r.body.includes('"claude-rate-limited"')).length;
    const before = rateLimited();
    const error = await client.messages
      .create({ model: "claude-rate-limited", max_tokens: 5, messages: [{ role: "user", content: "hi" }] })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Anthropic.RateLimitError);
    const apiError = error as InstanceType<typeof Anthropic.RateLimitError>;
    expect(apiError.status).toBe(429);
    expect(apiError.headers?.get("retry-after")).toBe("1");
    // The bridge is the one retry loop: two retries of its own, then x-should-retry: false,
    // which the SDKs honour instead of multiplying the attempts by their own retries.
    expect(rateLimited() - before).toBe(3);
    expect(apiError.headers?.get("x-should-retry")).toBe("false");
    expect(apiError.error).toMatchObject({ type: "error", error: { type: "rate_limit_error" } });
    expect(await latest()).toMatchObject({
      user: "sdk-user",
      model: "claude-rate-limited",
      status: "upstream_error",
      http_status: 429,
    });
  });

  it("a body over max_body_bytes is refused with 413 before the upstream", async () => {
    const before = upstream.requests.length;
    const error = await client.messages
      .create({
        model: "claude-sdk-opus",
        max_tokens: 5,
        messages: [{ role: "user", content: "x".repeat(MAX_BODY_BYTES * 2) }],
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    expect(error).toBeInstanceOf(Anthropic.APIError);
    const apiError = error as InstanceType<typeof Anthropic.APIError>;
    expect(apiError.status).toBe(413);
    expect(apiError.error).toMatchObject({ type: "error", error: { type: "request_too_large" } });
    expect(upstream.requests.length).toBe(before);
    expect(await latest()).toMatchObject({ user: "sdk-user", status: "rejected", http_status: 413 });
  });
});
