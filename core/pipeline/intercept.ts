import type { ApiDefinition } from "../apis/api-definition.ts";
import { InterceptionTrace } from "../audit/interception-trace.ts";
import { type GatewayError, gatewayError } from "../errors.ts";
import { parseJsonObject, readBodyWithLimit } from "../http/body.ts";
import { parseJsonSafe } from "../json/loose.ts";
import { type ProxyContext, upstreamPost } from "./context.ts";
import { Exchange } from "./exchange.ts";
import { interceptWithTools } from "./intercept-with-tools.ts";
import { errorResponse, exchangeFailure, isEventStream, relayedHeaders, streamHeaders } from "./respond.ts";
import { relayStream } from "./stream-relay.ts";

/**
 * The interception pipeline for one request to an intercepted API: read and check the body,
 * record the start, forward with the enterprise key, then relay (streaming) or return
 * (blocking) the upstream's answer while the audit observes it.
 */
export async function intercept(context: ProxyContext, api: ApiDefinition): Promise<Response> {
  const { request, ports, config, requestId } = context;
  const read = await readBodyWithLimit(request, config.limits.maxBodyBytes);
  if (!read.ok) return reject(context, api, read.error, null);
  const parsed = parseJsonObject(read.bytes);
  if (!parsed.ok) return reject(context, api, parsed.error, null);
  const facts = api.inspect(parsed.json);
  if (typeof facts === "string")
    return reject(context, api, gatewayError("invalid_request", facts), parsed.json);

  const trace = openTrace(context, api, facts.model, facts.stream);
  for (const prompt of facts.prompts) trace.prompt(prompt);
  // Only when tools are configured: without them the path below stays a plain byte relay.
  if (api.toolLoop && ports.tools) {
    const request = { text: parsed.text, json: parsed.json, stream: facts.stream };
    const looped = await interceptWithTools(context, api, api.toolLoop, ports.tools, trace, request);
    if (looped) return looped;
  }

  const prepared = api.prepare(parsed.text, parsed.json, facts);
  const exchange = Exchange.open(request, context.track, () =>
    trace.end("client_cancelled", 499, "client disconnected; usage is partial"),
  );
  const settle = (): void => exchange.close();

  const upstreamRequest = upstreamPost(context, prepared ? prepared.body : read.bytes, exchange.signal);
  // Blocking: one deadline for the whole response. Streaming: a first-byte timeout, then the relay's.
  const calledAt = ports.clock.now();
  const cancelDeadline = facts.stream
    ? null
    : ports.clock.setTimer(config.limits.blockingTimeoutMs, () => exchange.abort("blocking-timeout"));
  const firstByte = facts.stream ? config.limits.firstByteTimeoutMs : null;
  const result = await exchange.call(
    ports.upstream,
    upstreamRequest,
    ports.clock,
    firstByte,
    "first-byte-timeout",
  );
  if (!result.ok) {
    cancelDeadline?.();
    settle();
    return exchangeFailure(trace, result.error, api.renderError, requestId);
  }
  const upstream = result.response;
  if (upstream.ok && isEventStream(upstream) && upstream.body) {
    cancelDeadline?.();
    const body = relayStream({
      body: upstream.body,
      api,
      trace,
      exchange,
      clock: ports.clock,
      limits: config.limits,
      rewrite: prepared?.rewrite ?? null,
      onSettled: settle,
    });
    return new Response(body, { status: upstream.status, headers: streamHeaders(upstream, requestId) });
  }
  return blocking(
    context,
    api,
    trace,
    exchange,
    upstream,
    relayedHeaders(upstream, requestId),
    settle,
    cancelDeadline ?? deadlineFrom(context, exchange, calledAt),
  );
}

/** Shared: a non-streaming decode keeps no state between calls. */
const UTF8 = new TextDecoder();

async function blocking(
  context: ProxyContext,
  api: ApiDefinition,
  trace: InterceptionTrace,
  exchange: Exchange,
  upstream: Response,
  headers: Headers,
  settle: () => void,
  cancelDeadline: () => void,
): Promise<Response> {
  let bytes: ArrayBuffer;
  try {
    bytes = await upstream.arrayBuffer();
  } catch {
    return exchangeFailure(trace, exchange.describe(), api.renderError, context.requestId);
  } finally {
    cancelDeadline();
    settle();
  }
  if (upstream.ok) {
    trace.apply(api.blockingFacts(parseJsonSafe(UTF8.decode(bytes))));
    // A 200 can still report a failure (a Responses object with status "failed").
    if (trace.error !== null) trace.end("upstream_error", upstream.status, trace.error);
    else trace.end("completed", upstream.status);
  } else {
    trace.end("upstream_error", upstream.status, `upstream answered ${upstream.status}`);
  }
  return new Response(bytes, { status: upstream.status, headers });
}

/**
 * A streaming request answered with a plain body (an error, usually): read it within what is left
 * of the blocking limit, counted from the call (the wait for the headers counts too).
 */
function deadlineFrom(context: ProxyContext, exchange: Exchange, calledAt: number): () => void {
  const { ports, config } = context;
  const remaining = Math.max(0, config.limits.blockingTimeoutMs - (ports.clock.now() - calledAt));
  return ports.clock.setTimer(remaining, () => exchange.abort("blocking-timeout"));
}

/** A request refused before it reached the upstream: still audited, as `rejected`. */
function reject(
  context: ProxyContext,
  api: ApiDefinition,
  error: GatewayError,
  body: Record<string, unknown> | null,
): Response {
  const model = typeof body?.model === "string" ? body.model : "";
  const trace = openTrace(context, api, model, body?.stream === true);
  trace.end("rejected", error.status, error.message);
  return errorResponse(error, api.renderError, context.requestId);
}

/** Records the interception's start; the returned trace owns its single terminal status. */
function openTrace(
  context: ProxyContext,
  api: ApiDefinition,
  model: string,
  streaming: boolean,
): InterceptionTrace {
  const { ports, principal, request, requestId } = context;
  const { client, sessionId } = api.detectClient(request.headers);
  return new InterceptionTrace(ports.recorder, ports.clock, {
    kind: "interception-start",
    id: requestId,
    userId: principal.userId,
    userName: principal.name,
    provider: context.provider.name,
    api: api.name,
    model,
    streaming,
    client,
    sessionId,
    userAgent: request.headers.get("user-agent"),
    startedAt: ports.clock.now(),
  });
}
