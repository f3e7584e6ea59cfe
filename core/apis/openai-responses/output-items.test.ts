import { describe, expect, it } from "vitest";
import { itemFacts } from "./output-items.ts";

describe("Responses output items as audit facts", () => {
  it("records client-executed items by type, with their action as arguments", () => {
    const shell = {
      type: "local_shell_call",
      id: "lsh_1",
      call_id: "call_s",
      action: { type: "exec", command: ["ls"] },
    };
    expect(itemFacts(shell)).toEqual([
      {
        kind: "tool-call",
        name: "local_shell_call",
        callId: "call_s",
        args: '{"type":"exec","command":["ls"]}',
      },
    ]);
  });

  it("ignores hosted tools and messages, and empty reasoning", () => {
    expect(itemFacts({ type: "web_search_call", id: "ws_1", status: "completed" })).toEqual([]);
    expect(itemFacts({ type: "mcp_call", id: "mcp_1", name: "x", arguments: "{}" })).toEqual([]);
    expect(itemFacts({ type: "message", id: "m", content: [] })).toEqual([]);
    expect(itemFacts({ type: "reasoning", id: "rs", summary: [], encrypted_content: "x" })).toEqual([]);
    expect(itemFacts(null)).toEqual([]);
  });

  it("falls back to raw reasoning text when there is no summary", () => {
    const item = {
      type: "reasoning",
      id: "rs",
      summary: [],
      content: [{ type: "reasoning_text", text: "step one" }],
    };
    expect(itemFacts(item)).toEqual([{ kind: "thought", text: "step one" }]);
  });
});
