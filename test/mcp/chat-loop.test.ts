import { describe, expect, it } from "vitest";
import { openaiChat } from "../../core/apis/openai-chat/index.ts";
import { openaiChatToolLoop } from "../../core/apis/openai-chat/tool-loop.ts";
import { MemoryToolProvider } from "../../core/ports/tool-provider.ts";
import { decodeSse } from "../../core/sse/decoder.ts";
import { sseResponse } from "../helpers/bridge-harness.ts";
import { apiHarness } from "./helpers/api-harness.ts";

const api = { ...openaiChat, toolLoop: openaiChatToolLoop };
const ECHO = {
  server: "srv",
  name: "echo",
  description: "Echoes",
  inputSchema: { type: "object", properties: { message: { type: "string" } } },
};

interface Turn {
  id: string;
  text?: string;
  calls?: { id: string; name: string; args: string }[];
  prompt: number;
  completion: number;
}

const chunk = (id: string, choices: object[], usage: object | null = null) =>
  `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created: 1, model: "gpt-test", choices, usage })}\n\n`;

function streamTurn(t: Turn): string {
  let out = chunk(t.id, [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }]);
  if (t.text) out += chunk(t.id, [{ index: 0, delta: { content: t.text }, finish_reason: null }]);
  (t.calls ?? []).forEach((c, i) => {
    out += chunk(t.id, [
      {
        index: 0,
        delta: {
          tool_calls: [{ index: i, id: c.id, type: "function", function: { name: c.name, arguments: "" } }],
        },
        finish_reason: null,
      },
    ]);
    out += chunk(t.id, [
      {
        index: 0,
        delta: { tool_calls: [{ index: i, function: { arguments: c.args } }] },
        finish_reason: null,
      },
    ]);
  });
  out += chunk(t.id, [{ index: 0, delta: {}, finish_reason: t.calls?.length ? "tool_calls" : "stop" }]);
  out += chunk(t.id, [], {
    prompt_tokens: t.prompt,
    completion_tokens: t.completion,
    total_tokens: t.prompt + t.completion,
    prompt_tokens_details: { cached_tokens: 1 },
  });
  return `${out}data: [DONE]\n\n`;
}

function blockingTurn(t: Turn): string {
  const tool_calls = t.calls?.map((c) => ({
    id: c.id,
    type: "function",
    function: { name: c.name, arguments: c.args },
  }));
  return JSON.stringify({
    id: t.id,
    object: "chat.completion",
    created: 1,
    model: "gpt-test",
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: t.text ?? null, ...(tool_calls ? { tool_calls } : {}) },
        finish_reason: t.calls?.length ? "tool_calls" : "stop",
      },
    ],
    usage: {
      prompt_tokens: t.prompt,
      completion_tokens: t.completion,
      total_tokens: t.prompt + t.completion,
    },
  });
}

function setup(turns: Turn[], stream: boolean) {
  const calls: unknown[] = [];
  const tools = new MemoryToolProvider([ECHO], async (_s, _n, args) => {
    calls.push(args);
    return {
      content: [{ type: "text", text: `Echo: ${(args as { message: string }).message}` }],
      isError: false,
    };
  });
  let n = 0;
  const h = apiHarness(api, "/v1/chat/completions", tools, async () => {
    const turn = turns[Math.min(n++, turns.length - 1)]!;
    return stream
      ? sseResponse(streamTurn(turn))
      : new Response(blockingTurn(turn), { headers: { "content-type": "application/json" } });
  });
  return { ...h, calls };
}

const CALL = { id: "call_1", name: "cw__srv__echo", args: '{"message":"hi"}' };
const BODY = { model: "gpt-test", messages: [{ role: "user", content: "echo hi" }] };

