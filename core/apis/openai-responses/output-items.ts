import type { ResponseFact } from "../../audit/response-fact.ts";
import { argsText, asObject, asString } from "../../json/loose.ts";

/**
 * Output item types the client executes itself, and where their arguments live. Hosted tools
 * (web_search_call, file_search_call, mcp_call, code_interpreter_call...) run at OpenAI and are
 * not client tool calls.
 */
const CLIENT_CALLS: Record<string, string> = {
  function_call: "arguments",
  custom_tool_call: "input",
  local_shell_call: "action",
  shell_call: "action",
  apply_patch_call: "operation",
  computer_call: "action",
};

/** Audit facts of one finished output item: client tool calls and reasoning summaries. */
export function itemFacts(value: unknown): ResponseFact[] {
  const item = asObject(value);
  const type = asString(item?.type);
  if (!item || !type) return [];
  if (type === "reasoning") {
    const text = reasoningText(item);
    return text ? [{ kind: "thought", text }] : [];
  }
  const field = CLIENT_CALLS[type];
  if (!field) return [];
  const callId = asString(item.call_id) ?? asString(item.id) ?? "";
  const name = type === "function_call" || type === "custom_tool_call" ? (asString(item.name) ?? "") : type;
  return [{ kind: "tool-call", name, callId, args: argsOf(type, item[field]) }];
}

/** A key identifying an item across `output_item.done` and the final response (for dedup). */
export function itemKey(value: unknown): string | undefined {
  const item = asObject(value);
  return asString(item?.id) ?? asString(item?.call_id);
}

/** Function arguments are JSON text already; a custom tool's free-form input is kept as a JSON string. */
function argsOf(type: string, value: unknown): string {
  if (type === "function_call") return argsText(asString(value));
  if (type === "custom_tool_call") return JSON.stringify(asString(value) ?? "");
  return value === undefined ? "{}" : JSON.stringify(value);
}

/** Summary parts joined (one thought per reasoning item); raw reasoning text when no summary. */
function reasoningText(item: Record<string, unknown>): string {
  const texts = (parts: unknown, type: string): string[] =>
    (Array.isArray(parts) ? parts : [])
      .map((p) => asObject(p))
      .filter((p) => p?.type === type && typeof p.text === "string" && p.text !== "")
      .map((p) => p!.text as string);
  const summary = texts(item.summary, "summary_text");
  return (summary.length > 0 ? summary : texts(item.content, "reasoning_text")).join("\n\n");
}
