import type { ErrorKind, GatewayError } from "../../errors.ts";
import { encodeSse } from "../../sse/encoder.ts";

/** Anthropic's documented error types (https://docs.anthropic.com/en/api/errors). */
const TYPE: Record<ErrorKind, string> = {
  invalid_request: "invalid_request_error",
  authentication: "authentication_error",
  permission: "permission_error",
  not_found: "not_found_error",
  request_too_large: "request_too_large",
  rate_limit: "rate_limit_error",
  api_error: "api_error",
  bad_gateway: "api_error",
  unavailable: "overloaded_error",
  timeout: "timeout_error",
  loop_detected: "api_error",
};

export function renderAnthropicError(error: GatewayError, requestId: string): string {
  return JSON.stringify({
    type: "error",
    error: { type: TYPE[error.kind], message: error.message },
    request_id: requestId,
  });
}

/** The `event: error` Anthropic itself sends when a stream fails after it started. */
export function anthropicStreamError(message: string): string {
  return encodeSse({
    event: "error",
    data: JSON.stringify({ type: "error", error: { type: "api_error", message } }),
  });
}
