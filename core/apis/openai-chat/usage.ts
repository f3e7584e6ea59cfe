import { asObject } from "../../json/loose.ts";

/**
 * The extra chunk `stream_options.include_usage` adds: usage set and no choices. Some upstreams
 * (Azure) also send empty-choice chunks without usage (prompt filter results): those are not it.
 */
export function isUsageOnlyChunk(chunk: Record<string, unknown>): boolean {
  return Array.isArray(chunk.choices) && chunk.choices.length === 0 && asObject(chunk.usage) !== undefined;
}
