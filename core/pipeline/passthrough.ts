import { type ProxyContext, readClientBody, upstreamHeaders, upstreamUrl } from "./context.ts";
import { Exchange } from "./exchange.ts";
import { idleGuardedBody } from "./idle-guarded-body.ts";
import { errorResponse, relayedHeaders } from "./respond.ts";

/**
 * Read routes (`/v1/models`, count_tokens, stored responses): authenticated, an enterprise key of
 * the pool injected, response streamed back with credentials and cookies filtered out. Not
 * audited, not retried; counted for metrics under `route`, the path's template, once it ends.
 */
export async function passthrough(context: ProxyContext, route: string): Promise<Response> {
  const { request, ports, config, requestId, profile, timing } = context;
  const observed = (status: number): void =>
    context.observer.passthrough({
      provider: context.provider.name,
      route,
      method: request.method,
      status,
      durationMs: timing.elapsed(),
    });
  const refuse = (response: Response): Response => {
    observed(response.status);
    return response;
  };
  let body: Uint8Array<ArrayBuffer> | undefined;
  if (request.method !== "GET" && request.method !== "HEAD") {
    const read = await readClientBody(context);
    if (!read.ok) return refuse(errorResponse(read.error, profile.renderError, requestId, read.headers));
    body = read.bytes;
  }
  const exchange = Exchange.open(request, context.track);
  const { keys } = context.upstream;
  const { key, index } = keys.pick();
  const upstreamRequest = new Request(upstreamUrl(context), {
    method: request.method,
    headers: upstreamHeaders(context, key),
    signal: exchange.signal,
    ...(body ? { body } : {}),
  });
  const sentAt = timing.now();
  const result = await exchange.call(
    ports.upstream,
    upstreamRequest,
    ports.clock,
    config.limits.blockingTimeoutMs,
    "blocking-timeout",
  );
  timing.waitedSince(sentAt);
  if (!result.ok) {
    exchange.close();
    return refuse(errorResponse(result.error, profile.renderError, requestId));
  }
  const upstream = result.response;
  const settle = (): void => {
    exchange.close();
    observed(upstream.status);
  };
  // Not retried here, but a key the upstream refused is set aside for every route.
  keys.observe(index, upstream);
  const headers = relayedHeaders(upstream, context);
  if (!upstream.body) {
    settle();
    return new Response(null, { status: upstream.status, headers });
  }
  const guarded = idleGuardedBody(
    upstream.body,
    exchange,
    ports.clock,
    config.limits.streamIdleTimeoutMs,
    settle,
  );
  return new Response(guarded, { status: upstream.status, headers });
}
