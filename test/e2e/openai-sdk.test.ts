import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  chatCompletion,
  chatStreamChunks,
  openaiModelsList,
  responsesBlocking,
  responsesStreamChunks,
} from "../helpers/openai-wire.ts";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { type CapturedRequest, startUpstream, type UpstreamScript } from "../helpers/upstream-server.ts";

/**
 * The official `openai` SDK (v7) against the real `causeway serve` process and a fake upstream
 * serving valid OpenAI answers: the SDK gets exactly the upstream's answer, and the audit
 * (`causeway interceptions list --json`) shows the user, the client, the tokens and the prompt.
 */

const ENTERPRISE_KEY = "sk-openai-enterprise-sdk-suite";
const CHAT_USAGE = { prompt: 1300, cached: 1024, completion: 12, reasoning: 0 };
const RESPONSES_USAGE = { input: 2200, cached: 2048, output: 90, reasoning: 64 };

function answer(request: CapturedRequest): UpstreamScript {
  const path = request.url.split("?")[0];
  if (path === "/v1/models") return { body: openaiModelsList(["gpt-e2e-a", "gpt-e2e-b"]) };
  const body = JSON.parse(request.body) as {
    model: string;
    stream?: boolean;
    stream_options?: { include_usage?: boolean };
  };
  if (body.model === "gpt-rate-limited") {
    return {
      status: 429,
      headers: { "retry-after": "3", "x-should-retry": "false" },
      body: JSON.stringify({
        error: { message: "Rate limit reached", type: "requests", param: null, code: "rate_limit_exceeded" },
      }),
    };
  }
  if (path === "/v1/chat/completions") {
    if (!body.stream)
      return { body: chatCompletion(body.model, "Blocking hello from upstream.", CHAT_USAGE) };
    const pieces = ["Streamed ", "hello ", "from upstream."];
    return {
      chunks: chatStreamChunks(body.model, pieces, CHAT_USAGE, body.stream_options?.include_usage === true),
    };
  }
  if (!body.stream)
    return { body: responsesBlocking(body.model, "Responses blocking answer.", RESPONSES_USAGE) };
  return {
    chunks: responsesStreamChunks(body.model, ["Responses ", "streamed ", "answer."], RESPONSES_USAGE),
  };
}

