/** What a request is expected to use, before it is sent: the basis of its reservation. */
export interface RequestEstimate {
  readonly inputTokens: number;
  readonly outputTokens: number;
}

/** Output reserved when the request sets no maximum (OpenAI's APIs make it optional). */
export const DEFAULT_OUTPUT_ESTIMATE = 4_096;
/** A maximum past any model's output: one absurd `max_tokens` must not hold a whole window. */
const MAX_OUTPUT_ESTIMATE = 200_000;
/** Bytes per token: JSON and tool schemas make this an overestimate of the prompt, on purpose. */
const BYTES_PER_TOKEN = 4;

/**
 * Estimates a request from its body: the prompt from its size, the output from the maximum it
 * asks for (`max_tokens` for Anthropic Messages and Chat Completions, `max_completion_tokens`,
 * `max_output_tokens` for Responses). Settlement replaces it with the real use.
 */
export function estimateRequest(bodyBytes: number, body: Record<string, unknown>): RequestEstimate {
  const asked = body.max_tokens ?? body.max_completion_tokens ?? body.max_output_tokens;
  const output =
    typeof asked === "number" && Number.isInteger(asked) && asked > 0
      ? Math.min(asked, MAX_OUTPUT_ESTIMATE)
      : DEFAULT_OUTPUT_ESTIMATE;
  return { inputTokens: Math.ceil(bodyBytes / BYTES_PER_TOKEN), outputTokens: output };
}
