import type { ApiDefinition } from "../apis/api-definition.ts";
import type { InterceptionTrace } from "../audit/interception-trace.ts";
import type { JsonObject } from "../http/body.ts";
import { DEFAULT_TOOL_LOOP_LIMITS, type ToolDefinition, type ToolProvider } from "../ports/tool-provider.ts";
import { buildCatalog } from "../tools/catalog.ts";
import type { ToolLoopSupport } from "../tools/contract.ts";
import { blockingLoop } from "./blocking-loop.ts";
import { type ProxyContext, upstreamPost } from "./context.ts";
import { Exchange } from "./exchange.ts";
import { failure, type LoopContext } from "./loop-context.ts";
import { isEventStream, streamHeaders } from "./respond.ts";
import { streamLoop } from "./stream-loop.ts";

export interface ParsedRequest {
  readonly text: string;
  readonly json: JsonObject;
  readonly stream: boolean;
}

/**
 * The interception pipeline when tools are injected. Returns null when the provider offers no
 * tools to this principal: the caller then takes the ordinary path (byte relay), untouched.
 */
export async function interceptWithTools(
  context: ProxyContext,
  api: ApiDefinition,
  support: ToolLoopSupport,
  provider: ToolProvider,
  trace: InterceptionTrace,
  request: ParsedRequest,
): Promise<Response | null> {
  let definitions: readonly ToolDefinition[];
  try {
    definitions = await provider.listTools(context.principal);
  } catch (error) {
    context.logger.warn("tool listing failed; forwarding without injected tools", {
      requestId: context.requestId,
      error: String(error),
    });
    return null;
  }
  if (definitions.length === 0) return null;
  const catalog = buildCatalog(definitions, support.clientToolNames(request.json));
  const body =
    catalog.tools.length === 0 ? null : support.injectTools(request.text, request.json, catalog.tools);
  if (body === null) return null;

  const { ports, config } = context;
  const limits = { ...DEFAULT_TOOL_LOOP_LIMITS, ...provider.limits };
  const injected = new Set(catalog.byName.keys());
  // While tools run, a disconnect is recorded by the loop itself once they have stopped.
  const exchange = Exchange.open(context.request, context.track, () => {
    if (!loop.toolsRunning) trace.end("client_cancelled", 499, "client disconnected; usage is partial");
  });
  const loop: LoopContext = {
    context,
    api,
    trace,
    exchange,
    limits,
    injected,
    session: support.createSession({
      request: request.json,
      injected,
      stopNote: `[Causeway stopped the answer here: the model asked for more than ${limits.maxRounds} rounds of tool calls.]`,
    }),
    runner: { provider, principal: context.principal, catalog, trace, clock: ports.clock, limits },
    toolsRunning: false,
    sentAt: 0,
    send(text) {
      loop.sentAt = ports.clock.now();
      const upstreamRequest = upstreamPost(context, text, exchange.signal);
      const timeout = request.stream ? config.limits.firstByteTimeoutMs : config.limits.blockingTimeoutMs;
      return exchange.call(
        ports.upstream,
        upstreamRequest,
        ports.clock,
        timeout,
        request.stream ? "first-byte-timeout" : "blocking-timeout",
      );
    },
    settle: () => exchange.close(),
  };

  const first = await loop.send(body);
  if (!first.ok) {
    loop.settle();
    return failure(loop, first.error);
  }
  const upstream = first.response;
  if (request.stream && upstream.ok && isEventStream(upstream) && upstream.body) {
    const headers = streamHeaders(upstream, context.requestId);
    return new Response(streamLoop(loop, upstream.body, body), { status: upstream.status, headers });
  }
  return blockingLoop(loop, upstream, body);
}
