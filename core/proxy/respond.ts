import type { ErrorRenderer, GatewayError } from "../errors.ts";
import { REQUEST_ID_HEADER } from "../http/headers.ts";

/** A provider-shaped JSON error response; carries the request id, never internals. */
export function errorResponse(
  error: GatewayError,
  render: ErrorRenderer,
  requestId: string,
  extra?: HeadersInit,
): Response {
  const headers = new Headers(extra);
  headers.set("content-type", "application/json");
  headers.set(REQUEST_ID_HEADER, requestId);
  if (error.kind === "unavailable" && !headers.has("retry-after")) headers.set("retry-after", "5");
  return new Response(render(error, requestId), { status: error.status, headers });
}
