import type { InterceptionTrace } from "../audit/interception-trace.ts";
import type { ErrorRenderer, GatewayError } from "../errors.ts";
import { REQUEST_ID_HEADER } from "../http/headers.ts";
import type { ResponseHeaderPolicy } from "../http/response-headers.ts";

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

/** What relaying an upstream response's headers needs to know about the request. */
export interface RelayTarget {
  readonly requestId: string;
  readonly responseHeaders: ResponseHeaderPolicy;
}

/** The upstream's response headers as the client may see them, plus the request id. */
export function relayedHeaders(upstream: Response, target: RelayTarget): Headers {
  const headers = target.responseHeaders.filter(upstream.headers);
  headers.set(REQUEST_ID_HEADER, target.requestId);
  return headers;
}

/** Headers for a relayed SSE stream: never cached, never buffered by an intermediary. */
export function streamHeaders(upstream: Response, target: RelayTarget): Headers {
  const headers = relayedHeaders(upstream, target);
  headers.set("cache-control", "no-cache");
  headers.set("x-accel-buffering", "no");
  return headers;
}

export function isEventStream(response: Response): boolean {
  return (response.headers.get("content-type") ?? "").includes("text/event-stream");
}

/** Ends the trace for a failed upstream exchange (if still open) and renders the error. */
export function exchangeFailure(
  trace: InterceptionTrace,
  error: GatewayError,
  render: ErrorRenderer,
  requestId: string,
): Response {
  if (!trace.ended) {
    const status =
      error.kind === "timeout" ? "timeout" : error.kind === "unavailable" ? "failed" : "upstream_error";
    trace.end(status, error.status, error.message);
  }
  return errorResponse(error, render, requestId);
}
