import { expect } from "vitest";
import { OTLP_KIND, OTLP_STATUS, type ReceivedSpan } from "../helpers/otlp-receiver.ts";
import { INCOMING, RETRY_ERROR, START, TOOL_MS } from "./interception-scenario.ts";

/**
 * What the collector must hold after interception-scenario.ts ran: four spans of the client's
 * trace, in the right kinds, names, parentage and attributes, with the traceparents handed out
 * for the upstream attempts naming the two CLIENT spans.
 */
export function expectScenarioSpans(
  spans: readonly ReceivedSpan[],
  traceparents: readonly (string | null)[],
) {
  expect(spans).toHaveLength(4);
  const server = only(spans, OTLP_KIND.SERVER);
  const clients = spans.filter((s) => s.kind === OTLP_KIND.CLIENT);
  const tool = only(spans, OTLP_KIND.INTERNAL);

  // The interception continues the client's trace.
  expect(server.name).toBe("chat claude-sonnet-4-5");
  expect(server.traceId).toBe(INCOMING.traceId);
  expect(server.parentSpanId).toBe(INCOMING.spanId);
  expect(server.status.code).toBe(OTLP_STATUS.UNSET);
  expect(server.attributes).toEqual({
    "gen_ai.operation.name": "chat",
    "gen_ai.provider.name": "anthropic",
    "gen_ai.request.model": "claude-sonnet-4-5",
    "gen_ai.response.model": "claude-sonnet-4-5-20250929",
    "gen_ai.conversation.id": "sess-9d2c",
    // GenAI input includes the cache: 100 + 1000 read + 20 written.
    "gen_ai.usage.input_tokens": 1120,
    "gen_ai.usage.output_tokens": 40,
    "gen_ai.usage.cache_read.input_tokens": 1000,
    "gen_ai.usage.cache_creation.input_tokens": 20,
    "gen_ai.usage.reasoning.output_tokens": 8,
    "http.request.method": "POST",
    "http.response.status_code": 200,
    "user.id": "usr_42",
    "causeway.interception.id": START.id,
    "causeway.api": "anthropic.messages",
    "causeway.provider": "anthropic",
    "causeway.client": "claude-code",
    "causeway.streaming": true,
    "causeway.status": "completed",
    "causeway.attempts": 2,
    "causeway.ttfb_ms": 200,
  });
  expect(server.resource["service.name"]).toBe("causeway");

  // Both attempts are children of the interception, in its trace, named like it.
  expect(clients).toHaveLength(2);
  for (const client of clients) {
    expect(client.traceId).toBe(INCOMING.traceId);
    expect(client.parentSpanId).toBe(server.spanId);
    expect(client.name).toBe("chat claude-sonnet-4-5");
    expect(client.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.request.model": "claude-sonnet-4-5",
      "causeway.turn": 0,
      "http.request.method": "POST",
    });
  }
  const retried = clients.find((c) => c.attributes["http.response.status_code"] === 529)!;
  const answered = clients.find((c) => c.attributes["http.response.status_code"] === 200)!;
  expect(retried.status).toEqual({ code: OTLP_STATUS.ERROR, message: RETRY_ERROR });
  expect(retried.attributes["error.type"]).toBe("529");
  expect(retried.attributes["gen_ai.usage.input_tokens"]).toBeUndefined();
  expect(answered.status.code).toBe(OTLP_STATUS.UNSET);
  expect(answered.attributes).toMatchObject({
    "gen_ai.usage.input_tokens": 1120,
    "gen_ai.usage.output_tokens": 40,
    "gen_ai.usage.cache_read.input_tokens": 1000,
    "gen_ai.usage.cache_creation.input_tokens": 20,
  });
  expect(answered.attributes["error.type"]).toBeUndefined();

  // The header sent upstream for each attempt names that attempt's span, sampled.
  expect(traceparents).toEqual([
    `00-${INCOMING.traceId}-${retried.spanId}-01`,
    `00-${INCOMING.traceId}-${answered.spanId}-01`,
  ]);

  // The tool call is a child too, placed back in time by its duration.
  expect(tool.name).toBe("execute_tool search");
  expect(tool.traceId).toBe(INCOMING.traceId);
  expect(tool.parentSpanId).toBe(server.spanId);
  expect(tool.status.code).toBe(OTLP_STATUS.UNSET);
  expect(tool.attributes).toEqual({
    "gen_ai.operation.name": "execute_tool",
    "gen_ai.tool.name": "search",
    "gen_ai.tool.call.id": "toolu_01",
    "causeway.mcp.server": "docs",
  });
  expect(tool.durationMs).toBe(TOOL_MS);
}

function only(spans: readonly ReceivedSpan[], kind: number): ReceivedSpan {
  const matching = spans.filter((s) => s.kind === kind);
  expect(matching).toHaveLength(1);
  return matching[0]!;
}
