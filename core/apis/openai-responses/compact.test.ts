import { describe, expect, it } from "vitest";
import type { JsonObject } from "../../http/body.ts";
import { runTransducer } from "../../transducer/transducer.ts";
import { compactBlockingFacts, inspectCompactRequest, openaiResponsesCompact } from "./compact.ts";

/** The request of OpenAI's "Compact a response" reference (POST /v1/responses/compact). */
const DOCUMENTED_REQUEST: JsonObject = {
  model: "gpt-5.1-codex-max",
  input: [
    { role: "user", content: "Create a simple landing page for a dog petting café." },
    {
      id: "msg_001",
      type: "message",
      status: "completed",
      content: [{ type: "output_text", annotations: [], logprobs: [], text: "Below is a single file..." }],
      role: "assistant",
    },
  ],
};

/** Its documented answer: the kept user messages, one opaque compaction item, and usage. */
const DOCUMENTED_RESPONSE = {
  id: "resp_001",
  object: "response.compaction",
  created_at: 1764967971,
  output: [
    {
      id: "msg_000",
      type: "message",
      status: "completed",
      content: [{ type: "input_text", text: "Create a simple landing page for a dog petting cafe." }],
      role: "user",
    },
    { id: "cmp_001", type: "compaction", encrypted_content: "gAAAAABpM0Yj-...=" },
  ],
  usage: {
    input_tokens: 139,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 438,
    output_tokens_details: { reasoning_tokens: 64 },
    total_tokens: 577,
  },
};

/** What Codex sends (codex-api `CompactionInput`): model, history, instructions, tools, controls. */
const CODEX_REQUEST: JsonObject = {
  model: "gpt-5.1-codex",
  input: [
    { type: "message", role: "developer", content: [{ type: "input_text", text: "<permissions/>" }] },
    { type: "message", role: "user", content: [{ type: "input_text", text: "fix the failing test" }] },
    { type: "reasoning", id: "rs_1", summary: [], encrypted_content: "gAAAAB-opaque==" },
    { type: "function_call", call_id: "call_1", name: "exec_command", arguments: '{"cmd":"npm test"}' },
    { type: "function_call_output", call_id: "call_1", output: "1 failed" },
    { type: "compaction", encrypted_content: "gAAAAB-earlier==" },
  ],
  instructions: "You are Codex...",
  tools: [{ type: "function", name: "exec_command", parameters: { type: "object" } }],
  parallel_tool_calls: false,
  reasoning: { effort: "medium", summary: "auto" },
  prompt_cache_key: "019a-session",
};

describe("POST /v1/responses/compact: request", () => {
  it("reads the model and the last user message of the documented request; it never streams", () => {
    expect(inspectCompactRequest(DOCUMENTED_REQUEST)).toEqual({
      model: "gpt-5.1-codex-max",
      stream: false,
      prompts: ["Create a simple landing page for a dog petting café."],
    });
  });

  it("takes the last user text of a Codex history, past tool outputs and compaction items", () => {
    expect(inspectCompactRequest(CODEX_REQUEST)).toEqual({
      model: "gpt-5.1-codex",
      stream: false,
      prompts: ["fix the failing test"],
    });
  });

  it("accepts a string input, no input (previous_response_id) and OpenAI's nullable model", () => {
    expect(inspectCompactRequest({ model: "gpt-5", input: "summarise" })).toMatchObject({
      prompts: ["summarise"],
    });
    expect(inspectCompactRequest({ model: "gpt-5", previous_response_id: "resp_1" })).toMatchObject({
      model: "gpt-5",
      prompts: [],
    });
    expect(inspectCompactRequest({ model: null, input: null })).toEqual({
      model: "",
      stream: false,
      prompts: [],
    });
  });

  it("refuses a missing or malformed model and a malformed input", () => {
    expect(inspectCompactRequest({ input: "x" })).toMatch(/^model:/);
    expect(inspectCompactRequest({ model: "" })).toMatch(/^model:/);
    expect(inspectCompactRequest({ model: 5 })).toMatch(/^model:/);
    expect(inspectCompactRequest({ model: "gpt-5", input: { role: "user" } })).toMatch(/^input:/);
  });
});

describe("POST /v1/responses/compact: response", () => {
  it("records the documented usage in Causeway's convention, and completion", () => {
    expect(compactBlockingFacts(DOCUMENTED_RESPONSE)).toEqual([
      { kind: "usage", tokens: { input: 139, cacheRead: 0, output: 438, reasoning: 64 } },
      { kind: "completed" },
    ]);
  });

  it("subtracts cached tokens from input, as for every Responses usage (docs/tokens.md)", () => {
    const usage = { input_tokens: 5000, input_tokens_details: { cached_tokens: 4096 }, output_tokens: 700 };
    expect(compactBlockingFacts({ ...DOCUMENTED_RESPONSE, usage })[0]).toEqual({
      kind: "usage",
      tokens: { input: 904, cacheRead: 4096, output: 700 },
    });
  });

  it("takes nothing from a body that is not a compacted response", () => {
    expect(compactBlockingFacts(null)).toEqual([]);
    expect(compactBlockingFacts("not json")).toEqual([]);
    expect(compactBlockingFacts({ object: "response", output: [] })).toEqual([]);
  });
});

describe("the compact ApiDefinition", () => {
  it("is audited under its own name, forwards the body as sent and injects no tools", () => {
    expect(openaiResponsesCompact.name).toBe("openai.responses.compact");
    const facts = inspectCompactRequest(CODEX_REQUEST);
    if (typeof facts === "string") throw new Error(facts);
    expect(openaiResponsesCompact.prepare("{}", CODEX_REQUEST, facts)).toBeNull();
    expect(openaiResponsesCompact.toolLoop).toBeUndefined();
  });

  it("finds no end marker in an event stream it never documented (the audit then says failed)", () => {
    const events = [{ event: "response.completed", data: JSON.stringify({ type: "response.completed" }) }];
    expect(runTransducer(openaiResponsesCompact.observe(), events)).toEqual([]);
  });

  it("renders the bridge's own errors in OpenAI's shape", () => {
    const body = openaiResponsesCompact.renderError(
      { _tag: "GatewayError", kind: "invalid_request", status: 400, message: "model: required" },
      "req_1",
    );
    expect(JSON.parse(body)).toEqual({
      error: { message: "model: required", type: "invalid_request_error", param: null, code: null },
    });
  });
});
