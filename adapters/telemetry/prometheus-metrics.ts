import type {
  AuthEvent,
  InterceptionObserver,
  InterceptionSummary,
  Observer,
  PassthroughEvent,
  ToolCallEvent,
  UpstreamCallObserver,
} from "../../core/ports/observer.ts";
import type { InterceptionStart, TokenUsage } from "../../core/ports/recorder.ts";
import { Registry } from "./exposition.ts";
import { truncateLabel } from "./label-cap.ts";
import {
  type CausewayMetrics,
  defineMetrics,
  type LabelCaps,
  labelCaps,
  type MetricSources,
} from "./metric-definitions.ts";

export type { BreakerState, MetricSources } from "./metric-definitions.ts";

export interface PrometheusMetricsOptions {
  /** Distinct values kept per caller-supplied label (model, client, tool, server, route); default 100. */
  readonly modelCap?: number;
}

/** The `type` label of `causeway_tokens_total` for each field of TokenUsage. */
const TOKEN_TYPES: readonly (readonly [keyof TokenUsage, string])[] = [
  ["input", "input"],
  ["output", "output"],
  ["cacheRead", "cache_read"],
  ["cacheWrite", "cache_write"],
  ["reasoning", "reasoning"],
];

/**
 * The Observer as Prometheus metrics (ARCHITECTURE.md §3 "Observability"). Each instance owns its
 * registry, so several bridges (or tests) in one process do not
 * add into each other's series. Labels never carry anything from the principal (user, key).
 */
export class PrometheusMetrics implements Observer {
  readonly registry: Registry = new Registry();
  readonly #caps: LabelCaps;
  readonly #metrics: CausewayMetrics;
  #sources: MetricSources | null = null;

  constructor(options: PrometheusMetricsOptions = {}) {
    this.#caps = labelCaps(options.modelCap ?? 100);
    this.#metrics = defineMetrics(this.registry, this.#caps, () => this.#sources);
  }

  /** Where the gauges read the audit queue and breakers; until then they read 0 and no breakers. */
  watch(sources: MetricSources): void {
    this.#sources = sources;
  }

  /** The scrape answer for `GET /metrics`. */
  async render(): Promise<Response> {
    const text = await this.registry.metrics();
    return new Response(text, { status: 200, headers: { "content-type": this.registry.contentType } });
  }

  /** The client's trace context is for the tracing adapter; metrics carry no trace ids. */
  interception(start: InterceptionStart, _traceparent: string | null): InterceptionObserver {
    return new InterceptionMetrics(this.#metrics, this.#caps, start);
  }

  authentication(event: AuthEvent): void {
    this.#metrics.authentication.inc({ method: event.method ?? "none", outcome: event.outcome });
  }

  passthrough(event: PassthroughEvent): void {
    this.#metrics.passthrough.inc({
      provider: truncateLabel(event.provider),
      route: this.#caps.route.value(event.route),
      status: String(event.status),
    });
  }
}

interface Route {
  readonly provider: string;
  readonly api: string;
}

/**
 * One interception's series. The model label is the model requested (`start.model`), the one the
 * client chose and policies apply to. It takes a place under the label cap only once the upstream
 * vouched for it (it answered, named the model, or failed on its own side with a 5xx): otherwise
 * a caller could fill the cap with made-up names the provider refuses, and real models that come
 * later would all be `other`. Unvouched names already kept keep their label.
 */
class InterceptionMetrics implements InterceptionObserver {
  readonly #metrics: CausewayMetrics;
  readonly #caps: LabelCaps;
  readonly #route: Route;
  readonly #requestedModel: string;
  readonly #client: string;
  /** Inflight goes down once, whatever the core calls. */
  #ended = false;

  constructor(metrics: CausewayMetrics, caps: LabelCaps, start: InterceptionStart) {
    this.#metrics = metrics;
    this.#caps = caps;
    this.#route = { provider: truncateLabel(start.provider), api: start.api };
    this.#requestedModel = start.model;
    this.#client = caps.client.value(start.client);
    metrics.inflight.inc(this.#route);
  }

  upstreamCall(_turn: number): UpstreamCallObserver {
    return new UpstreamCallMetrics(this.#metrics, this.#route);
  }

  toolCall(call: ToolCallEvent): void {
    const server = this.#caps.server.value(call.server);
    const tool = this.#caps.tool.value(call.name);
    this.#metrics.toolCalls.inc({ server, tool, status: call.error === null ? "ok" : "error" });
    const seconds = call.durationMs === null ? null : toSeconds(call.durationMs);
    if (seconds !== null) this.#metrics.toolCallDuration.observe({ server, tool }, seconds);
  }

  end(summary: InterceptionSummary): void {
    if (this.#ended) return;
    this.#ended = true;
    const { provider, api } = this.#route;
    const metrics = this.#metrics;
    const vouched =
      summary.responseModel !== null || summary.status === "completed" || summary.httpStatus >= 500;
    const model = vouched
      ? this.#caps.model.value(this.#requestedModel)
      : this.#caps.model.known(this.#requestedModel);
    metrics.inflight.dec({ provider, api });
    metrics.interceptions.inc({
      provider,
      api,
      model,
      client: this.#client,
      status: summary.status,
    });
    const seconds = toSeconds(summary.durationMs);
    if (seconds !== null) {
      metrics.interceptionDuration.observe({ provider, api, status: summary.status }, seconds);
    }
    for (const [field, type] of TOKEN_TYPES) {
      const count = summary.tokens[field];
      // A negative or non-numeric count means nothing: dropped, never thrown into the request path.
      if (Number.isFinite(count) && count > 0) {
        metrics.tokens.inc({ provider, model, type }, count);
      }
    }
  }
}

/** One upstream request: counted exactly once, by its status if it got headers, else as `error`. */
class UpstreamCallMetrics implements UpstreamCallObserver {
  /** Metrics do not trace: the client's own traceparent, if any, passes through. */
  readonly traceparent = null;
  readonly #metrics: CausewayMetrics;
  readonly #route: Route;
  #counted = false;

  constructor(metrics: CausewayMetrics, route: Route) {
    this.#metrics = metrics;
    this.#route = route;
  }

  responded(status: number, ms: number): void {
    if (this.#counted) return;
    this.#counted = true;
    this.#metrics.upstreamRequests.inc({ ...this.#route, status: String(status) });
    const seconds = toSeconds(ms);
    if (seconds !== null) this.#metrics.upstreamTtfb.observe(this.#route, seconds);
  }

  end(_outcome: { readonly tokens?: TokenUsage; readonly error?: string }): void {
    // No headers came: the request failed before any answer (connect error, timeout, cancel).
    if (this.#counted) return;
    this.#counted = true;
    this.#metrics.upstreamRequests.inc({ ...this.#route, status: "error" });
  }
}

/** Milliseconds as seconds; null for values that mean nothing (NaN, infinite, negative). */
function toSeconds(ms: number): number | null {
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : null;
}
