import fc from "fast-check";
import { describe, it } from "vitest";
import { anthropicToolLoop } from "../../core/apis/anthropic-messages/tool-loop.ts";
import { openaiChatToolLoop } from "../../core/apis/openai-chat/tool-loop.ts";
import { openaiResponsesToolLoop } from "../../core/apis/openai-responses/tool-loop.ts";

/** Tool-loop sessions are fed upstream data: no sequence of events or body may make them throw. */
const NAMES = [
  "message_start",
  "content_block_start",
  "content_block_delta",
  "content_block_stop",
  "message_delta",
  "message_stop",
  "response.output_item.added",
  "response.output_item.done",
  "response.completed",
  "response.created",
  "error",
];
const TYPES = [
  "tool_use",
  "function_call",
  "text",
  "input_json_delta",
  "text_delta",
  "message",
  "reasoning",
  "tool_calls",
];
const json = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small" },
    fc.constantFrom(null, true, 0, 1, "", "cw__s__t", "tool_use", "tool_calls", "completed", "[DONE]"),
    fc.constantFrom(...TYPES),
    fc.array(tie("value"), { maxLength: 3 }),
    fc.dictionary(
      fc.constantFrom(
        "type",
        "index",
        "output_index",
        "name",
        "id",
        "delta",
        "content_block",
        "item",
        "choices",
        "usage",
        "response",
        "tool_calls",
        "function",
        "finish_reason",
        "stop_reason",
        "output",
        "content",
        "message",
        "arguments",
        "partial_json",
      ),
      tie("value"),
      { maxKeys: 5 },
    ),
  ),
})).value;
const event = fc.record({
  event: fc.option(fc.constantFrom(...NAMES), { nil: undefined }),
  data: fc.oneof(
    json.map((v) => JSON.stringify(v)),
    fc.constantFrom("[DONE]", "{", ""),
  ),
});

describe("tool-loop sessions accept anything", () => {
  for (const [name, loop] of [
    ["anthropic", anthropicToolLoop],
    ["chat", openaiChatToolLoop],
    ["responses", openaiResponsesToolLoop],
  ] as const) {
    it(name, () => {
      const options = {
        request: { model: "m", stream: true, messages: [], input: "x" },
        injected: new Set(["cw__s__t"]),
        stopNote: "stop",
      };
      fc.assert(
        fc.property(fc.array(event, { maxLength: 30 }), json, fc.boolean(), (events, body, canContinue) => {
          const session = loop.createSession(options);
          session.beginTurn(canContinue);
          for (const e of events) session.streamStep(e);
          session.streamEnd();
          session.nextBody('{"messages":[],"input":"x"}', []);
          const blocking = loop.createSession(options);
          blocking.beginTurn(canContinue);
          blocking.blockingTurn(body);
          blocking.blockingBody();
          blocking.nextBody('{"messages":[]}', []);
        }),
        { numRuns: 300 },
      );
    });
  }
});
