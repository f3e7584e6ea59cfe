import type { BridgeConfig, BridgePorts, ProviderConfig } from "../config.ts";
import { type BodyResult, readBodyWithLimit } from "../http/body.ts";
import { forwardRequestHeaders, HOP_COUNT_HEADER } from "../http/headers.ts";
import type { ResponseHeaderPolicy } from "../http/response-headers.ts";
import type { RequestTiming } from "../http/server-timing.ts";
import type { PolicyGate } from "../policy/policy-gate.ts";
import type { Principal } from "../ports/auth.ts";
import type { Logger } from "../ports/logger.ts";
import type { Observer } from "../ports/observer.ts";
import type { ProviderProfile } from "../providers/provider-profile.ts";
import type { UpstreamState } from "../resilience/upstream-state.ts";

/** Everything one proxied request needs, resolved once by the bridge. */
export interface ProxyContext {
  readonly config: BridgeConfig;
  readonly ports: BridgePorts;
  readonly logger: Logger;
  /** Metrics and traces (`NO_OBSERVER` when none are configured). */
  readonly observer: Observer;
  readonly requestId: string;
  /** Where the request's time goes, for Server-Timing; upstream waits are added as they end. */
  readonly timing: RequestTiming;
  readonly request: Request;
  /** The request URL's query (`?…`, or "") as forwarded: the allowed parameters, as sent. */
  readonly search: string;
  /** The instance's filter for upstream response headers. */
  readonly responseHeaders: ResponseHeaderPolicy;
  readonly provider: ProviderConfig;
  /** The instance's key pool and breakers, shared by every request of this bridge. */
  readonly upstream: UpstreamState;
  readonly profile: ProviderProfile;
  /** The path after the provider prefix, e.g. `/v1/messages`. */
  readonly path: string;
  readonly principal: Principal;
  /** `policies` (model access, limits); null when none are configured. */
  readonly policies: PolicyGate | null;
  readonly hops: number;
  /** Registers work that shutdown must end; returns the function that unregisters it. */
  track(abort: () => void): () => void;
}

/** The client's request body, within the body size limit and the body idle bound. */
export function readClientBody(context: ProxyContext): Promise<BodyResult> {
  const { limits } = context.config;
  return readBodyWithLimit(context.request, limits.maxBodyBytes, {
    clock: context.ports.clock,
    ms: limits.bodyIdleTimeoutMs,
  });
}

export function upstreamUrl(context: ProxyContext): string {
  const base = context.provider.baseUrl;
  // The regex only when there is a trailing slash to strip (almost never, on the hot path).
  return (base.endsWith("/") ? base.replace(/\/+$/, "") : base) + context.path + context.search;
}

/**
 * Client headers minus credentials and hop-by-hop ones, plus an enterprise key and the hop count.
 * `traceparent`: the bridge's own span for this call, sent instead of the client's when tracing.
 */
export function upstreamHeaders(
  context: ProxyContext,
  key: string,
  traceparent: string | null = null,
): Headers {
  const headers = forwardRequestHeaders(context.request.headers);
  context.profile.applyKey(headers, key);
  headers.set(HOP_COUNT_HEADER, String(context.hops + 1));
  if (traceparent !== null) headers.set("traceparent", traceparent);
  return headers;
}

/** The upstream request of an intercepted call: same path and query, the given body and key. */
export function upstreamPost(
  context: ProxyContext,
  body: BodyInit,
  signal: AbortSignal,
  key: string,
  traceparent: string | null = null,
): Request {
  return new Request(upstreamUrl(context), {
    method: "POST",
    headers: upstreamHeaders(context, key, traceparent),
    body,
    signal,
  });
}
