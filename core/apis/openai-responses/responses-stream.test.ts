import { describe, expect, it } from "vitest";
import { decodeSse } from "../../sse/decoder.ts";
import { runTransducer } from "../../transducer/transducer.ts";
import { responsesBlockingFacts } from "./response.ts";
import { ResponsesObserver } from "./stream.ts";

/** Events as OpenAI frames them: `event: <type>` then the JSON payload whose `type` matches. */
const sse = (...events: Record<string, unknown>[]): string =>
  events
    .map((e, i) => `event: ${e.type}\ndata: ${JSON.stringify({ ...e, sequence_number: i })}\n\n`)
    .join("");
const observe = (text: string) => runTransducer(new ResponsesObserver(), decodeSse(text));

const usage = {
  input_tokens: 50,
  input_tokens_details: { cached_tokens: 20 },
  output_tokens: 30,
  output_tokens_details: { reasoning_tokens: 10 },
  total_tokens: 80,
};
const reasoning = {
  id: "rs_1",
  type: "reasoning",
  summary: [
    { type: "summary_text", text: "**Plan**" },
    { type: "summary_text", text: "Look it up." },
  ],
  encrypted_content: "gAAA",
};
const fnCall = {
  id: "fc_1",
  type: "function_call",
  status: "completed",
  call_id: "call_1",
  name: "get_weather",
  arguments: '{"city":"Paris"}',
};
const custom = {
  id: "ctc_1",
  type: "custom_tool_call",
  status: "completed",
  call_id: "call_2",
  name: "apply_patch",
  input: "*** Begin Patch",
};
const response = (status: string, output: unknown[], extra: object = {}) => ({
  id: "resp_1",
  object: "response",
  status,
  output,
  usage: null,
  ...extra,
});

describe("responses stream observer", () => {
  it("reports reasoning summaries, function and custom tool calls once, usage and completion", () => {
    const facts = observe(
      sse(
        { type: "response.created", response: response("in_progress", []) },
        { type: "response.output_item.added", output_index: 0, item: { ...reasoning, summary: [] } },
        { type: "response.reasoning_summary_text.delta", item_id: "rs_1", delta: "**Plan**" },
        { type: "response.output_item.done", output_index: 0, item: reasoning },
        { type: "response.function_call_arguments.delta", item_id: "fc_1", delta: '{"city":' },
        { type: "response.output_item.done", output_index: 1, item: fnCall },
        { type: "response.output_item.done", output_index: 2, item: custom },
        {
          type: "response.completed",
          response: response("completed", [reasoning, fnCall, custom], { usage }),
        },
      ),
    );
    expect(facts).toEqual([
      { kind: "thought", text: "**Plan**\n\nLook it up." },
      { kind: "tool-call", name: "get_weather", callId: "call_1", args: '{"city":"Paris"}' },
      { kind: "tool-call", name: "apply_patch", callId: "call_2", args: '"*** Begin Patch"' },
      { kind: "usage", tokens: { input: 30, cacheRead: 20, output: 30, reasoning: 10 } },
      { kind: "completed" },
    ]);
  });

  it("takes items from the final response when a stream skipped output_item.done, and reads unnamed events", () => {
    const text = `data: ${JSON.stringify({ type: "response.completed", response: response("completed", [{ ...fnCall, arguments: "" }], { usage }) })}\n\n`;
    expect(observe(text)).toEqual([
      { kind: "usage", tokens: { input: 30, cacheRead: 20, output: 30, reasoning: 10 } },
      { kind: "tool-call", name: "get_weather", callId: "call_1", args: "{}" },
      { kind: "completed" },
    ]);
  });

  it("treats response.incomplete as a finished response with its usage", () => {
    const facts = observe(
      sse({
        type: "response.incomplete",
        response: response("incomplete", [], { usage, incomplete_details: { reason: "max_output_tokens" } }),
      }),
    );
    expect(facts.map((f) => f.kind)).toEqual(["usage", "completed"]);
  });

  it("records response.failed and error events as upstream errors, with the usage they carry", () => {
    expect(
      observe(
        sse({
          type: "response.failed",
          response: response("failed", [], { usage, error: { code: "server_error", message: "boom" } }),
        }),
      ),
    ).toEqual([
      { kind: "usage", tokens: { input: 30, cacheRead: 20, output: 30, reasoning: 10 } },
      { kind: "error", detail: "server_error: boom" },
    ]);
    expect(
      observe(sse({ type: "error", code: "rate_limit_exceeded", message: "slow down", param: null })),
    ).toEqual([{ kind: "error", detail: "rate_limit_exceeded: slow down" }]);
    // The shape seen from the live API: the error nested under `error`.
    expect(
      observe(
        sse({
          type: "error",
          error: { type: "insufficient_quota", code: "insufficient_quota", message: "quota" },
        }),
      ),
    ).toEqual([{ kind: "error", detail: "insufficient_quota: quota" }]);
  });

  it("ignores unknown event types and never completes without a terminal event", () => {
    const facts = observe(
      sse(
        { type: "response.created", response: response("in_progress", []) },
        { type: "response.some_future_event.delta", delta: "x" },
        { type: "response.output_text.delta", delta: "hi" },
      ),
    );
    expect(facts).toEqual([]);
  });
});

describe("responses blocking facts", () => {
  it("reads usage, tool calls and thoughts; failed is an error; a background (queued) response has nothing yet", () => {
    expect(
      responsesBlockingFacts(response("completed", [reasoning, fnCall], { usage })).map((f) => f.kind),
    ).toEqual(["usage", "thought", "tool-call", "completed"]);
    expect(
      responsesBlockingFacts(response("failed", [], { error: { code: "server_error", message: "x" } })),
    ).toEqual([{ kind: "error", detail: "server_error: x" }]);
    expect(responsesBlockingFacts(response("queued", [], { background: true }))).toEqual([]);
  });
});