describe("the OpenAI SDK through the real server", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: RunningServer;
  let client: OpenAI;

  beforeAll(async () => {
    upstream = await startUpstream(answer);
    server = await startServer({
      env: { OPENAI_API_KEY: ENTERPRISE_KEY, CAUSEWAY_OPENAI_BASE_URL: upstream.url },
    });
    client = new OpenAI({
      apiKey: await server.createUser("sdk-openai"),
      baseURL: `${server.url}/openai/v1`,
      maxRetries: 0,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
  });

  const latest = async () => (await server.interceptions("--limit", "1"))[0];
  const lastUpstream = () => upstream.requests.at(-1)!;

  it("chat.completions.create returns the upstream's completion and is audited", async () => {
    const completion = await client.chat.completions.create({
      model: "gpt-e2e-a",
      messages: [{ role: "user", content: "Say hi (blocking)" }],
    });
    expect(completion.choices[0]?.message.content).toBe("Blocking hello from upstream.");
    expect(completion.usage?.prompt_tokens).toBe(1300);
    expect(lastUpstream().headers.authorization).toBe(`Bearer ${ENTERPRISE_KEY}`);
    expect(await latest()).toMatchObject({
      user: "sdk-openai",
      api: "openai.chat",
      client: "openai-sdk",
      model: "gpt-e2e-a",
      streaming: false,
      status: "completed",
      http_status: 200,
      prompts: ["Say hi (blocking)"],
      tokens: { input: 276, cache_read: 1024, output: 12, cache_write: 0, reasoning: 0 },
    });
  });

  it("chat stream without include_usage: the SDK sees no usage, the audit still has it", async () => {
    const stream = await client.chat.completions.create({
      model: "gpt-e2e-a",
      stream: true,
      messages: [{ role: "user", content: "Say hi (stream)" }],
    });
    let text = "";
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) {
      chunks.push(chunk);
      text += chunk.choices[0]?.delta.content ?? "";
    }
    expect(text).toBe("Streamed hello from upstream.");
    // Exactly the chunks OpenAI sends without include_usage: no usage member, no usage chunk.
    expect(chunks).toHaveLength(5);
    expect(chunks.every((c) => !("usage" in c) && c.choices.length === 1)).toBe(true);
    expect(JSON.parse(lastUpstream().body).stream_options).toEqual({ include_usage: true });
    expect(await latest()).toMatchObject({
      api: "openai.chat",
      client: "openai-sdk",
      streaming: true,
      status: "completed",
      prompts: ["Say hi (stream)"],
      tokens: { input: 276, cache_read: 1024, output: 12 },
    });
  });

  it("chat stream with include_usage: the SDK gets the usage chunk as sent", async () => {
    const stream = client.chat.completions.stream({
      model: "gpt-e2e-b",
      messages: [{ role: "user", content: "Count tokens" }],
      stream_options: { include_usage: true },
    });
    const final = await stream.finalChatCompletion();
    expect(final.choices[0]?.message.content).toBe("Streamed hello from upstream.");
    expect(final.usage?.completion_tokens).toBe(12);
    expect(await latest()).toMatchObject({
      model: "gpt-e2e-b",
      status: "completed",
      tokens: { input: 276, output: 12 },
    });
  });

  it("responses.create returns the upstream's response and records reasoning and tokens", async () => {
    const response = await client.responses.create({ model: "gpt-e2e-a", input: "Explain (blocking)" });
    expect(response.output_text).toBe("Responses blocking answer.");
    expect(await latest()).toMatchObject({
      api: "openai.responses",
      client: "openai-sdk",
      streaming: false,
      status: "completed",
      prompts: ["Explain (blocking)"],
      thoughts: ["Thinking about it."],
      tokens: { input: 152, cache_read: 2048, output: 90, reasoning: 64, cache_write: 0 },
    });
  });

  it("responses.stream relays every event and the audit matches", async () => {
    const stream = client.responses.stream({
      model: "gpt-e2e-b",
      input: [{ role: "user", content: "Explain (stream)" }],
    });
    const types: string[] = [];
    stream.on("event", (event) => types.push(event.type));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe("Responses streamed answer.");
    expect(types[0]).toBe("response.created");
    expect(types.at(-1)).toBe("response.completed");
    expect(types.filter((t) => t === "response.output_text.delta")).toHaveLength(3);
    expect(await latest()).toMatchObject({
      api: "openai.responses",
      model: "gpt-e2e-b",
      streaming: true,
      status: "completed",
      prompts: ["Explain (stream)"],
      thoughts: ["Thinking about it."],
      tokens: { input: 152, cache_read: 2048, output: 90, reasoning: 64 },
    });
  });

  it("models.list is passed through with the enterprise key", async () => {
    const ids: string[] = [];
    for await (const model of client.models.list()) ids.push(model.id);
    expect(ids).toEqual(["gpt-e2e-a", "gpt-e2e-b"]);
    expect(lastUpstream().url).toBe("/v1/models");
    expect(lastUpstream().headers.authorization).toBe(`Bearer ${ENTERPRISE_KEY}`);
  });

  it("a 429 reaches the SDK as a RateLimitError with its headers, audited as upstream_error", async () => {
    const error = await client.chat.completions
      .create({ model: "gpt-rate-limited", messages: [{ role: "user", content: "x" }] })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.RateLimitError);
    expect((error as InstanceType<typeof OpenAI.RateLimitError>).headers?.get("retry-after")).toBe("3");
    expect(await latest()).toMatchObject({
      model: "gpt-rate-limited",
      status: "upstream_error",
      http_status: 429,
    });
  });

  it("a bad Causeway key is refused with 401 before the upstream is contacted", async () => {
    const before = upstream.requests.length;
    const bad = new OpenAI({
      apiKey: "cw_not_a_real_key",
      baseURL: `${server.url}/openai/v1`,
      maxRetries: 0,
    });
    const error = await bad.responses.create({ model: "gpt-e2e-a", input: "x" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(OpenAI.AuthenticationError);
    expect(upstream.requests.length).toBe(before);
  });
});
