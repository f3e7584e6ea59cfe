import { describe, expect, it } from "vitest";
import {
  bridgeHarness,
  ENTERPRISE_OPENAI_KEY,
  sseResponse,
  USER_KEY,
} from "../../../test/helpers/bridge-harness.ts";

const SDK_HEADERS = { "user-agent": "OpenAI/JS 7.59.0", "x-stainless-lang": "js" };

/** What OpenAI streams when include_usage is on: `"usage":null` on every chunk, then the usage chunk. */
const WITH_USAGE = [
  'data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}],"usage":null}\n\n',
  'data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}],"usage":null}\n\n',
  'data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}\n\n',
  'data: {"id":"c1","object":"chat.completion.chunk","choices":[],"usage":{"prompt_tokens":20,"completion_tokens":5,"total_tokens":25,"prompt_tokens_details":{"cached_tokens":8},"completion_tokens_details":{"reasoning_tokens":2}}}\n\n',
  "data: [DONE]\n\n",
].join("");

/** The same answer as the client would get from OpenAI without include_usage. */
const WITHOUT_USAGE = [
  'data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"role":"assistant","content":""},"finish_reason":null}]}\n\n',
  'data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"Hello"},"finish_reason":null}]}\n\n',
  'data: {"id":"c1","object":"chat.completion.chunk","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n',
  "data: [DONE]\n\n",
].join("");

function chatRequest(body: string, headers: Record<string, string> = SDK_HEADERS): Request {
  return new Request("http://bridge.test/openai/v1/chat/completions", {
    method: "POST",
    headers: { authorization: `Bearer ${USER_KEY}`, "content-type": "application/json", ...headers },
    body,
  });
}

/** Emits the text one byte at a time: the rewrite must not depend on chunk boundaries. */
function byteStream(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text);
  let i = 0;
  return new ReadableStream({
    pull(controller) {
      if (i < bytes.length) controller.enqueue(bytes.slice(i, ++i));
      else controller.close();
    },
  });
}

async function ended(h: ReturnType<typeof bridgeHarness>) {
  await h.recorder.flush();
  return {
    end: h.recorder.entries.find((e) => e.kind === "interception-end"),
    usage: h.recorder.entries.find((e) => e.kind === "token-usage"),
    start: h.recorder.entries.find((e) => e.kind === "interception-start"),
    tools: h.recorder.entries.filter((e) => e.kind === "tool-usage"),
    prompts: h.recorder.entries.filter((e) => e.kind === "prompt"),
  };
}

