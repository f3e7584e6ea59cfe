import {
  type Attributes,
  type Context,
  defaultTextMapSetter,
  ROOT_CONTEXT,
  type Span,
  SpanKind,
  SpanStatusCode,
  type TextMapGetter,
  type Tracer,
  trace,
} from "@opentelemetry/api";
import { W3CTraceContextPropagator } from "@opentelemetry/core";
import { type Sampler, SamplingDecision } from "@opentelemetry/sdk-trace";
import type { ProviderKind } from "../../core/config.ts";
import type {
  InterceptionObserver,
  InterceptionSummary,
  Observer,
  ToolCallEvent,
  UpstreamCallObserver,
} from "../../core/ports/observer.ts";
import type { ApiName, InterceptionStart, TokenUsage } from "../../core/ports/recorder.ts";

/**
 * The Observer as OpenTelemetry spans, following the GenAI semantic conventions: a SERVER span per
 * interception (the client's `traceparent` is its parent), a CLIENT child per upstream request and
 * an INTERNAL `execute_tool` child per injected tool call. Parents are passed explicitly: nothing
 * relies on an async context manager, which the bridge does not install on any runtime.
 *
 * Spans carry ids, names, models, statuses and counts; never prompts, keys, tool arguments or the
 * user's name (`user.id` is the stable id). Passthrough requests make no span: without the
 * client's trace context they would each start an unrelated trace (e.g. every `/v1/models` poll),
 * and the `causeway_passthrough_total` metric already counts them.
 */

export interface SpanObserverOptions {
  /** Provider kind per instance name, for `gen_ai.provider.name`; an instance not listed is named as itself. */
  readonly providerKinds?: Readonly<Record<string, ProviderKind>>;
  /**
   * Decided here, before anything else is built, when given: an interception it drops costs one
   * call and touches nothing (no ids, no attributes, no span, the client's traceparent passes
   * upstream untouched). The tracer's own sampler should then keep everything it is handed.
   */
  readonly sampler?: Sampler;
}

/** What an interception the sampler dropped reports to: nothing. */
const UNSAMPLED_CALL: UpstreamCallObserver = { traceparent: null, responded() {}, end() {} };
const UNSAMPLED: InterceptionObserver = {
  upstreamCall: () => UNSAMPLED_CALL,
  toolCall() {},
  end() {},
};

/**
 * `gen_ai.operation.name` per API. The three conversation APIs are `chat`. Compaction is a model
 * call that reads the conversation and generates (and bills) output, so `chat` too: its tokens
 * belong with the other chat usage, and `causeway.api` tells it apart. Token counting generates
 * nothing and costs nothing; no well-known value fits, so it gets the custom `count_tokens`
 * (Anthropic's name for the same operation) and stays out of `chat` dashboards.
 */
export const OPERATION_NAMES: Readonly<Record<ApiName, string>> = {
  "anthropic.messages": "chat",
  "openai.chat": "chat",
  "openai.responses": "chat",
  "openai.responses.compact": "chat",
  "openai.responses.input_tokens": "count_tokens",
};

/** Free text (error reasons) is bounded: a span is not a place for a whole upstream error body. */
const MAX_MESSAGE_LENGTH = 500;

const propagator = new W3CTraceContextPropagator();

/** A carrier that is the one `traceparent` header value the core hands over. */
const traceparentGetter: TextMapGetter<string> = {
  get: (carrier, key) => (key === "traceparent" ? carrier : undefined),
  keys: () => ["traceparent"],
};

