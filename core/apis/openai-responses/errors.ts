import { asObject } from "../../json/loose.ts";
import { encodeSse } from "../../sse/encoder.ts";
import { openaiErrorDetail } from "../openai-shared/error-detail.ts";

/**
 * The in-band error for a Responses stream that broke after it started: the documented `error`
 * stream event (`{type, code, message, param}`), with its `event:` line as OpenAI sends it.
 */
export function responsesStreamError(message: string): string {
  return encodeSse({
    event: "error",
    data: JSON.stringify({ type: "error", code: "server_error", message, param: null }),
  });
}

/** `response.failed` (and a failed blocking response) carries the reason in `response.error`. */
export function failure(response: Record<string, unknown> | undefined): string {
  const error = asObject(response?.error);
  return error ? openaiErrorDetail(error) : "response failed";
}
