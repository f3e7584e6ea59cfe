import type { ApiDefinition, RequestFacts } from "../apis/api-definition.ts";
import { InterceptionTrace } from "../audit/interception-trace.ts";
import { mayUseModel } from "../auth/model-scopes.ts";
import { type GatewayError, gatewayError } from "../errors.ts";
import { parseJsonObject } from "../http/body.ts";
import { estimateRequest } from "../policy/estimate.ts";
import type { Reservation } from "../policy/policy-gate.ts";
import type { InterceptionStart } from "../ports/recorder.ts";
import { Answer } from "./answer.ts";
import { blockingTurns } from "./blocking-turns.ts";
import { type ProxyContext, readClientBody } from "./context.ts";
import { errorResponse, isEventStream, streamHeaders } from "./respond.ts";
import { streamTurns } from "./stream-turns.ts";
import { toolTurns } from "./tool-turns.ts";
import { relayTurn, type Turns } from "./turns.ts";

/**
 * The interception pipeline for one request to an intercepted API: read and check the body,
 * record the start, choose the turns (the plain relay, or the tool loop when tools are injected),
 * send the first with the enterprise key, and hand the answer to the streaming or blocking turn
 * engine, which relay it while the audit observes it.
 */
export async function intercept(context: ProxyContext, api: ApiDefinition): Promise<Response> {
  const read = await readClientBody(context);
  if (!read.ok) return reject(context, api, read.error, null, read.headers);
  const parsed = parseJsonObject(read.bytes);
  if (!parsed.ok) return reject(context, api, parsed.error, null);
  const facts = api.inspect(parsed.json);
  if (typeof facts === "string")
    return reject(context, api, gatewayError("invalid_request", facts), parsed.json);
  if (!mayUseModel(context.principal, facts.model))
    return reject(context, api, gatewayError("permission", MODEL_NOT_IN_SCOPE(facts.model)), parsed.json);

  let reservation: Reservation | null = null;
  if (context.policies) {
    const estimate = estimateRequest(read.bytes.byteLength, parsed.json);
    const admission = await context.policies.admit(context.principal, facts.model, estimate);
    if (!admission.ok) return reject(context, api, admission.error, parsed.json, admission.headers);
    reservation = admission.reservation;
  }

  const trace = openTrace(context, api, facts.model, facts.stream, reservation);
  try {
    return await relay(context, api, trace, facts, parsed, read.bytes);
  } catch (error) {
    // Whatever broke, the interception ends (and its reservation settles) before the bridge answers 500.
    trace.end("failed", 500, "internal error");
    throw error;
  }
}

/** From the recorded start to the client's response: the tool loop or the relay, then the upstream. */
async function relay(
  context: ProxyContext,
  api: ApiDefinition,
  trace: InterceptionTrace,
  facts: RequestFacts,
  parsed: { text: string; json: Record<string, unknown> },
  bytes: Uint8Array<ArrayBuffer>,
): Promise<Response> {
  const { ports, requestId } = context;
  for (const prompt of facts.prompts) trace.prompt(prompt);
  // Only when tools are configured: without them the path below stays a plain byte relay.
  const looped =
    api.toolLoop && ports.tools
      ? await toolTurns(context, api.toolLoop, ports.tools, trace, { text: parsed.text, json: parsed.json })
      : null;
  let turns: Turns;
  let body: BodyInit;
  if (looped) {
    turns = looped.turns;
    body = looped.body;
  } else {
    const prepared = api.prepare(parsed.text, parsed.json, facts);
    turns = relayTurn(trace, prepared?.rewrite ?? null);
    body = prepared ? prepared.body : bytes;
  }

  // The model's breaker, asked last: a request admitted as its probe must reach the upstream.
  const breaker = context.upstream.breaker(facts.model);
  const admission = breaker?.admit() ?? { ok: true, probe: false };
  if (!admission.ok) {
    trace.end("rejected", 503, "circuit breaker open");
    const retryAfter = String(Math.max(1, Math.ceil(admission.retryAfterMs / 1000)));
    return errorResponse(CIRCUIT_OPEN, api.renderError, requestId, { "retry-after": retryAfter });
  }
  const answer = new Answer(context, api, trace, turns, facts.stream, { breaker, probe: admission.probe });
  const result = await answer.send(body);
  if (!result.ok) {
    answer.settle();
    return answer.fail(result.error);
  }
  const upstream = result.response;
  if (upstream.ok && isEventStream(upstream) && upstream.body) {
    answer.clearDeadline();
    const stream = streamTurns(answer, upstream.body);
    return new Response(stream, { status: upstream.status, headers: streamHeaders(upstream, context) });
  }
  return blockingTurns(answer, upstream);
}

const CIRCUIT_OPEN = gatewayError(
  "unavailable",
  "The upstream is failing for this model; the bridge is holding requests back for a moment.",
);

const MODEL_NOT_IN_SCOPE = (model: string): string =>
  `This key may not use the model ${JSON.stringify(model)}.`;

/** A request refused before it reached the upstream: still audited, as `rejected`. */
function reject(
  context: ProxyContext,
  api: ApiDefinition,
  error: GatewayError,
  body: Record<string, unknown> | null,
  headers?: HeadersInit,
): Response {
  const model = typeof body?.model === "string" ? body.model : "";
  const trace = openTrace(context, api, model, body?.stream === true);
  trace.end("rejected", error.status, error.message);
  return errorResponse(error, api.renderError, context.requestId, headers);
}

/** Records the interception's start; the returned trace owns its single terminal status. */
function openTrace(
  context: ProxyContext,
  api: ApiDefinition,
  model: string,
  streaming: boolean,
  reservation: Reservation | null = null,
): InterceptionTrace {
  const { ports, principal, request, requestId } = context;
  const { client, sessionId } = api.detectClient(request.headers);
  const start: InterceptionStart = {
    kind: "interception-start",
    id: requestId,
    userId: principal.userId,
    userName: principal.name,
    authMethod: principal.auth?.method ?? null,
    keyId: principal.auth?.keyId ?? null,
    provider: context.provider.name,
    api: api.name,
    model,
    streaming,
    client,
    sessionId,
    userAgent: request.headers.get("user-agent"),
    startedAt: ports.clock.now(),
  };
  return new InterceptionTrace(ports.recorder, ports.clock, start, {
    observer: context.observer.interception(start, request.headers.get("traceparent")),
    logger: context.logger,
    timing: context.timing,
    ...(reservation ? { settle: reservation.settle } : {}),
  });
}
