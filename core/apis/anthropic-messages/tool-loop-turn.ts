import { asNumber, asObject, type Loose } from "../../json/loose.ts";
import type { ToolResultContent } from "../../ports/tool-provider.ts";
import type { ToolCallResult } from "../../tools/contract.ts";
import { placeholderText } from "../../tools/results.ts";

/** The four Anthropic usage counts the bridge sums across the turns of a tool loop. */
const USAGE_KEYS = [
  "input_tokens",
  "cache_creation_input_tokens",
  "cache_read_input_tokens",
  "output_tokens",
] as const;
export type UsageCounts = Record<(typeof USAGE_KEYS)[number], number>;

export const zeroUsage = (): UsageCounts => ({
  input_tokens: 0,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
  output_tokens: 0,
});

/** Later usage objects replace the counts they carry (Anthropic reports running totals per turn). */
export function mergeUsage(into: UsageCounts, value: unknown): void {
  const usage = asObject(value);
  if (!usage) return;
  for (const key of USAGE_KEYS) {
    const n = asNumber(usage[key]);
    if (n !== undefined) into[key] = n;
  }
}

const IMAGE_TYPES = new Set(["image/jpeg", "image/png", "image/gif", "image/webp"]);

/** MCP content as Anthropic tool_result content: text, base64 images, placeholders for the rest. */
function resultContent(content: readonly ToolResultContent[]): Loose[] {
  const out: Loose[] = [];
  for (const item of content) {
    if (item.type === "image" && IMAGE_TYPES.has(item.mimeType)) {
      out.push({ type: "image", source: { type: "base64", media_type: item.mimeType, data: item.data } });
    } else {
      const text = placeholderText(item);
      if (text !== "") out.push({ type: "text", text });
    }
  }
  return out.length > 0 ? out : [{ type: "text", text: "(the tool returned no content)" }];
}

/** The two messages appended for the next turn: the assistant's turn and the tool results. */
export function continuationMessages(
  assistant: readonly Loose[],
  results: readonly ToolCallResult[],
): string {
  // Empty text blocks are refused by the API when sent back.
  const content = assistant.filter((block) => !(block.type === "text" && block.text === ""));
  const toolResults = results.map((r) => ({
    type: "tool_result",
    tool_use_id: r.call.id,
    content: resultContent(r.content),
    ...(r.isError ? { is_error: true } : {}),
  }));
  return `${JSON.stringify({ role: "assistant", content })},${JSON.stringify({ role: "user", content: toolResults })}`;
}
