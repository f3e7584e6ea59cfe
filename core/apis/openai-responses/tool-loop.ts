import type { JsonObject } from "../../http/body.ts";
import type { InjectedTool } from "../../tools/catalog.ts";
import type { SessionOptions, ToolLoopSession, ToolLoopSupport } from "../../tools/contract.ts";
import { insertIntoArray, relaxToolChoice } from "../../tools/raw-insert.ts";
import { asObject, asString } from "../json.ts";
import { ResponsesBlockingMerge } from "./tool-loop-blocking.ts";
import { responsesNextBody } from "./tool-loop-items.ts";
import { ResponsesStreamSplice } from "./tool-loop-stream.ts";

/**
 * Tool loop support for the Responses API. Injected tools are APPENDED to `tools` as function
 * tools; each next turn appends the previous output and the function_call_output items to
 * `input` (see tool-loop-items.ts for `store: false`).
 */
export const openaiResponsesToolLoop: ToolLoopSupport = {
  clientToolNames(body: JsonObject) {
    const names = new Set<string>();
    if (Array.isArray(body.tools))
      for (const tool of body.tools) {
        const name = asString(asObject(tool)?.name);
        if (name) names.add(name);
      }
    return names;
  },
  injectTools(raw: string, body: JsonObject, tools: readonly InjectedTool[]) {
    // Background responses are polled later, outside any request the bridge could loop in.
    if (body.background === true) return null;
    const items = tools
      .map((tool) =>
        JSON.stringify({
          type: "function",
          name: tool.name,
          description: tool.definition.description,
          parameters: tool.definition.inputSchema,
          strict: false,
        }),
      )
      .join(",");
    return insertIntoArray(raw, "tools", items, "end");
  },
  createSession(options: SessionOptions): ToolLoopSession {
    const stream = new ResponsesStreamSplice(options);
    const blocking = new ResponsesBlockingMerge(options);
    let streaming = false;
    return {
      beginTurn(canContinue) {
        stream.beginTurn(canContinue);
        blocking.beginTurn(canContinue);
      },
      streamStep(event) {
        streaming = true;
        return stream.step(event);
      },
      streamEnd: () => stream.end(),
      blockingTurn: (body) => blocking.turn(body),
      blockingBody: () => blocking.body(),
      nextBody(raw, results) {
        const next = responsesNextBody(
          raw,
          options.request,
          streaming ? stream.output() : blocking.output(),
          results,
        );
        // "required" forces a tool call on every turn: after a round it becomes "auto".
        return next === null ? null : relaxToolChoice(next, (v) => (v === "required" ? '"auto"' : null));
      },
    };
  },
};
