import type { JsonObject } from "../../http/body.ts";
import type { InjectedTool } from "../../tools/catalog.ts";
import type { SessionOptions, ToolLoopSession, ToolLoopSupport } from "../../tools/contract.ts";
import { insertIntoArray, relaxToolChoice } from "../../tools/raw-insert.ts";
import { asObject, asString } from "../json.ts";
import { BlockingMerge } from "./tool-loop-blocking.ts";
import { StreamSplice } from "./tool-loop-stream.ts";
import { continuationMessages } from "./tool-loop-turn.ts";

/**
 * Tool loop support for the Messages API. Injected tools are PREPENDED to `tools`: a client's
 * cache breakpoints sit on its own tools (or later), and a stable prefix keeps them valid.
 */
export const anthropicToolLoop: ToolLoopSupport = {
  clientToolNames(body: JsonObject) {
    const names = new Set<string>();
    if (Array.isArray(body.tools))
      for (const tool of body.tools) {
        const name = asString(asObject(tool)?.name);
        if (name) names.add(name);
      }
    return names;
  },
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
    const stream = new StreamSplice(options);
    const blocking = new BlockingMerge(options);
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
        const assistant = streaming ? stream.assistantContent() : blocking.assistantContent();
        const next = insertIntoArray(raw, "messages", continuationMessages(assistant, results), "end");
        // `any` forces a tool call on every turn: after a round it becomes `auto` (keeping options).
        return next === null ? null : relaxToolChoice(next, anyToAuto);
      },
    };
  },
};

/** `{"type":"any", ...options}` becomes `{"type":"auto", ...options}` (disable_parallel_tool_use stays). */
function anyToAuto(value: unknown): string | null {
  const choice = asObject(value);
  return choice?.type === "any" ? JSON.stringify({ ...choice, type: "auto" }) : null;
}
