import type { ToolResult, ToolResultContent } from "../ports/tool-provider.ts";

const encoder = new TextEncoder();

/**
 * Caps a tool result at `maxBytes` (text as UTF-8, images by their base64 size) before it goes
 * back to the model (MCP-12). Text is cut with a note; images that do not fit are replaced by a
 * placeholder, so the model always learns that something was left out.
 */
export function capResult(result: ToolResult, maxBytes: number): ToolResult {
  let budget = maxBytes;
  let cut = false;
  const content: ToolResultContent[] = [];
  for (const item of result.content) {
    const size =
      item.type === "text"
        ? encoder.encode(item.text).length
        : item.type === "image"
          ? item.data.length
          : item.description.length;
    if (size <= budget) {
      content.push(item);
      budget -= size;
      continue;
    }
    cut = true;
    if (item.type === "text" && budget > 0)
      content.push({ type: "text", text: truncateUtf8(item.text, budget) });
    else if (item.type === "image")
      content.push({ type: "other", description: `image (${item.mimeType}) left out: over the size limit` });
    budget = 0;
  }
  if (!cut) return result;
  content.push({ type: "text", text: `[Causeway: the tool result was truncated at ${maxBytes} bytes]` });
  return { content, isError: result.isError };
}

function truncateUtf8(text: string, maxBytes: number): string {
  const bytes = encoder.encode(text);
  if (bytes.length <= maxBytes) return text;
  // fatal: false drops a multi-byte sequence cut in half instead of throwing.
  return new TextDecoder().decode(bytes.slice(0, maxBytes)).replace(/\uFFFD$/, "");
}

/** A tool failure as the model sees it: an error result with a plain explanation. */
export function errorResult(message: string): ToolResult {
  return { content: [{ type: "text", text: message }], isError: true };
}

/** Text of a placeholder for content the API cannot carry. */
export function placeholderText(item: ToolResultContent): string {
  if (item.type === "text") return item.text;
  if (item.type === "image") return `[image (${item.mimeType}) not shown: unsupported here]`;
  return `[${item.description}]`;
}
