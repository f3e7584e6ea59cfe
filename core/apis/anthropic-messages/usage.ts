import { asNumber, asObject } from "../../json/loose.ts";
import type { TokenUsage } from "../../ports/recorder.ts";

/**
 * Anthropic usage already matches Causeway's convention: `input_tokens` excludes cache reads and
 * writes. Only the counts present are returned, so later events refine earlier ones.
 */
export function anthropicUsage(value: unknown): Partial<TokenUsage> | undefined {
  const usage = asObject(value);
  if (!usage) return undefined;
  const tokens: Partial<TokenUsage> = {};
  const input = asNumber(usage.input_tokens);
  const output = asNumber(usage.output_tokens);
  const cacheRead = asNumber(usage.cache_read_input_tokens);
  const cacheWrite = asNumber(usage.cache_creation_input_tokens);
  if (input !== undefined) tokens.input = input;
  if (output !== undefined) tokens.output = output;
  if (cacheRead !== undefined) tokens.cacheRead = cacheRead;
  if (cacheWrite !== undefined) tokens.cacheWrite = cacheWrite;
  return tokens;
}
