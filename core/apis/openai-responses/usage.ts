import { asObject } from "../../json/loose.ts";
import type { TokenUsage } from "../../ports/recorder.ts";
import { openaiUsage } from "../openai-shared/usage.ts";

/**
 * Usage of a Response object (`input_tokens` incl. `input_tokens_details.cached_tokens`,
 * `output_tokens` incl. `output_tokens_details.reasoning_tokens`), in Causeway's convention.
 * Absent until the response is done (`usage: null` on created/in-progress snapshots).
 */
export function responseUsage(response: unknown): Partial<TokenUsage> | undefined {
  return openaiUsage(asObject(response)?.usage);
}
