import type { ToolResult, ToolResultContent } from "../../core/ports/tool-provider.ts";

interface McpContent {
  readonly type: string;
  readonly text?: unknown;
  readonly data?: unknown;
  readonly mimeType?: unknown;
  readonly uri?: unknown;
  readonly name?: unknown;
  readonly resource?: { readonly uri?: unknown; readonly text?: unknown; readonly mimeType?: unknown };
}

/**
 * An MCP CallToolResult as the core's ToolResult: text stays text, images stay images (the API
 * decides whether it can carry them), embedded text resources become text, and everything else
 * (audio, binary resources, links) becomes a plain placeholder naming what was left out.
 */
export function mapToolResult(result: {
  content?: unknown;
  structuredContent?: unknown;
  isError?: unknown;
}): ToolResult {
  const items = Array.isArray(result.content) ? (result.content as McpContent[]) : [];
  const content: ToolResultContent[] = items.map(mapContent);
  if (content.length === 0 && result.structuredContent !== undefined) {
    content.push({ type: "text", text: JSON.stringify(result.structuredContent) });
  }
  return { content, isError: result.isError === true };
}

function mapContent(item: McpContent): ToolResultContent {
  switch (item.type) {
    case "text":
      return { type: "text", text: String(item.text ?? "") };
    case "image":
      if (typeof item.data === "string" && typeof item.mimeType === "string")
        return { type: "image", data: item.data, mimeType: item.mimeType };
      return { type: "other", description: "image without data" };
    case "audio":
      return {
        type: "other",
        description: `audio content (${String(item.mimeType ?? "unknown type")}) not shown`,
      };
    case "resource": {
      const resource = item.resource ?? {};
      if (typeof resource.text === "string")
        return { type: "text", text: `[resource ${String(resource.uri ?? "")}]\n${resource.text}` };
      return {
        type: "other",
        description: `binary resource ${String(resource.uri ?? "")} (${String(resource.mimeType ?? "unknown type")}) not shown`,
      };
    }
    case "resource_link":
      return {
        type: "other",
        description: `resource link: ${String(item.name ?? "")} ${String(item.uri ?? "")}`.trim(),
      };
    default:
      return { type: "other", description: `${String(item.type)} content not shown` };
  }
}
