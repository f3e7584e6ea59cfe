import { asNumber, asObject } from "../../json/loose.ts";
import type { TokenUsage } from "../../ports/recorder.ts";

/**
 * OpenAI usage in Causeway's convention (docs/tokens.md). OpenAI's prompt/input count includes
 * the cached tokens, so `input` is the uncached part and `cacheRead` the cached one; output
 * includes reasoning, which is also reported alone. Works for both field families:
 * Chat (`prompt_tokens`, `completion_tokens`, `*_tokens_details`) and Responses (`input_tokens`,
 * `output_tokens`, `*_tokens_details`). Only counts present are returned.
 */
export function openaiUsage(value: unknown): Partial<TokenUsage> | undefined {
  const usage = asObject(value);
  if (!usage) return undefined;
  const prompt = asNumber(usage.prompt_tokens) ?? asNumber(usage.input_tokens);
  const output = asNumber(usage.completion_tokens) ?? asNumber(usage.output_tokens);
  const promptDetails = asObject(usage.prompt_tokens_details) ?? asObject(usage.input_tokens_details);
  const outputDetails = asObject(usage.completion_tokens_details) ?? asObject(usage.output_tokens_details);
  const cached = asNumber(promptDetails?.cached_tokens);
  const reasoning = asNumber(outputDetails?.reasoning_tokens);
  const tokens: Partial<TokenUsage> = {};
  if (prompt !== undefined) {
    // A cached count larger than the prompt would be an upstream bug: never report negative input.
    tokens.input = Math.max(0, prompt - (cached ?? 0));
    tokens.cacheRead = Math.min(prompt, cached ?? 0);
  }
  if (output !== undefined) tokens.output = output;
  if (reasoning !== undefined) tokens.reasoning = reasoning;
  return Object.keys(tokens).length > 0 ? tokens : undefined;
}
