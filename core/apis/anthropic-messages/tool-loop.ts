import type { JsonObject } from "../../http/body.ts";
import { asObject, asString } from "../../json/loose.ts";
import { insertIntoArray, relaxToolChoice } from "../../json/raw-insert.ts";
import type { InjectedTool } from "../../tools/catalog.ts";
import type { SessionOptions, ToolLoopSession, ToolLoopSupport } from "../../tools/contract.ts";
import { composeSession, declaredToolNames } from "../../tools/session.ts";
import { BlockingMerge } from "./tool-loop-blocking.ts";
import { StreamSplice } from "./tool-loop-stream.ts";
import { continuationMessages } from "./tool-loop-turn.ts";

/**
 * Tool loop support for the Messages API. Injected tools are PREPENDED to `tools`: a client's
 * cache breakpoints sit on its own tools (or later), and a stable prefix keeps them valid.
 */
export const anthropicToolLoop: ToolLoopSupport = {
  clientToolNames: (body: JsonObject) =>
    declaredToolNames(body.tools, (tool) => asString(asObject(tool)?.name)),
  injectTools(raw: string, _body: JsonObject, tools: readonly InjectedTool[]) {
    const injected = tools
      .map((tool) =>
        JSON.stringify({
          name: tool.name,
          description: tool.definition.description,
          input_schema: tool.definition.inputSchema,
        }),
      )
      .join(",");
    return insertIntoArray(raw, "tools", injected, "start");
  },
  createSession(options: SessionOptions): ToolLoopSession {
    return composeSession(
      new StreamSplice(options),
      new BlockingMerge(options),
      (raw, assistant, results) => {
        const next = insertIntoArray(raw, "messages", continuationMessages(assistant, results), "end");
        // `any` forces a tool call on every turn: after a round it becomes `auto` (keeping options).
        return next === null ? null : relaxToolChoice(next, anyToAuto);
      },
    );
  },
};

/** `{"type":"any", ...options}` becomes `{"type":"auto", ...options}` (disable_parallel_tool_use stays). */
function anyToAuto(value: unknown): string | null {
  const choice = asObject(value);
  return choice?.type === "any" ? JSON.stringify({ ...choice, type: "auto" }) : null;
}