export function spanObserver(tracer: Tracer, options: SpanObserverOptions = {}): Observer {
  const providerKinds = options.providerKinds ?? {};
  const { sampler } = options;
  return {
    interception(start, traceparent) {
      const parent = traceparent
        ? propagator.extract(ROOT_CONTEXT, traceparent, traceparentGetter)
        : ROOT_CONTEXT;
      if (sampler && !sampled(sampler, parent)) return UNSAMPLED;
      const operation = OPERATION_NAMES[start.api] ?? "chat";
      const genAi: Attributes = {
        "gen_ai.operation.name": operation,
        "gen_ai.provider.name": providerKinds[start.provider] ?? start.provider,
        "gen_ai.request.model": start.model,
      };
      const name = spanName(operation, start.model);
      const span = tracer.startSpan(
        name,
        { kind: SpanKind.SERVER, attributes: { ...genAi, ...interceptionAttributes(start) } },
        parent,
      );
      return new InterceptionSpan(tracer, span, genAi, name);
    },
    passthrough() {},
    // Counted as a metric; a span per credential check would only repeat the interception's.
    authentication() {},
  };
}

/**
 * The sampler's decision for a new interception span under `parent`. A root span's trace id is
 * drawn here for the ratio samplers to judge (the SDK then draws the span's own): the share of
 * traces kept is the ratio all the same.
 */
function sampled(sampler: Sampler, parent: Context): boolean {
  const traceId = trace.getSpanContext(parent)?.traceId ?? randomTraceId();
  return (
    sampler.shouldSample(parent, traceId, "", SpanKind.SERVER, {}, []).decision ===
    SamplingDecision.RECORD_AND_SAMPLED
  );
}

function randomTraceId(): string {
  let id = "";
  for (let i = 0; i < 4; i++) id += ((Math.random() * 0x1_0000_0000) >>> 0).toString(16).padStart(8, "0");
  return id;
}

/** GenAI span names are `{operation} {model}`, or the operation alone when the model is unknown. */
function spanName(operation: string, model: string): string {
  return model ? `${operation} ${model}` : operation;
}

function interceptionAttributes(start: InterceptionStart): Attributes {
  return {
    "http.request.method": "POST",
    "causeway.interception.id": start.id,
    "causeway.api": start.api,
    "causeway.provider": start.provider,
    "causeway.client": start.client,
    "causeway.streaming": start.streaming,
    "user.id": start.userId,
    ...(start.sessionId ? { "gen_ai.conversation.id": start.sessionId } : {}),
  };
}

class InterceptionSpan implements InterceptionObserver {
  readonly #tracer: Tracer;
  readonly #span: Span;
  /** The interception's span as the parent of its children. */
  readonly #context: Context;
  readonly #genAi: Attributes;
  readonly #name: string;
  /** Upstream calls not ended yet, closed defensively by a new attempt of their turn or by `end`. */
  readonly #open = new Set<UpstreamCallSpan>();
  #ended = false;

  constructor(tracer: Tracer, span: Span, genAi: Attributes, name: string) {
    this.#tracer = tracer;
    this.#span = span;
    this.#context = trace.setSpan(ROOT_CONTEXT, span);
    this.#genAi = genAi;
    this.#name = name;
  }

