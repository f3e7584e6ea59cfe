import { describe, expect, it } from "vitest";
import { anthropicToolLoop } from "../../core/apis/anthropic-messages/tool-loop.ts";
import { insertIntoArray } from "../../core/json/raw-insert.ts";
import { sumUsage } from "../../core/json/sum-usage.ts";
import { decodeSse } from "../../core/sse/decoder.ts";
import { buildCatalog } from "../../core/tools/catalog.ts";
import { MIXED_TURN_REASON, ROUND_CAP_REASON } from "../../core/tools/contract.ts";
import { decide } from "../../core/tools/decide.ts";
import { INJECTED_PREFIX, injectedToolName } from "../../core/tools/naming.ts";
import { capResult } from "../../core/tools/results.ts";

const def = (server: string, name: string) => ({
  server,
  name,
  description: "",
  inputSchema: { type: "object" },
});

describe("injected tool names", () => {
  it("uses the reserved prefix and keeps plain names readable", () => {
    expect(injectedToolName("everything", "get-sum")).toBe("cw__everything__get-sum");
    expect(INJECTED_PREFIX).toBe("cw__");
  });

  it("stays within 64 characters of [a-zA-Z0-9_-], with a hash when cut or cleaned", () => {
    const long = injectedToolName(
      "a-very-long-server-name-for-testing",
      "and.an/even:longer tool name that goes on",
    );
    expect(long.length).toBeLessThanOrEqual(64);
    expect(long).toMatch(/^cw__[a-zA-Z0-9_-]+_[0-9a-f]{8}$/);
    expect(injectedToolName("s", "a.b")).not.toBe(injectedToolName("s", "a:b"));
    expect(injectedToolName("s", "a.b")).toBe(injectedToolName("s", "a.b"));
  });

  it("never gives two tools the same name, and leaves out names the client declares itself", () => {
    const catalog = buildCatalog([def("s", "a.b"), def("s", "a_b"), def("s", "x")], new Set(["cw__s__x"]));
    const names = catalog.tools.map((t) => t.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(2);
    expect(catalog.byName.has("cw__s__x")).toBe(false);
  });
});

describe("raw body edits", () => {
  it("prepends or appends into an array and keeps every other byte", () => {
    const raw = '{"model":"m",  "tools" : [ {"name":"c"} ],"n":1.50}';
    expect(insertIntoArray(raw, "tools", '{"name":"i"}', "start")).toBe(
      '{"model":"m",  "tools" : [{"name":"i"}, {"name":"c"} ],"n":1.50}',
    );
    expect(insertIntoArray(raw, "tools", '{"name":"i"}', "end")).toBe(
      '{"model":"m",  "tools" : [ {"name":"c"} ,{"name":"i"}],"n":1.50}',
    );
  });

  it("creates the member when absent or null, refuses a non-array", () => {
    expect(insertIntoArray('{"a":1}', "tools", "1", "start")).toBe('{"tools":[1],"a":1}');
    expect(insertIntoArray('{"tools":null}', "tools", "1", "end")).toBe('{"tools":[1]}');
    expect(insertIntoArray('{"tools":[]}', "tools", "1", "end")).toBe('{"tools":[1]}');
    expect(insertIntoArray('{"tools":{}}', "tools", "1", "end")).toBeNull();
  });

  it("sums usage objects field by field", () => {
    expect(sumUsage({ a: 1, d: { c: 2 } }, { a: 2, d: { c: 3 }, e: 1 })).toEqual({ a: 3, d: { c: 5 }, e: 1 });
    expect(sumUsage(null, { a: 1 })).toEqual({ a: 1 });
  });
});

describe("the loop rule", () => {
  const call = { id: "1", name: "cw__s__x", args: "{}" };
  it("continues only for a tool stop without client calls and under the cap", () => {
    expect(decide([call], 0, true, "tool_use", true)).toEqual({ proceed: true, capped: false, notRun: [] });
    expect(decide([call], 1, true, "tool_use", true).notRun).toEqual([{ call, reason: MIXED_TURN_REASON }]);
    expect(decide([call], 0, true, "tool_use", false)).toMatchObject({
      proceed: false,
      capped: true,
      notRun: [{ reason: ROUND_CAP_REASON }],
    });
    expect(decide([call], 0, false, "max_tokens", true)).toMatchObject({ proceed: false, capped: false });
    expect(decide([], 0, true, "tool_use", true)).toEqual({ proceed: false, capped: false, notRun: [] });
  });
});

describe("tool result cap (MCP-12)", () => {
  it("truncates text at the byte cap with a note, and drops images that do not fit", () => {
    const capped = capResult(
      {
        content: [
          { type: "text", text: "é".repeat(100) },
          { type: "image", data: "A".repeat(50), mimeType: "image/png" },
        ],
        isError: false,
      },
      51,
    );
    expect(capped.content[0]).toEqual({ type: "text", text: "é".repeat(25) });
    expect(capped.content[1]).toMatchObject({ type: "other" });
    expect(capped.content[2]).toEqual({
      type: "text",
      text: "[Causeway: the tool result was truncated at 51 bytes]",
    });
    const small = { content: [{ type: "text" as const, text: "ok" }], isError: false };
    expect(capResult(small, 10)).toBe(small);
  });
});

describe("anthropic stream splice", () => {
  it("hands thinking blocks back with their signature, byte-exact text and input", () => {
    const session = anthropicToolLoop.createSession({
      request: {},
      injected: new Set(["cw__s__x"]),
      stopNote: "stop",
    });
    session.beginTurn(true);
    const stream = [
      'event: message_start\ndata: {"type":"message_start","message":{"id":"m","usage":{"input_tokens":3,"output_tokens":1}}}\n\n',
      'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"thinking","thinking":"","signature":""}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"thinking_delta","thinking":"Let me think"}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"signature_delta","signature":"SIG=="}}\n\n',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
      'event: content_block_start\ndata: {"type":"content_block_start","index":1,"content_block":{"type":"tool_use","id":"t1","name":"cw__s__x","input":{}}}\n\n',
      'event: content_block_delta\ndata: {"type":"content_block_delta","index":1,"delta":{"type":"input_json_delta","partial_json":"{\\"q\\": 1}"}}\n\n',
      'event: content_block_stop\ndata: {"type":"content_block_stop","index":1}\n\n',
      'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":9}}\n\n',
      'event: message_stop\ndata: {"type":"message_stop"}\n\n',
    ];
    const out = decodeSse(stream.join("")).flatMap((event) => session.streamStep(event));
    expect(out.join("")).toBe(stream.slice(0, 5).join(""));
    expect(session.streamEnd()).toEqual({
      run: [{ id: "t1", name: "cw__s__x", args: '{"q": 1}' }],
      notRun: [],
      complete: true,
    });
    const next = JSON.parse(
      session.nextBody('{"messages":[{"role":"user","content":"hi"}]}', [
        { call: { id: "t1", name: "cw__s__x", args: "{}" }, content: [], isError: false },
      ])!,
    );
    expect(next.messages[1]).toEqual({
      role: "assistant",
      content: [
        { type: "thinking", thinking: "Let me think", signature: "SIG==" },
        { type: "tool_use", id: "t1", name: "cw__s__x", input: { q: 1 } },
      ],
    });
    expect(next.messages[2].content[0]).toMatchObject({
      tool_use_id: "t1",
      content: [{ type: "text", text: "(the tool returned no content)" }],
    });
  });
});
