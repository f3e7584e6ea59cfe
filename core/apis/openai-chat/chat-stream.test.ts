import { describe, expect, it } from "vitest";
import { decodeSse } from "../../sse/decoder.ts";
import { runTransducer } from "../../transducer/transducer.ts";
import { ChatObserver } from "./stream.ts";
import { stripUsage } from "./strip-usage.ts";

const sse = (...chunks: (object | string)[]): string =>
  chunks.map((c) => `data: ${typeof c === "string" ? c : JSON.stringify(c)}\n\n`).join("");
const chunk = (delta: object, finish: string | null = null, extra: object = {}) => ({
  id: "c1",
  object: "chat.completion.chunk",
  choices: [{ index: 0, delta, finish_reason: finish }],
  ...extra,
});
const call = (index: number, fields: { id?: string; name?: string; args?: string }) => ({
  tool_calls: [
    {
      index,
      ...(fields.id ? { id: fields.id, type: "function" } : {}),
      function: {
        ...(fields.name ? { name: fields.name } : {}),
        ...(fields.args !== undefined ? { arguments: fields.args } : {}),
      },
    },
  ],
});
const observe = (text: string) => runTransducer(new ChatObserver(), decodeSse(text));

describe("chat stream observer", () => {
  it("reports interleaved parallel tool calls per index, starting at 1, with empty args as {}", () => {
    const facts = observe(
      sse(
        chunk({ role: "assistant", content: null }),
        chunk(call(1, { id: "call_a", name: "read", args: "" })),
        chunk(call(2, { id: "call_b", name: "list" })),
        chunk(call(1, { args: '{"pa' })),
        chunk(call(2, { args: "" })),
        chunk(call(1, { args: 'th":"x"}' })),
        chunk({}, "tool_calls"),
        "[DONE]",
      ),
    );
    expect(facts).toEqual([
      { kind: "tool-call", name: "read", callId: "call_a", args: '{"path":"x"}' },
      { kind: "tool-call", name: "list", callId: "call_b", args: "{}" },
      { kind: "completed" },
    ]);
  });

  it("splits calls when an upstream reuses index 0 with a new id", () => {
    const facts = observe(
      sse(
        chunk(call(0, { id: "a", name: "one", args: "{}" })),
        chunk(call(0, { id: "b", name: "two", args: '{"k":1}' })),
        chunk({}, "tool_calls"),
        "[DONE]",
      ),
    );
    expect(
      facts
        .filter((f) => f.kind === "tool-call")
        .map((f) => f.kind === "tool-call" && [f.callId, f.name, f.args]),
    ).toEqual([
      ["a", "one", "{}"],
      ["b", "two", '{"k":1}'],
    ]);
  });

  it("converts usage (cached excluded from input, reasoning kept) from a usage chunk with empty choices", () => {
    const usage = {
      prompt_tokens: 100,
      completion_tokens: 30,
      total_tokens: 130,
      prompt_tokens_details: { cached_tokens: 60 },
      completion_tokens_details: { reasoning_tokens: 12 },
    };
    const facts = observe(
      sse(
        chunk({ content: "hi" }, null, { usage: null }),
        chunk({}, "stop", { usage: null }),
        { id: "c1", choices: [], usage },
        "[DONE]",
      ),
    );
    expect(facts).toEqual([
      { kind: "usage", tokens: { input: 40, cacheRead: 60, output: 30, reasoning: 12 } },
      { kind: "completed" },
    ]);
  });

  it("reads usage riding on a chunk with non-empty choices", () => {
    const facts = observe(
      sse(chunk({}, "stop", { usage: { prompt_tokens: 5, completion_tokens: 2 } }), "[DONE]"),
    );
    expect(facts[0]).toEqual({ kind: "usage", tokens: { input: 5, cacheRead: 0, output: 2 } });
  });

  it("records mid-stream error objects and reasoning text of compatible upstreams", () => {
    const facts = observe(
      sse(chunk({ reasoning_content: "think " }), chunk({ reasoning_content: "hard" }), {
        error: { message: "overloaded", type: "server_error", code: "overloaded" },
      }),
    );
    expect(facts).toEqual([
      { kind: "error", detail: "overloaded: overloaded" },
      { kind: "thought", text: "think hard" },
    ]);
  });

  it("ignores unknown chunks, comments and malformed data; a stream without [DONE] never completes", () => {
    const facts = observe(
      `: comment\n\ndata: {"object":"something.new"}\n\ndata: not json\n\n${sse(chunk({ content: "x" }))}`,
    );
    expect(facts).toEqual([]);
  });
});

describe("chat usage stripping (client did not ask for usage)", () => {
  const strip = (text: string) => runTransducer(stripUsage, decodeSse(text)).join("");

  it("drops the usage-only chunk and the usage member of every other chunk, keeps [DONE] once", () => {
    const upstream =
      'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"usage":null,"obfuscation":"x"}\n\n' +
      'data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":null}\n\n' +
      'data: {"id":"c1","choices":[],"usage":{"prompt_tokens":3,"completion_tokens":1,"total_tokens":4}}\n\n' +
      "data: [DONE]\n\n";
    expect(strip(upstream)).toBe(
      'data: {"id":"c1","choices":[{"index":0,"delta":{"content":"Hi"},"finish_reason":null}],"obfuscation":"x"}\n\n' +
        'data: {"id":"c1","choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\n' +
        "data: [DONE]\n\n",
    );
  });

  it("keeps a chunk whose choices are non-empty when usage rides on it, minus the usage", () => {
    const out = strip(
      'data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":3}}\n\ndata: [DONE]\n\n',
    );
    expect(out).toBe('data: {"choices":[{"index":0,"delta":{},"finish_reason":"stop"}]}\n\ndata: [DONE]\n\n');
  });

  it("keeps empty-choice chunks without usage (Azure prompt filter results) and error objects", () => {
    const upstream =
      'data: {"choices":[],"prompt_filter_results":[]}\n\ndata: {"error":{"message":"boom","usage":null}}\n\n';
    expect(strip(upstream)).toBe(upstream);
  });
});
