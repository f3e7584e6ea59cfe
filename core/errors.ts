/**
 * The bridge's own failures, as tagged values. Each API folder renders them in its provider's
 * error shape (`errors.ts`); the status is fixed here so every API agrees on it.
 */
export type ErrorKind =
  | "invalid_request"
  | "authentication"
  | "permission"
  | "not_found"
  | "request_too_large"
  | "rate_limit"
  | "api_error"
  | "bad_gateway"
  | "unavailable"
  | "timeout"
  | "loop_detected";

const STATUS: Record<ErrorKind, number> = {
  invalid_request: 400,
  authentication: 401,
  permission: 403,
  not_found: 404,
  request_too_large: 413,
  rate_limit: 429,
  api_error: 500,
  bad_gateway: 502,
  unavailable: 503,
  timeout: 504,
  loop_detected: 508,
};

export interface GatewayError {
  readonly _tag: "GatewayError";
  readonly kind: ErrorKind;
  readonly status: number;
  /** Safe to show to the client: never holds secrets, stack traces or internal names. */
  readonly message: string;
}

export function gatewayError(kind: ErrorKind, message: string): GatewayError {
  return { _tag: "GatewayError", kind, status: STATUS[kind], message };
}

/** Renders a GatewayError as a provider-shaped JSON body. */
export type ErrorRenderer = (error: GatewayError, requestId: string) => string;
