import type { Observer } from "../../core/ports/observer.ts";
import type { InterceptionStart, TokenUsage } from "../../core/ports/recorder.ts";

/**
 * One interception as the core would report it, shared by the tests on Node and the script run on
 * Bun and Deno: the client sent a traceparent; the first upstream attempt got a 529 and was retried;
 * the second answered; one injected tool call ran; the interception completed.
 */

/** The client's own span (W3C's example ids). */
export const INCOMING = { traceId: "4bf92f3577b34da6a3ce929d0e0e4736", spanId: "00f067aa0ba902b7" };
export const INCOMING_TRACEPARENT = `00-${INCOMING.traceId}-${INCOMING.spanId}-01`;

export const START: InterceptionStart = {
  kind: "interception-start",
  id: "int_01J7TRACE",
  userId: "usr_42",
  userName: "alice-the-user",
  authMethod: "keys",
  keyId: "key_7",
  provider: "anthropic",
  api: "anthropic.messages",
  model: "claude-sonnet-4-5",
  streaming: true,
  client: "claude-code",
  sessionId: "sess-9d2c",
  userAgent: "claude-cli/2.1",
  startedAt: Date.now(),
};

export const SECOND_TURN_TOKENS: TokenUsage = {
  input: 100,
  output: 40,
  cacheRead: 1000,
  cacheWrite: 20,
  reasoning: 8,
};
export const RETRY_ERROR = "upstream answered 529 (overloaded)";
export const TOOL_MS = 35;

/** Drives `observer` through the scenario; returns the traceparents handed out for the two attempts. */
export function driveInterception(observer: Observer): { traceparents: (string | null)[] } {
  const interception = observer.interception(START, INCOMING_TRACEPARENT);
  const first = interception.upstreamCall(0);
  first.responded(529, 120);
  first.end({ error: RETRY_ERROR });
  const second = interception.upstreamCall(0);
  second.responded(200, 80);
  second.end({ tokens: SECOND_TURN_TOKENS });
  interception.toolCall({
    server: "docs",
    name: "search",
    callId: "toolu_01",
    error: null,
    durationMs: TOOL_MS,
  });
  interception.end({
    status: "completed",
    httpStatus: 200,
    detail: null,
    durationMs: 900,
    ttfbMs: 200,
    tokens: SECOND_TURN_TOKENS,
    attempts: 2,
    responseModel: "claude-sonnet-4-5-20250929",
  });
  return { traceparents: [first.traceparent, second.traceparent] };
}