describe("openai chat tool loop", () => {
  it("streams one completion: one id, hidden injected calls, one [DONE], no usage unless asked", async () => {
    const h = setup(
      [
        { id: "chatcmpl-A", text: "Checking.", calls: [CALL], prompt: 10, completion: 5 },
        { id: "chatcmpl-B", text: "Done.", prompt: 20, completion: 3 },
      ],
      true,
    );
    const response = await h.run({
      ...BODY,
      stream: true,
      tools: [{ type: "function", function: { name: "client_fn", parameters: {} } }],
    });
    const events = decodeSse(await response.text());
    expect(events.filter((e) => e.data === "[DONE]")).toHaveLength(1);
    const chunks = events.filter((e) => e.data !== "[DONE]").map((e) => JSON.parse(e.data));
    expect(new Set(chunks.map((c) => c.id))).toEqual(new Set(["chatcmpl-A"]));
    expect(chunks.every((c) => !("usage" in c))).toBe(true);
    expect(chunks.map((c) => c.choices[0]?.delta?.content ?? "").join("")).toBe("Checking.\n\nDone.");
    expect(chunks.some((c) => c.choices[0]?.delta?.tool_calls)).toBe(false);
    expect(chunks.filter((c) => c.choices[0]?.finish_reason).map((c) => c.choices[0].finish_reason)).toEqual([
      "stop",
    ]);

    const first = JSON.parse(await h.seen[0]!.text());
    expect(first.tools.map((t: { function: { name: string } }) => t.function.name)).toEqual([
      "client_fn",
      "cw__srv__echo",
    ]);
    expect(first.stream_options).toEqual({ include_usage: true });
    const second = JSON.parse(await h.seen[1]!.text());
    expect(second.messages.slice(1)).toEqual([
      {
        role: "assistant",
        content: "Checking.",
        tool_calls: [
          {
            id: "call_1",
            type: "function",
            function: { name: "cw__srv__echo", arguments: '{"message":"hi"}' },
          },
        ],
      },
      { role: "tool", tool_call_id: "call_1", content: "Echo: hi" },
    ]);
    await h.recorder.flush();
    const usage = h.recorder.entries
      .filter((e) => e.kind === "token-usage")
      .map((e) => (e.kind === "token-usage" ? e.tokens : null));
    expect(usage).toEqual([
      { input: 9, output: 5, cacheRead: 1, cacheWrite: 0, reasoning: 0 },
      { input: 19, output: 3, cacheRead: 1, cacheWrite: 0, reasoning: 0 },
    ]);
    expect(h.recorder.entries.filter((e) => e.kind === "tool-usage")).toEqual([
      expect.objectContaining({ name: "echo", server: "srv", injected: true, error: null }),
    ]);
    expect(h.recorder.entries.at(-1)).toMatchObject({ kind: "interception-end", status: "completed" });
  });

  it("ends with one usage chunk holding the totals when the client asked for usage", async () => {
    const h = setup(
      [
        { id: "chatcmpl-A", calls: [CALL], prompt: 10, completion: 5 },
        { id: "chatcmpl-B", text: "Done.", prompt: 20, completion: 3 },
      ],
      true,
    );
    const response = await h.run({ ...BODY, stream: true, stream_options: { include_usage: true } });
    const events = decodeSse(await response.text());
    expect(events.at(-1)!.data).toBe("[DONE]");
    const usageChunks = events
      .slice(0, -1)
      .map((e) => JSON.parse(e.data))
      .filter((c) => c.usage);
    expect(usageChunks).toEqual([
      expect.objectContaining({
        id: "chatcmpl-A",
        choices: [],
        usage: {
          prompt_tokens: 30,
          completion_tokens: 8,
          total_tokens: 38,
          prompt_tokens_details: { cached_tokens: 2 },
        },
      }),
    ]);
  });

  it("returns a mixed turn's client call (renumbered) without running the injected one", async () => {
    const client = { id: "call_c", name: "client_fn", args: "{}" };
    const h = setup([{ id: "chatcmpl-A", calls: [CALL, client], prompt: 10, completion: 5 }], true);
    const response = await h.run({
      ...BODY,
      stream: true,
      tools: [{ type: "function", function: { name: "client_fn", parameters: {} } }],
    });
    const chunks = decodeSse(await response.text())
      .filter((e) => e.data !== "[DONE]")
      .map((e) => JSON.parse(e.data));
    const fragments = chunks.flatMap((c) => c.choices[0]?.delta?.tool_calls ?? []);
    expect(fragments).toEqual([
      { index: 0, id: "call_c", type: "function", function: { name: "client_fn", arguments: "" } },
      { index: 0, function: { arguments: "{}" } },
    ]);
    expect(chunks.at(-1).choices[0].finish_reason).toBe("tool_calls");
    expect(h.calls).toHaveLength(0);
    expect(h.seen).toHaveLength(1);
  });

  it("merges a blocking loop into one completion with summed usage", async () => {
    const h = setup(
      [
        { id: "chatcmpl-A", text: "Checking.", calls: [CALL], prompt: 10, completion: 5 },
        { id: "chatcmpl-B", text: "Done.", prompt: 20, completion: 3 },
      ],
      false,
    );
    const response = await h.run({ ...BODY, tool_choice: "required" });
    const body = await response.json();
    expect(JSON.parse(await h.seen[0]!.text()).tool_choice).toBe("required");
    expect(JSON.parse(await h.seen[1]!.text()).tool_choice).toBe("auto");
    expect(body).toMatchObject({
      id: "chatcmpl-A",
      choices: [
        { index: 0, message: { role: "assistant", content: "Checking.\n\nDone." }, finish_reason: "stop" },
      ],
      usage: { prompt_tokens: 30, completion_tokens: 8, total_tokens: 38 },
    });
    expect(body.choices[0].message.tool_calls).toBeUndefined();
    expect(h.calls).toEqual([{ message: "hi" }]);
  });
});
