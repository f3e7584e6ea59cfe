import type { JsonObject } from "../../http/body.ts";
import type { InjectedTool } from "../../tools/catalog.ts";
import type { SessionOptions, ToolLoopSession, ToolLoopSupport } from "../../tools/contract.ts";
import { insertIntoArray, relaxToolChoice } from "../../tools/raw-insert.ts";
import { asNumber, asObject, asString } from "../json.ts";
import { withIncludeUsage } from "./include-usage.ts";
import { ChatBlockingMerge } from "./tool-loop-blocking.ts";
import { chatContinuation } from "./tool-loop-shared.ts";
import { ChatStreamSplice } from "./tool-loop-stream.ts";

/**
 * Tool loop support for Chat Completions. Injected tools are APPENDED to `tools` (OpenAI caches
 * by prefix; the client's own tools keep their place). Streaming requests always ask upstream
 * for usage, so loop totals add up; the client sees a usage chunk only if it asked for one.
 * Requests with `n` > 1 are not given tools (the loop follows one choice).
 */
export const openaiChatToolLoop: ToolLoopSupport = {
  clientToolNames(body: JsonObject) {
    const names = new Set<string>();
    if (Array.isArray(body.tools))
      for (const tool of body.tools) {
        const name = asString(asObject(asObject(tool)?.function)?.name);
        if (name) names.add(name);
      }
    return names;
  },
  injectTools(raw: string, body: JsonObject, tools: readonly InjectedTool[]) {
    if ((asNumber(body.n) ?? 1) > 1) return null;
    const items = tools
      .map((tool) =>
        JSON.stringify({
          type: "function",
          function: {
            name: tool.name,
            description: tool.definition.description,
            parameters: tool.definition.inputSchema,
          },
        }),
      )
      .join(",");
    const injected = insertIntoArray(raw, "tools", items, "end");
    if (injected === null || body.stream !== true) return injected;
    return withIncludeUsage(injected, body);
  },
  createSession(options: SessionOptions): ToolLoopSession {
    const stream = new ChatStreamSplice(options);
    const blocking = new ChatBlockingMerge(options);
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
        const { text, calls } = streaming ? stream.turn() : blocking.lastTurn();
        const next = insertIntoArray(raw, "messages", chatContinuation(text, calls, results), "end");
        // "required" forces a tool call on every turn: after a round it becomes "auto".
        return next === null ? null : relaxToolChoice(next, (v) => (v === "required" ? '"auto"' : null));
      },
    };
  },
};
