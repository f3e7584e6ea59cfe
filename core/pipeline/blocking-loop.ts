import { gatewayError } from "../errors.ts";
import { parseJsonSafe } from "../json/loose.ts";
import { runCalls } from "../tools/run-calls.ts";
import { failure, type LoopContext, recordNotRun, visibleFacts } from "./loop-context.ts";
import { relayedHeaders } from "./respond.ts";

/**
 * The blocking tool loop: read the whole upstream answer, run the injected calls it asks for,
 * call the model again, and finally answer the client with one merged message (the API's
 * session decides the shape). Upstream errors are returned as the upstream sent them.
 */
export async function blockingLoop(loop: LoopContext, first: Response, firstBody: string): Promise<Response> {
  const { context, api, trace, exchange, session } = loop;
  const { ports, config } = context;
  const headers = relayedHeaders(first, context.requestId);
  let upstream = first;
  let raw = firstBody;
  let rounds = 0;
  try {
    for (;;) {
      session.beginTurn(rounds < loop.limits.maxRounds);
      // The turn's limit counts from when it was sent: waiting for the headers used part of it.
      const remaining = config.limits.blockingTimeoutMs - (ports.clock.now() - loop.sentAt);
      const cancelTimer = ports.clock.setTimer(Math.max(0, remaining), () =>
        exchange.abort("blocking-timeout"),
      );
      let bytes: ArrayBuffer;
      try {
        bytes = await upstream.arrayBuffer();
      } catch {
        return failure(loop, exchange.describe());
      } finally {
        cancelTimer();
      }
      if (!upstream.ok) {
        trace.end("upstream_error", upstream.status, `upstream answered ${upstream.status}`);
        return new Response(bytes, {
          status: upstream.status,
          headers: relayedHeaders(upstream, context.requestId),
        });
      }
      const json = parseJsonSafe(new TextDecoder().decode(bytes));
      trace.apply(visibleFacts(api.blockingFacts(json), loop.injected));
      const outcome = session.blockingTurn(json);
      recordNotRun(loop, outcome);
      if (outcome.run.length === 0) {
        const merged = session.blockingBody();
        trace.end("completed", upstream.status);
        return new Response(merged ?? bytes, { status: upstream.status, headers });
      }
      loop.toolsRunning = true;
      const results = await runCalls(loop.runner, outcome.run, exchange.signal);
      loop.toolsRunning = false;
      if (exchange.signal.aborted) return cancelled(loop);
      rounds++;
      trace.endTurn();
      const next = session.nextBody(raw, results);
      if (next === null) return failure(loop, gatewayError("api_error", "Internal error."));
      raw = next;
      const result = await loop.send(raw);
      if (!result.ok) return exchange.cause === "client" ? cancelled(loop) : failure(loop, result.error);
      upstream = result.response;
    }
  } finally {
    loop.toolsRunning = false;
    loop.settle();
  }
}

function cancelled(loop: LoopContext): Response {
  if (loop.exchange.cause === "client") {
    loop.trace.end("client_cancelled", 499, "client disconnected during the tool loop; usage is partial");
  }
  return failure(loop, loop.exchange.describe());
}
