import type { TokenUsage } from "../ports/recorder.ts";

/**
 * What the audit learns from a response: emitted by each API's stream observer and blocking
 * parser, applied by InterceptionTrace. It lives with the audit (not the APIs) so the audit never
 * depends on the API folders that feed it.
 */
export type ResponseFact =
  /**
   * Replaces the named counts of the current turn (providers report cumulative numbers). `model`:
   * the model the upstream says answered, when the object carrying the usage names it.
   */
  | { readonly kind: "usage"; readonly tokens: Partial<TokenUsage>; readonly model?: string }
  | { readonly kind: "tool-call"; readonly name: string; readonly callId: string; readonly args: string }
  | { readonly kind: "thought"; readonly text: string }
  /** The provider reported an error inside a 200 response (mid-stream error event). */
  | { readonly kind: "error"; readonly detail: string }
  /** The provider's own end-of-response marker arrived (message_stop, [DONE], response.completed). */
  | { readonly kind: "completed" };

/** A usage fact, naming the answering model when the object that carried the usage did. */
export function usageFact(tokens: Partial<TokenUsage>, model: unknown): ResponseFact {
  return typeof model === "string" && model !== ""
    ? { kind: "usage", tokens, model }
    : { kind: "usage", tokens };
}
