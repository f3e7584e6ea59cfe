import type { ToolCall, ToolCallResult } from "../../tools/contract.ts";
import { placeholderText } from "../../tools/results.ts";

/** Text parts from different turns are joined with a blank line, in streams and blocking bodies. */
export const TURN_SEPARATOR = "\n\n";

/**
 * The messages appended for the next Chat turn: the assistant message with its tool calls, then
 * one `tool` message per result. Chat tool messages carry text only, so images become placeholders.
 */
export function chatContinuation(
  text: string,
  calls: readonly ToolCall[],
  results: readonly ToolCallResult[],
): string {
  const assistant = {
    role: "assistant",
    content: text === "" ? null : text,
    tool_calls: calls.map((call) => ({
      id: call.id,
      type: "function",
      function: { name: call.name, arguments: call.args },
    })),
  };
  const tools = results.map((r) => {
    const content = r.content.map(placeholderText).join("\n");
    return {
      role: "tool",
      tool_call_id: r.call.id,
      content: r.isError ? `Error: ${content}` : content || "(the tool returned no content)",
    };
  });
  return [assistant, ...tools].map((message) => JSON.stringify(message)).join(",");
}