describe("openai chat completions through the bridge", () => {
  it("asks upstream for usage with a one-field edit and gives the client the stream it would have had", async () => {
    const h = bridgeHarness(async () => sseResponse(byteStream(WITH_USAGE)));
    const body =
      '{"model":"gpt-x","stream":true,"temperature":1.0,\n "messages":[{"role":"user","content":"hi"}]}';
    const response = await h.bridge.handle(chatRequest(body));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(WITHOUT_USAGE);
    const sent = h.seen[0]!;
    expect(sent.url).toBe("http://upstream.test/v1/chat/completions");
    expect(sent.headers.get("authorization")).toBe(`Bearer ${ENTERPRISE_OPENAI_KEY}`);
    expect(await sent.text()).toBe(`${body.slice(0, -1)},"stream_options":{"include_usage":true}}`);
    const { end, usage, start, prompts } = await ended(h);
    expect(end).toMatchObject({ status: "completed", httpStatus: 200 });
    expect(usage).toMatchObject({
      tokens: { input: 12, cacheRead: 8, cacheWrite: 0, output: 5, reasoning: 2 },
    });
    expect(start).toMatchObject({
      api: "openai.chat",
      client: "openai-sdk",
      model: "gpt-x",
      streaming: true,
    });
    expect(prompts).toMatchObject([{ text: "hi" }]);
  });

  it("relays byte for byte and forwards the body untouched when the client asked for usage itself", async () => {
    const h = bridgeHarness(async () => sseResponse(WITH_USAGE));
    const body =
      '{"model":"gpt-x","stream":true,"stream_options":{"include_usage":true},"messages":[{"role":"user","content":"hi"}]}';
    const response = await h.bridge.handle(chatRequest(body));
    expect(await response.text()).toBe(WITH_USAGE);
    expect(await h.seen[0]!.text()).toBe(body);
    expect((await ended(h)).usage).toMatchObject({ tokens: { input: 12, output: 5 } });
  });

  it("forwards a blocking request verbatim and records usage and tool calls", async () => {
    const completion = JSON.stringify({
      id: "c2",
      object: "chat.completion",
      choices: [
        {
          index: 0,
          message: {
            role: "assistant",
            content: null,
            tool_calls: [
              { id: "call_1", type: "function", function: { name: "get_weather", arguments: "" } },
            ],
          },
          finish_reason: "tool_calls",
        },
      ],
      usage: { prompt_tokens: 9, completion_tokens: 4, total_tokens: 13 },
    });
    const h = bridgeHarness(
      async () => new Response(completion, { headers: { "content-type": "application/json" } }),
    );
    const body =
      '{"model":"gpt-x","messages":[{"role":"user","content":[{"type":"text","text":"weather?"}]}],"n":1}';
    const response = await h.bridge.handle(chatRequest(body, {}));
    expect(await response.text()).toBe(completion);
    expect(await h.seen[0]!.text()).toBe(body);
    const { end, usage, tools, start, prompts } = await ended(h);
    expect(end).toMatchObject({ status: "completed", httpStatus: 200 });
    expect(usage).toMatchObject({ tokens: { input: 9, output: 4 } });
    expect(tools).toMatchObject([{ name: "get_weather", callId: "call_1", args: "{}", injected: false }]);
    expect(start).toMatchObject({ client: "other", streaming: false });
    expect(prompts).toMatchObject([{ text: "weather?" }]);
  });

  it("relays a mid-stream error object (rewrite path) and records upstream_error", async () => {
    const upstream =
      'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}],"usage":null}\n\n' +
      'data: {"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}\n\n';
    const h = bridgeHarness(async () => sseResponse(upstream));
    const response = await h.bridge.handle(chatRequest('{"model":"gpt-x","stream":true,"messages":[]}'));
    expect(await response.text()).toBe(
      'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hel"},"finish_reason":null}]}\n\n' +
        'data: {"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}\n\n',
    );
    expect((await ended(h)).end).toMatchObject({
      status: "upstream_error",
      detail: "server_error: The server had an error",
    });
  });

  it("passes a 429 before the stream through with its headers and records upstream_error", async () => {
    const error =
      '{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}';
    const h = bridgeHarness(
      async () =>
        new Response(error, {
          status: 429,
          headers: { "content-type": "application/json", "retry-after": "2" },
        }),
    );
    const response = await h.bridge.handle(chatRequest('{"model":"gpt-x","stream":true,"messages":[]}'));
    expect(response.status).toBe(429);
    expect(response.headers.get("retry-after")).toBe("2");
    expect(await response.text()).toBe(error);
    expect((await ended(h)).end).toMatchObject({ status: "upstream_error", httpStatus: 429 });
  });

  it("records a stream that ends without [DONE] as failed, keeping the usage it saw", async () => {
    const h = bridgeHarness(async () => sseResponse(WITH_USAGE.replace("data: [DONE]\n\n", "")));
    await (await h.bridge.handle(chatRequest('{"model":"gpt-x","stream":true,"messages":[]}'))).text();
    const { end, usage } = await ended(h);
    expect(end).toMatchObject({ status: "failed" });
    expect(usage).toMatchObject({ tokens: { input: 12, output: 5 } });
  });

  it("refuses bad keys and bad bodies in OpenAI's error shape", async () => {
    const h = bridgeHarness(async () => sseResponse(WITH_USAGE));
    const unauthorized = await h.bridge.handle(
      new Request("http://bridge.test/openai/v1/chat/completions", {
        method: "POST",
        headers: { authorization: "Bearer nope" },
        body: "{}",
      }),
    );
    expect(unauthorized.status).toBe(401);
    expect(await unauthorized.json()).toMatchObject({
      error: { type: "invalid_request_error", code: "invalid_api_key" },
    });
    const bad = await h.bridge.handle(chatRequest('{"model":"gpt-x"}'));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { message: "messages: an array is required.", type: "invalid_request_error" },
    });
    expect(h.seen).toHaveLength(0);
    expect((await ended(h)).end).toMatchObject({ status: "rejected", httpStatus: 400 });
  });

  it("keeps a silent rewritten stream alive with SSE comments, then cuts it with an in-band error object", async () => {
    // Like fetch, the body errors when the bridge aborts the upstream request.
    const silent = (signal: AbortSignal) =>
      new ReadableStream<Uint8Array>({
        start(controller) {
          controller.enqueue(new TextEncoder().encode(`${WITH_USAGE.split("\n\n")[0]}\n\n`));
          signal.addEventListener("abort", () => controller.error(signal.reason));
        },
      });
    const h = bridgeHarness(async (request) => sseResponse(silent(request.signal)), {
      pingIntervalMs: 1000,
      streamIdleTimeoutMs: 2500,
    });
    const response = await h.bridge.handle(chatRequest('{"model":"gpt-x","stream":true,"messages":[]}'));
    const reader = response.body!.getReader();
    const decode = (r: { value?: Uint8Array | undefined }) => new TextDecoder().decode(r.value);
    expect(decode(await reader.read())).toBe(`${WITHOUT_USAGE.split("\n\n")[0]}\n\n`);
    const next = reader.read();
    await new Promise((r) => setTimeout(r, 0));
    h.clock.advance(1000);
    expect(decode(await next)).toBe(": keep-alive\n\n");
    h.clock.advance(2000);
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read()) rest += decode(r);
    expect(rest).toContain(
      'data: {"error":{"message":"The upstream stream went silent for too long.","type":"server_error"',
    );
    expect((await ended(h)).end).toMatchObject({ status: "timeout" });
  });
});
