import type { JsonObject } from "../../http/body.ts";
import { asObject, asString } from "../../json/loose.ts";
import { insertIntoArray, relaxToolChoice } from "../../json/raw-insert.ts";
import type { InjectedTool } from "../../tools/catalog.ts";
import type { SessionOptions, ToolLoopSession, ToolLoopSupport } from "../../tools/contract.ts";
import { composeSession, declaredToolNames, requiredToAuto } from "../../tools/session.ts";
import { ResponsesBlockingMerge } from "./tool-loop-blocking.ts";
import { responsesNextBody } from "./tool-loop-items.ts";
import { ResponsesStreamSplice } from "./tool-loop-stream.ts";

/**
 * Tool loop support for the Responses API. Injected tools are APPENDED to `tools` as function
 * tools; each next turn appends the previous output and the function_call_output items to
 * `input` (see tool-loop-items.ts for `store: false`).
 */
export const openaiResponsesToolLoop: ToolLoopSupport = {
  clientToolNames: (body: JsonObject) =>
    declaredToolNames(body.tools, (tool) => asString(asObject(tool)?.name)),
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
    return composeSession(stream, blocking, (raw, output, results) => {
      const next = responsesNextBody(raw, options.request, output, results);
      return next === null ? null : relaxToolChoice(next, requiredToAuto);
    });
  },
};