  upstreamCall(turn: number): UpstreamCallObserver {
    for (const call of this.#open) if (call.turn === turn) call.close();
    const span = this.#tracer.startSpan(
      this.#name,
      {
        kind: SpanKind.CLIENT,
        attributes: { ...this.#genAi, "causeway.turn": turn, "http.request.method": "POST" },
      },
      this.#context,
    );
    const call = new UpstreamCallSpan(span, turn, (ended) => this.#open.delete(ended));
    if (!this.#ended) this.#open.add(call);
    return call;
  }

  toolCall(event: ToolCallEvent): void {
    // Reported after it ran: the span is placed back in time by its duration.
    const endedAt = Date.now();
    const span = this.#tracer.startSpan(
      `execute_tool ${event.name}`,
      {
        kind: SpanKind.INTERNAL,
        startTime: endedAt - (event.durationMs ?? 0),
        attributes: {
          "gen_ai.operation.name": "execute_tool",
          "gen_ai.tool.name": event.name,
          "gen_ai.tool.call.id": event.callId,
          ...(event.server === null ? {} : { "causeway.mcp.server": event.server }),
          ...(event.durationMs === null ? { "causeway.tool.refused": true } : {}),
        },
      },
      this.#context,
    );
    if (event.error !== null) {
      span.setAttribute("error.type", "_OTHER");
      span.setStatus({ code: SpanStatusCode.ERROR, message: bounded(event.error) });
    }
    span.end(endedAt);
  }

  end(summary: InterceptionSummary): void {
    if (this.#ended) return;
    this.#ended = true;
    for (const call of this.#open) call.close();
    const span = this.#span;
    span.setAttributes({
      ...usageAttributes(summary.tokens),
      "http.response.status_code": summary.httpStatus,
      "causeway.status": summary.status,
      "causeway.attempts": summary.attempts,
      ...(summary.responseModel ? { "gen_ai.response.model": summary.responseModel } : {}),
      ...(summary.ttfbMs === null ? {} : { "causeway.ttfb_ms": summary.ttfbMs }),
    });
    if (summary.status !== "completed") {
      span.setAttribute("error.type", summary.status);
      span.setStatus({ code: SpanStatusCode.ERROR, message: bounded(summary.detail ?? summary.status) });
    }
    span.end();
  }
}

class UpstreamCallSpan implements UpstreamCallObserver {
  readonly traceparent: string | null;
  readonly turn: number;
  readonly #span: Span;
  readonly #onEnd: (call: UpstreamCallSpan) => void;
  #failedStatus = false;
  #ended = false;

  constructor(span: Span, turn: number, onEnd: (call: UpstreamCallSpan) => void) {
    this.#span = span;
    this.turn = turn;
    this.#onEnd = onEnd;
    // The W3C header naming this span, so the upstream's own spans (if any) nest under it.
    const carrier: Record<string, string> = {};
    propagator.inject(trace.setSpan(ROOT_CONTEXT, span), carrier, defaultTextMapSetter);
    this.traceparent = carrier.traceparent ?? null;
  }

  responded(status: number, ms: number): void {
    if (this.#ended) return;
    this.#span.setAttributes({ "http.response.status_code": status, "causeway.ttfb_ms": ms });
    // HTTP client semantics: any status >= 400 is an error of the call, its code the error type.
    if (status >= 400) {
      this.#failedStatus = true;
      this.#span.setAttribute("error.type", String(status));
      this.#span.setStatus({ code: SpanStatusCode.ERROR });
    }
  }

  end(outcome: { readonly tokens?: TokenUsage; readonly error?: string }): void {
    if (this.#ended) return;
    if (outcome.tokens) this.#span.setAttributes(usageAttributes(outcome.tokens));
    if (outcome.error !== undefined) {
      if (!this.#failedStatus) this.#span.setAttribute("error.type", "_OTHER");
      this.#span.setStatus({ code: SpanStatusCode.ERROR, message: bounded(outcome.error) });
    }
    this.close();
  }

  /** Ends the span as it stands (also used when the core moved on without ending it). */
  close(): void {
    if (this.#ended) return;
    this.#ended = true;
    this.#span.end();
    this.#onEnd(this);
  }
}

/**
 * Causeway's counts (input excludes the cache, docs/tokens.md) in the GenAI convention, where
 * `gen_ai.usage.input_tokens` includes cache reads and writes and output includes reasoning.
 */
function usageAttributes(tokens: TokenUsage): Attributes {
  return {
    "gen_ai.usage.input_tokens": tokens.input + tokens.cacheRead + tokens.cacheWrite,
    "gen_ai.usage.output_tokens": tokens.output,
    "gen_ai.usage.cache_read.input_tokens": tokens.cacheRead,
    "gen_ai.usage.cache_creation.input_tokens": tokens.cacheWrite,
    "gen_ai.usage.reasoning.output_tokens": tokens.reasoning,
  };
}

function bounded(message: string): string {
  return message.length > MAX_MESSAGE_LENGTH ? `${message.slice(0, MAX_MESSAGE_LENGTH - 1)}…` : message;
}
