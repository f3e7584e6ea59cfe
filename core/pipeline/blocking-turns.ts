import { gatewayError } from "../errors.ts";
import { readResponseWithLimit } from "../http/body.ts";
import { parseJsonSafe } from "../json/loose.ts";
import type { Answer } from "./answer.ts";
import { relayedHeaders } from "./respond.ts";

/** Shared: a non-streaming decode keeps no state between calls. */
const UTF8 = new TextDecoder();

/**
 * The blocking turn engine: reads each upstream answer whole within the blocking deadline, lets
 * `turns` decide whether injected calls run and another turn follows, and answers the client once
 * (the last body, or the tool loop's merged one). Upstream errors go back as the upstream sent them.
 * `first` may also be a streaming request's plain-body answer (an error, usually).
 */
export async function blockingTurns(answer: Answer, first: Response): Promise<Response> {
  const { api, trace, exchange, turns } = answer;
  const { context } = answer;
  // The client's answer carries the first response's headers, whatever the turns after it sent.
  const headers = relayedHeaders(first, context);
  let upstream = first;
  try {
    for (;;) {
      const cancelDeadline = answer.deadline();
      const readFrom = context.timing.now();
      const read = await readResponseWithLimit(upstream, context.config.limits.maxResponseBytes);
      context.timing.waitedSince(readFrom);
      cancelDeadline();
      if (!read.ok) {
        // The abort closes the upstream's socket; a timeout or the client, if first, keeps its cause.
        exchange.abort(read.reason === "too-large" ? "oversized" : "broken");
        return exchange.cause === "client" ? cancelled(answer) : answer.fail(exchange.describe());
      }
      const { bytes } = read;
      if (!upstream.ok) {
        trace.end("upstream_error", upstream.status, `upstream answered ${upstream.status}`);
        const errorHeaders = upstream === first ? headers : relayedHeaders(upstream, context);
        return new Response(bodyFor(upstream.status, bytes), {
          status: upstream.status,
          headers: errorHeaders,
        });
      }
      const json = parseJsonSafe(UTF8.decode(bytes));
      trace.apply(turns.visible(api.blockingFacts(json)));
      const end = turns.blockingEnd(json);
      if (end.run.length === 0) {
        // A 200 can still report a failure (a Responses object with status "failed").
        if (trace.error !== null) trace.end("upstream_error", upstream.status, trace.error);
        else trace.end("completed", upstream.status);
        return new Response(bodyFor(upstream.status, end.body ?? bytes), {
          status: upstream.status,
          headers,
        });
      }
      answer.toolsRunning = true;
      const results = await turns.runTools(end.run, exchange.signal);
      answer.toolsRunning = false;
      if (exchange.signal.aborted) return cancelled(answer);
      const body = turns.nextBody(results);
      if (body === null) return answer.fail(gatewayError("api_error", "Internal error."));
      const result = await answer.send(body);
      if (!result.ok) return exchange.cause === "client" ? cancelled(answer) : answer.fail(result.error);
      upstream = result.response;
    }
  } finally {
    answer.toolsRunning = false;
    answer.settle();
  }
}

/** The client went away (or shutdown came) while the loop worked between turns. */
function cancelled(answer: Answer): Response {
  if (answer.exchange.cause === "client")
    answer.trace.end("client_cancelled", 499, "client disconnected during the tool loop; usage is partial");
  return answer.fail(answer.exchange.describe());
}

/** Statuses whose responses have no body (Fetch's null body statuses): a Response with one throws. */
const NULL_BODY_STATUSES = new Set([101, 103, 204, 205, 304]);

function bodyFor(status: number, body: BodyInit): BodyInit | null {
  return NULL_BODY_STATUSES.has(status) ? null : body;
}
