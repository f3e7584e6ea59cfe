import { Counter, Gauge, Histogram, type Registry } from "./exposition.ts";
import { LabelCap, truncateLabel } from "./label-cap.ts";

/** What the Prometheus gauges read at scrape time: the app's live state, not events. */
export interface MetricSources {
  auditQueueDepth(): number;
  auditSpoolBytes(): number;
  breakerStates(): { provider: string; model: string; state: BreakerState }[];
}

export type BreakerState = "closed" | "half-open" | "open";

/** The contract's encoding of a breaker's state as a number (higher is worse). */
export const BREAKER_STATE_VALUE: Readonly<Record<BreakerState, number>> = {
  closed: 0,
  "half-open": 1,
  open: 2,
};

/*
 * Buckets, in seconds. Prometheus' defaults stop at 10 s, which is where LLM calls start to get
 * interesting, so each histogram follows the bridge's own limits (docs/configuration.md).
 */

/**
 * A whole interception: from a token count in ~100 ms to streams that may run as long as the
 * upstream keeps sending (300 s of silence is allowed between chunks) and tool loops of several
 * turns. Past 10 s the steps roughly double, up to an hour.
 */
export const INTERCEPTION_BUCKETS = [
  0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60, 120, 300, 600, 1200, 1800, 3600,
];

/**
 * Time to an upstream's response headers: tens of ms for a cached or tiny answer, seconds for a
 * loaded provider, up to the 60 s streaming first-byte timeout. Blocking calls only get headers once
 * the whole answer is written (600 s timeout), hence the tail past a minute.
 */
export const TTFB_BUCKETS = [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60, 120, 300, 600];

/** An injected MCP tool call: ms for a lookup, up to the 60 s per-call timeout and the 300 s hard cap. */
export const TOOL_CALL_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300];

/**
 * The bounded vocabularies of the labels that callers (or configuration) fill in. The same model
 * cap serves every metric with a model label, so a model folded into `other` is folded everywhere.
 */
export interface LabelCaps {
  readonly model: LabelCap;
  readonly client: LabelCap;
  readonly server: LabelCap;
  readonly tool: LabelCap;
  readonly route: LabelCap;
}

export function labelCaps(limit: number): LabelCaps {
  return {
    model: new LabelCap(limit),
    client: new LabelCap(limit),
    server: new LabelCap(limit),
    tool: new LabelCap(limit),
    route: new LabelCap(limit),
  };
}

/** Registers every Causeway metric on `registry`; the gauges ask `sources()` when scraped. */
export function defineMetrics(registry: Registry, caps: LabelCaps, sources: () => MetricSources | null) {
  const registers = [registry];
  /** A source that throws reads as NaN: the scrape still works and the gap shows. */
  const read = (pick: (s: MetricSources) => number): number => {
    const current = sources();
    if (current === null) return 0;
    try {
      return pick(current);
    } catch {
      return Number.NaN;
    }
  };

  return {
    interceptions: new Counter({
      name: "causeway_interceptions_total",
      help: "Intercepted requests that ended, by terminal status.",
      labelNames: ["provider", "api", "model", "client", "status"] as const,
      registers,
    }),
    inflight: new Gauge({
      name: "causeway_interceptions_inflight",
      help: "Intercepted requests admitted and not yet ended.",
      labelNames: ["provider", "api"] as const,
      registers,
    }),
    interceptionDuration: new Histogram({
      name: "causeway_interception_duration_seconds",
      help: "From an intercepted request's arrival to its terminal status.",
      labelNames: ["provider", "api", "status"] as const,
      buckets: INTERCEPTION_BUCKETS,
      registers,
    }),
    upstreamTtfb: new Histogram({
      name: "causeway_upstream_ttfb_seconds",
      help: "From sending an upstream request to its response headers, per attempt.",
      labelNames: ["provider", "api"] as const,
      buckets: TTFB_BUCKETS,
      registers,
    }),
    upstreamRequests: new Counter({
      name: "causeway_upstream_requests_total",
      help: "Requests sent upstream (retries and tool-loop turns each count), by HTTP status or error.",
      labelNames: ["provider", "api", "status"] as const,
      registers,
    }),
    tokens: new Counter({
      name: "causeway_tokens_total",
      help: "Tokens of intercepted requests by type (input excludes cache; docs/tokens.md).",
      labelNames: ["provider", "model", "type"] as const,
      registers,
    }),
    toolCalls: new Counter({
      name: "causeway_injected_tool_calls_total",
      help: "Injected MCP tool calls that ended (refused ones included), by outcome.",
      labelNames: ["server", "tool", "status"] as const,
      registers,
    }),
    toolCallDuration: new Histogram({
      name: "causeway_injected_tool_call_duration_seconds",
      help: "How long injected MCP tool calls ran.",
      labelNames: ["server", "tool"] as const,
      buckets: TOOL_CALL_BUCKETS,
      registers,
    }),
    passthrough: new Counter({
      name: "causeway_passthrough_total",
      help: "Passthrough requests that ended, by route template and status.",
      labelNames: ["provider", "route", "status"] as const,
      registers,
    }),
    authentication: new Counter({
      name: "causeway_auth_total",
      help: "Credential checks by the method that accepted them (none otherwise) and outcome: accepted, refused (401) or unavailable (503).",
      labelNames: ["method", "outcome"] as const,
      registers,
    }),
    auditQueueDepth: new Gauge({
      name: "causeway_audit_queue_depth",
      help: "Audit entries recorded and not yet stored.",
      registers,
      collect() {
        this.set(read((s) => s.auditQueueDepth()));
      },
    }),
    auditSpoolBytes: new Gauge({
      name: "causeway_audit_spool_bytes",
      help: "Size of the audit spool file kept while the store is unavailable.",
      registers,
      collect() {
        this.set(read((s) => s.auditSpoolBytes()));
      },
    }),
    breakerState: new Gauge({
      name: "causeway_circuit_breaker_state",
      help: "Upstream circuit breaker per provider and model: 0 closed, 1 half-open, 2 open.",
      labelNames: ["provider", "model"] as const,
      registers,
      collect() {
        // Rebuilt on every scrape, so a breaker that is gone leaves no stale series.
        this.reset();
        for (const { provider, model, value } of breakerSeries(caps.model, sources)) {
          this.set({ provider, model }, value);
        }
      },
    }),
  };
}

export type CausewayMetrics = ReturnType<typeof defineMetrics>;

/**
 * One value per provider × model label; models folded into `other` show the worst of their states.
 * Failing sources give no series rather than a failed scrape.
 */
function breakerSeries(
  modelCap: LabelCap,
  sources: () => MetricSources | null,
): { provider: string; model: string; value: number }[] {
  let states: ReturnType<MetricSources["breakerStates"]>;
  try {
    states = sources()?.breakerStates() ?? [];
  } catch {
    return [];
  }
  const series = new Map<string, { provider: string; model: string; value: number }>();
  for (const breaker of states) {
    const value = BREAKER_STATE_VALUE[breaker.state];
    if (value === undefined) continue;
    const provider = truncateLabel(breaker.provider);
    // A breaker exists once a request was sent; its model earns a label only as interceptions do.
    const model = modelCap.known(breaker.model);
    const key = JSON.stringify([provider, model]);
    const seen = series.get(key);
    if (seen === undefined || seen.value < value) series.set(key, { provider, model, value });
  }
  return [...series.values()];
}
