import type { JsonObject } from "../../http/body.ts";
import { asNumber, asObject, asString } from "../../json/loose.ts";
import { insertIntoArray, relaxToolChoice } from "../../json/raw-insert.ts";
import type { InjectedTool } from "../../tools/catalog.ts";
import type { SessionOptions, ToolLoopSession, ToolLoopSupport } from "../../tools/contract.ts";
import { composeSession, declaredToolNames, requiredToAuto } from "../../tools/session.ts";
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
  clientToolNames: (body: JsonObject) =>
    declaredToolNames(body.tools, (tool) => asString(asObject(asObject(tool)?.function)?.name)),
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
    return composeSession(
      new ChatStreamSplice(options),
      new ChatBlockingMerge(options),
      (raw, turn, results) => {
        const next = insertIntoArray(
          raw,
          "messages",
          chatContinuation(turn.text, turn.calls, results),
          "end",
        );
        return next === null ? null : relaxToolChoice(next, requiredToAuto);
      },
    );
  },
};
