import type { ErrorKind, GatewayError } from "../../errors.ts";

/** OpenAI's error body: `{"error": {"message", "type", "param", "code"}}`. */
const TYPE_AND_CODE: Record<ErrorKind, readonly [string, string | null]> = {
  invalid_request: ["invalid_request_error", null],
  authentication: ["invalid_request_error", "invalid_api_key"],
  permission: ["invalid_request_error", "model_not_allowed"],
  not_found: ["invalid_request_error", "not_found"],
  request_too_large: ["invalid_request_error", "request_too_large"],
  rate_limit: ["rate_limit_error", "rate_limit_exceeded"],
  api_error: ["server_error", null],
  bad_gateway: ["server_error", "bad_gateway"],
  unavailable: ["server_error", "service_unavailable"],
  timeout: ["server_error", "timeout"],
  loop_detected: ["server_error", "loop_detected"],
};

export function renderOpenAIError(error: GatewayError, _requestId: string): string {
  const [type, code] = TYPE_AND_CODE[error.kind];
  return JSON.stringify({ error: { message: error.message, type, param: null, code } });
}
