import type { JsonObject } from "../../http/body.ts";
import { asObject, asString, type Loose } from "../../json/loose.ts";
import { insertIntoArray } from "../../json/raw-insert.ts";
import { findMember, objectMembers, setMember } from "../../json/raw-json.ts";
import type { ToolCall, ToolCallResult } from "../../tools/contract.ts";
import { placeholderText } from "../../tools/results.ts";

/** The injected function_call items of one turn's output, and how many client calls it made. */
export function splitCalls(
  output: readonly unknown[],
  injected: ReadonlySet<string>,
): { calls: ToolCall[]; clientCalls: number } {
  const calls: ToolCall[] = [];
  let clientCalls = 0;
  for (const raw of output) {
    const item = asObject(raw);
    if (!item || !isCallItem(item)) continue;
    const name = asString(item.name) ?? "";
    if (item.type === "function_call" && injected.has(name)) {
      calls.push({ id: asString(item.call_id) ?? "", name, args: asString(item.arguments) || "{}" });
    } else clientCalls++;
  }
  return { calls, clientCalls };
}

/** Output item types the client must execute (hosted tools run at OpenAI). */
function isCallItem(item: Loose): boolean {
  return [
    "function_call",
    "custom_tool_call",
    "local_shell_call",
    "shell_call",
    "apply_patch_call",
    "computer_call",
  ].includes(String(item.type));
}

/**
 * A Response object echoes the request's `tools`, injected ones included: the client gets it
 * without them (it never declared them, and their definitions are the enterprise's). Undefined
 * when there is nothing to remove, so unchanged events keep their bytes.
 */
export function withoutInjectedTools(response: Loose, injected: ReadonlySet<string>): Loose | undefined {
  if (!Array.isArray(response.tools)) return undefined;
  const tools = response.tools.filter((tool) => !isInjectedTool(tool, injected));
  return tools.length === response.tools.length ? undefined : { ...response, tools };
}

function isInjectedTool(tool: unknown, injected: ReadonlySet<string>): boolean {
  const o = asObject(tool);
  return o?.type === "function" && injected.has(asString(o.name) ?? "");
}

export function isInjectedItem(item: unknown, injected: ReadonlySet<string>): boolean {
  const o = asObject(item);
  return o?.type === "function_call" && injected.has(asString(o.name) ?? "");
}

/**
 * The next turn's body: the turn's output items and one `function_call_output` per result appended
 * to `input` (a string input becomes a user message first). With `store: false` nothing can be
 * looked up by id: reasoning items travel only with their `encrypted_content`, other items without ids.
 */
export function responsesNextBody(
  raw: string,
  request: JsonObject,
  output: readonly unknown[],
  results: readonly ToolCallResult[],
): string | null {
  const stored = request.store !== false;
  const items: Loose[] = [];
  for (const value of output) {
    const item = asObject(value);
    if (!item) continue;
    if (stored) items.push(item);
    else if (item.type === "reasoning") {
      if (typeof item.encrypted_content === "string") items.push(item);
    } else {
      const { id: _id, ...rest } = item;
      items.push(rest);
    }
  }
  for (const r of results) {
    const text = r.content.map(placeholderText).join("\n");
    items.push({
      type: "function_call_output",
      call_id: r.call.id,
      output: r.isError ? `Error: ${text}` : text || "(the tool returned no content)",
    });
  }
  const json = items.map((item) => JSON.stringify(item)).join(",");
  const root = objectMembers(raw, 0);
  const input = root ? findMember(root, "input") : undefined;
  if (input && raw[input.valueStart] === '"') {
    const message = JSON.stringify({
      role: "user",
      content: JSON.parse(raw.slice(input.valueStart, input.valueEnd)),
    });
    return setMember(raw, 0, "input", `[${message},${json}]`);
  }
  return insertIntoArray(raw, "input", json, "end");
}

/** The round cap's explanation as an assistant message item. */
export function noteItem(text: string): Loose {
  return {
    id: "msg_causeway_round_cap",
    type: "message",
    status: "completed",
    role: "assistant",
    content: [{ type: "output_text", text, annotations: [] }],
  };
}
