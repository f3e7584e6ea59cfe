import { describe, expect, it } from "vitest";
import {
  INTERCEPTION_BUCKETS,
  TOOL_CALL_BUCKETS,
  TTFB_BUCKETS,
} from "../../adapters/telemetry/metric-definitions.ts";
import { type MetricSources, PrometheusMetrics } from "../../adapters/telemetry/prometheus-metrics.ts";
import type { InterceptionSummary } from "../../core/ports/observer.ts";
import type { ApiName, InterceptionStart, TokenUsage } from "../../core/ports/recorder.ts";
import { parseMetrics, value } from "../helpers/prometheus-text.ts";

const NO_TOKENS: TokenUsage = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };

/** A start whose principal fields are distinctive, so a leak into labels would show. */
function start(provider: string, api: ApiName, model: string, client = "claude-code"): InterceptionStart {
  return {
    kind: "interception-start",
    id: `icp_${Math.random().toString(36).slice(2)}`,
    userId: "usr_leak_id",
    userName: "alice-leak-name",
    authMethod: "keys",
    keyId: "key_leak_id",
    provider,
    api,
    model,
    streaming: true,
    client,
    sessionId: "session-leak",
    userAgent: "agent-leak/1.0",
    startedAt: 0,
  };
}

function summary(fields: Partial<InterceptionSummary> = {}): InterceptionSummary {
  return {
    status: "completed",
    httpStatus: 200,
    detail: null,
    durationMs: 1000,
    ttfbMs: 100,
    tokens: NO_TOKENS,
    attempts: 1,
    responseModel: null,
    ...fields,
  };
}

/** One completed interception of each model, so their names hold a place under the label cap. */
function vouchFor(metrics: PrometheusMetrics, provider: string, ...models: string[]): void {
  for (const model of models)
    metrics.interception(start(provider, "anthropic.messages", model), null).end(summary());
}

async function scrape(metrics: PrometheusMetrics): Promise<Map<string, number>> {
  return parseMetrics(await (await metrics.render()).text());
}

const MESSAGES = { provider: "anthropic", api: "anthropic.messages" } as const;
const RESPONSES = { provider: "openai", api: "openai.responses" } as const;

describe("PrometheusMetrics", () => {
  it("turns a mix of interceptions, upstream calls, tool calls and passthroughs into exact series", async () => {
    const metrics = new PrometheusMetrics();

    // A: a retried call (529, then 200), one tool call, a second turn.
    const a = metrics.interception(start("anthropic", "anthropic.messages", "claude-sonnet-4"), null);
    const a0 = a.upstreamCall(0);
    a0.responded(529, 120);
    a0.end({ error: "overloaded" });
    const a1 = a.upstreamCall(0);
    a1.responded(200, 300);
    a1.end({ tokens: NO_TOKENS });
    a.toolCall({ server: "docs", name: "search", callId: "c1", error: null, durationMs: 250 });
    const a2 = a.upstreamCall(1);
    a2.responded(200, 500);
    a2.end({ tokens: NO_TOKENS });

    // B: the upstream never answered.
    const b = metrics.interception(start("anthropic", "anthropic.messages", "claude-sonnet-4"), null);
    b.upstreamCall(0).end({ error: "connect ECONNREFUSED" });

    // C: OpenAI, with a tool the catalog does not know and a tool that failed.
    const c = metrics.interception(start("openai", "openai.responses", "gpt-5", "codex"), "00-trace-span-01");
    const c0 = c.upstreamCall(0);
    c0.responded(200, 80);
    c0.end({ tokens: NO_TOKENS });
    c.toolCall({ server: null, name: "ghost", callId: "c2", error: "unknown tool", durationMs: null });
    c.toolCall({ server: "docs", name: "search", callId: "c3", error: "timeout", durationMs: 60_000 });

    const during = await scrape(metrics);
    expect(value(during, "causeway_interceptions_inflight", MESSAGES)).toBe(2);
    expect(value(during, "causeway_interceptions_inflight", RESPONSES)).toBe(1);
    expect(
      value(during, "causeway_interceptions_total", {
        ...MESSAGES,
        model: "claude-sonnet-4",
        client: "claude-code",
        status: "completed",
      }),
    ).toBeUndefined();

    a.end(
      summary({
        durationMs: 4000,
        attempts: 3,
        tokens: { input: 100, output: 50, cacheRead: 1000, cacheWrite: 0, reasoning: 20 },
      }),
    );
    b.end(summary({ status: "upstream_error", httpStatus: 502, durationMs: 1500, ttfbMs: null }));
    c.end(
      summary({
        durationMs: 30_000,
        tokens: { input: 10, output: 5, cacheRead: 0, cacheWrite: 3, reasoning: 7 },
      }),
    );

    metrics.passthrough({
      provider: "anthropic",
      route: "/v1/models",
      method: "GET",
      status: 200,
      durationMs: 30,
    });
    metrics.passthrough({
      provider: "anthropic",
      route: "/v1/models",
      method: "GET",
      status: 200,
      durationMs: 20,
    });
    metrics.passthrough({
      provider: "openai",
      route: "/v1/responses/{id}",
      method: "GET",
      status: 404,
      durationMs: 9,
    });

    const m = await scrape(metrics);
    // Inflight is back to 0 on both series.
    expect(value(m, "causeway_interceptions_inflight", MESSAGES)).toBe(0);
    expect(value(m, "causeway_interceptions_inflight", RESPONSES)).toBe(0);

    const claude = { model: "claude-sonnet-4", client: "claude-code" };
    expect(value(m, "causeway_interceptions_total", { ...MESSAGES, ...claude, status: "completed" })).toBe(1);
    expect(
      value(m, "causeway_interceptions_total", { ...MESSAGES, ...claude, status: "upstream_error" }),
    ).toBe(1);
    expect(
      value(m, "causeway_interceptions_total", {
        ...RESPONSES,
        model: "gpt-5",
        client: "codex",
        status: "completed",
      }),
    ).toBe(1);

    const duration = "causeway_interception_duration_seconds";
    expect(value(m, `${duration}_count`, { ...MESSAGES, status: "completed" })).toBe(1);
    expect(value(m, `${duration}_sum`, { ...MESSAGES, status: "completed" })).toBe(4);
    expect(value(m, `${duration}_bucket`, { ...MESSAGES, status: "completed", le: "2.5" })).toBe(0);
    expect(value(m, `${duration}_bucket`, { ...MESSAGES, status: "completed", le: "5" })).toBe(1);
    expect(value(m, `${duration}_count`, { ...MESSAGES, status: "upstream_error" })).toBe(1);
    expect(value(m, `${duration}_sum`, { ...MESSAGES, status: "upstream_error" })).toBe(1.5);
    expect(value(m, `${duration}_sum`, { ...RESPONSES, status: "completed" })).toBe(30);

    // One TTFB observation per upstream call that got headers: 120 + 300 + 500 ms for Anthropic.
    expect(value(m, "causeway_upstream_ttfb_seconds_count", MESSAGES)).toBe(3);
    expect(value(m, "causeway_upstream_ttfb_seconds_sum", MESSAGES)).toBeCloseTo(0.92, 10);
    expect(value(m, "causeway_upstream_ttfb_seconds_bucket", { ...MESSAGES, le: "0.1" })).toBe(0);
    expect(value(m, "causeway_upstream_ttfb_seconds_bucket", { ...MESSAGES, le: "0.25" })).toBe(1);
    expect(value(m, "causeway_upstream_ttfb_seconds_bucket", { ...MESSAGES, le: "0.5" })).toBe(3);
    expect(value(m, "causeway_upstream_ttfb_seconds_count", RESPONSES)).toBe(1);
    expect(value(m, "causeway_upstream_ttfb_seconds_sum", RESPONSES)).toBe(0.08);

    expect(value(m, "causeway_upstream_requests_total", { ...MESSAGES, status: "529" })).toBe(1);
    expect(value(m, "causeway_upstream_requests_total", { ...MESSAGES, status: "200" })).toBe(2);
    expect(value(m, "causeway_upstream_requests_total", { ...MESSAGES, status: "error" })).toBe(1);
    expect(value(m, "causeway_upstream_requests_total", { ...RESPONSES, status: "200" })).toBe(1);

    const tokens = (provider: string, model: string, type: string) =>
      value(m, "causeway_tokens_total", { provider, model, type });
    expect(tokens("anthropic", "claude-sonnet-4", "input")).toBe(100);
    expect(tokens("anthropic", "claude-sonnet-4", "output")).toBe(50);
    expect(tokens("anthropic", "claude-sonnet-4", "cache_read")).toBe(1000);
    expect(tokens("anthropic", "claude-sonnet-4", "cache_write")).toBeUndefined();
    expect(tokens("anthropic", "claude-sonnet-4", "reasoning")).toBe(20);
    expect(tokens("openai", "gpt-5", "input")).toBe(10);
    expect(tokens("openai", "gpt-5", "output")).toBe(5);
    expect(tokens("openai", "gpt-5", "cache_read")).toBeUndefined();
    expect(tokens("openai", "gpt-5", "cache_write")).toBe(3);
    expect(tokens("openai", "gpt-5", "reasoning")).toBe(7);

    const search = { server: "docs", tool: "search" };
    expect(value(m, "causeway_injected_tool_calls_total", { ...search, status: "ok" })).toBe(1);
    expect(value(m, "causeway_injected_tool_calls_total", { ...search, status: "error" })).toBe(1);
    expect(
      value(m, "causeway_injected_tool_calls_total", { server: "unknown", tool: "ghost", status: "error" }),
    ).toBe(1);
    expect(value(m, "causeway_injected_tool_call_duration_seconds_count", search)).toBe(2);
    expect(value(m, "causeway_injected_tool_call_duration_seconds_sum", search)).toBe(60.25);
    // A refused call has no duration, so no observation.
    expect(
      value(m, "causeway_injected_tool_call_duration_seconds_count", { server: "unknown", tool: "ghost" }),
    ).toBeUndefined();

    expect(
      value(m, "causeway_passthrough_total", { provider: "anthropic", route: "/v1/models", status: "200" }),
    ).toBe(2);
    expect(
      value(m, "causeway_passthrough_total", {
        provider: "openai",
        route: "/v1/responses/{id}",
        status: "404",
      }),
    ).toBe(1);
  });

  it("declares every metric of the contract with its type, before anything happened", async () => {
    const text = await (await new PrometheusMetrics().render()).text();
    const types = new Map(
      [...text.matchAll(/^# TYPE (\S+) (\S+)$/gm)].map((match) => [match[1], match[2]] as const),
    );
    expect(Object.fromEntries(types)).toEqual({
      causeway_interceptions_total: "counter",
      causeway_interceptions_inflight: "gauge",
      causeway_interception_duration_seconds: "histogram",
      causeway_upstream_ttfb_seconds: "histogram",
      causeway_upstream_requests_total: "counter",
      causeway_tokens_total: "counter",
      causeway_injected_tool_calls_total: "counter",
      causeway_injected_tool_call_duration_seconds: "histogram",
      causeway_passthrough_total: "counter",
      causeway_auth_total: "counter",
      causeway_audit_queue_depth: "gauge",
      causeway_audit_spool_bytes: "gauge",
      causeway_circuit_breaker_state: "gauge",
    });
  });

  it("answers a scrape with status 200 and the registry's content type", async () => {
    const metrics = new PrometheusMetrics();
    const response = await metrics.render();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe(metrics.registry.contentType);
    expect(response.headers.get("content-type")).toBe("text/plain; version=0.0.4; charset=utf-8");
  });

  it("counts each upstream call and each interception once, whatever order the ends come in", async () => {
    const metrics = new PrometheusMetrics();
    const interception = metrics.interception(start("anthropic", "anthropic.messages", "m"), null);
    const call = interception.upstreamCall(0);
    call.responded(200, 10);
    call.responded(200, 10);
    call.end({ error: "stream cut" });
    call.end({});
    interception.end(summary());
    interception.end(summary({ status: "failed" }));

    const m = await scrape(metrics);
    expect(value(m, "causeway_upstream_requests_total", { ...MESSAGES, status: "200" })).toBe(1);
    expect(value(m, "causeway_upstream_requests_total", { ...MESSAGES, status: "error" })).toBeUndefined();
    expect(value(m, "causeway_upstream_ttfb_seconds_count", MESSAGES)).toBe(1);
    expect(value(m, "causeway_interceptions_inflight", MESSAGES)).toBe(0);
    expect(
      value(m, "causeway_interception_duration_seconds_count", { ...MESSAGES, status: "completed" }),
    ).toBe(1);
    expect(
      value(m, "causeway_interceptions_total", {
        ...MESSAGES,
        model: "m",
        client: "claude-code",
        status: "failed",
      }),
    ).toBeUndefined();
  });

  it("folds models, clients, tools, servers and routes past the cap into other", async () => {
    const metrics = new PrometheusMetrics({ modelCap: 2 });
    const run = (model: string, client: string, input: number): void => {
      const interception = metrics.interception(
        start("anthropic", "anthropic.messages", model, client),
        null,
      );
      interception.end(summary({ tokens: { ...NO_TOKENS, input } }));
    };
    run("model-a", "client-1", 1);
    run("model-b", "client-2", 2);
    run("model-c", "client-3", 4);
    run("model-d", "client-1", 8);
    run("model-a", "client-2", 16);
    run("", "", 32);

    const tools = metrics.interception(start("anthropic", "anthropic.messages", "model-a"), null);
    for (const [server, name] of [
      ["s1", "t1"],
      ["s2", "t2"],
      ["s3", "t3"],
      ["s1", "t1"],
    ] as const) {
      tools.toolCall({ server, name, callId: "c", error: null, durationMs: 1 });
    }
    tools.end(summary());
    for (const route of ["/v1/models", "/v1/models/{id}", "/v1/conversations"]) {
      metrics.passthrough({ provider: "openai", route, method: "GET", status: 200, durationMs: 1 });
    }

    const m = await scrape(metrics);
    const total = (model: string, client: string) =>
      value(m, "causeway_interceptions_total", { ...MESSAGES, model, client, status: "completed" });
    expect(total("model-a", "client-1")).toBe(1);
    expect(total("model-b", "client-2")).toBe(1);
    expect(total("other", "other")).toBe(1);
    expect(total("other", "client-1")).toBe(1);
    expect(total("model-a", "client-2")).toBe(1);
    expect(total("model-a", "claude-code")).toBeUndefined();
    expect(total("model-a", "other")).toBe(1);
    // Empty names are unknown, and unknown takes no place under the cap.
    expect(total("unknown", "unknown")).toBe(1);

    const tokens = (model: string) =>
      value(m, "causeway_tokens_total", { provider: "anthropic", model, type: "input" });
    expect(tokens("model-a")).toBe(17);
    expect(tokens("model-b")).toBe(2);
    expect(tokens("other")).toBe(12);
    expect(tokens("unknown")).toBe(32);

    const calls = (server: string, tool: string) =>
      value(m, "causeway_injected_tool_calls_total", { server, tool, status: "ok" });
    expect(calls("s1", "t1")).toBe(2);
    expect(calls("s2", "t2")).toBe(1);
    expect(calls("other", "other")).toBe(1);

    const routes = (route: string) =>
      value(m, "causeway_passthrough_total", { provider: "openai", route, status: "200" });
    expect(routes("/v1/models")).toBe(1);
    expect(routes("/v1/models/{id}")).toBe(1);
    expect(routes("other")).toBe(1);

    const models = new Set(
      [...m.keys()].flatMap((key) => [...key.matchAll(/model="([^"]*)"/g)].map((x) => x[1])),
    );
    expect([...models].sort()).toEqual(["model-a", "model-b", "other", "unknown"]);
  });

  it("cuts label values to 128 characters", async () => {
    const metrics = new PrometheusMetrics();
    const long = `claude-${"x".repeat(300)}`;
    metrics
      .interception(start("anthropic", "anthropic.messages", long, "c".repeat(200)), null)
      .end(summary());
    const m = await scrape(metrics);
    expect(
      value(m, "causeway_interceptions_total", {
        ...MESSAGES,
        model: long.slice(0, 128),
        client: "c".repeat(128),
        status: "completed",
      }),
    ).toBe(1);
  });

  it("never puts the principal, the session or the user agent in a label", async () => {
    const metrics = new PrometheusMetrics();
    const interception = metrics.interception(start("anthropic", "anthropic.messages", "m"), null);
    interception.upstreamCall(0).responded(200, 5);
    interception.toolCall({
      server: "docs",
      name: "search",
      callId: "call_leak",
      error: null,
      durationMs: 3,
    });
    interception.end(
      summary({
        detail: "detail-leak",
        responseModel: "response-model-leak",
        tokens: { ...NO_TOKENS, input: 1 },
      }),
    );
    const text = await (await metrics.render()).text();
    expect(text).not.toMatch(/leak/);
  });

  it("reads the audit gauges and breaker states from the sources at each scrape", async () => {
    const metrics = new PrometheusMetrics();
    const before = await scrape(metrics);
    expect(value(before, "causeway_audit_queue_depth")).toBe(0);
    expect(value(before, "causeway_audit_spool_bytes")).toBe(0);
    expect([...before.keys()].filter((key) => key.startsWith("causeway_circuit_breaker_state"))).toEqual([]);

    const live = {
      depth: 5,
      spool: 4096,
      breakers: [
        { provider: "anthropic", model: "claude-a", state: "closed" },
        { provider: "anthropic", model: "claude-b", state: "half-open" },
        { provider: "openai", model: "gpt-5", state: "open" },
      ] as ReturnType<MetricSources["breakerStates"]>,
    };
    vouchFor(metrics, "anthropic", "claude-a", "claude-b");
    vouchFor(metrics, "openai", "gpt-5");
    let reads = 0;
    metrics.watch({
      auditQueueDepth: () => {
        reads++;
        return live.depth;
      },
      auditSpoolBytes: () => live.spool,
      breakerStates: () => live.breakers,
    });
    expect(reads).toBe(0);

    const first = await scrape(metrics);
    expect(reads).toBe(1);
    expect(value(first, "causeway_audit_queue_depth")).toBe(5);
    expect(value(first, "causeway_audit_spool_bytes")).toBe(4096);
    expect(value(first, "causeway_circuit_breaker_state", { provider: "anthropic", model: "claude-a" })).toBe(
      0,
    );
    expect(value(first, "causeway_circuit_breaker_state", { provider: "anthropic", model: "claude-b" })).toBe(
      1,
    );
    expect(value(first, "causeway_circuit_breaker_state", { provider: "openai", model: "gpt-5" })).toBe(2);

    // Nothing but the sources changes between scrapes: no timers, no events.
    live.depth = 7;
    live.spool = 0;
    live.breakers = [{ provider: "openai", model: "gpt-5", state: "closed" }];
    const second = await scrape(metrics);
    expect(reads).toBe(2);
    expect(value(second, "causeway_audit_queue_depth")).toBe(7);
    expect(value(second, "causeway_audit_spool_bytes")).toBe(0);
    expect(value(second, "causeway_circuit_breaker_state", { provider: "openai", model: "gpt-5" })).toBe(0);
    // A breaker the sources no longer list leaves no stale series.
    expect(
      value(second, "causeway_circuit_breaker_state", { provider: "anthropic", model: "claude-b" }),
    ).toBeUndefined();
  });

  it("shows the worst state of breakers folded into other, and a failing source as NaN without failing the scrape", async () => {
    const metrics = new PrometheusMetrics({ modelCap: 1 });
    vouchFor(metrics, "anthropic", "kept");
    metrics.watch({
      auditQueueDepth: () => {
        throw new Error("queue gone");
      },
      auditSpoolBytes: () => 12,
      breakerStates: () => [
        { provider: "anthropic", model: "kept", state: "closed" },
        { provider: "anthropic", model: "folded-1", state: "open" },
        { provider: "anthropic", model: "folded-2", state: "half-open" },
      ],
    });
    const response = await metrics.render();
    expect(response.status).toBe(200);
    const m = parseMetrics(await response.text());
    expect(value(m, "causeway_audit_queue_depth")).toBeNaN();
    expect(value(m, "causeway_audit_spool_bytes")).toBe(12);
    expect(value(m, "causeway_circuit_breaker_state", { provider: "anthropic", model: "kept" })).toBe(0);
    expect(value(m, "causeway_circuit_breaker_state", { provider: "anthropic", model: "other" })).toBe(2);

    metrics.watch({
      auditQueueDepth: () => 1,
      auditSpoolBytes: () => 2,
      breakerStates: () => {
        throw new Error("breakers gone");
      },
    });
    const after = await scrape(metrics);
    expect(value(after, "causeway_audit_queue_depth")).toBe(1);
    expect([...after.keys()].filter((key) => key.startsWith("causeway_circuit_breaker_state"))).toEqual([]);
  });

  it("a model name takes a place under the cap only once the upstream vouched for it", async () => {
    const metrics = new PrometheusMetrics({ modelCap: 2 });
    const refused = summary({ status: "upstream_error", httpStatus: 404 });
    // Made-up names the provider refuses: counted, under `other`, holding no place.
    for (const junk of ["x-1", "x-2", "x-3"])
      metrics.interception(start("anthropic", "anthropic.messages", junk), null).end(refused);
    // A name the upstream answered for, and one whose upstream failed on its own side (5xx).
    metrics.interception(start("anthropic", "anthropic.messages", "claude-a"), null).end(summary());
    metrics
      .interception(start("anthropic", "anthropic.messages", "claude-b"), null)
      .end(summary({ status: "upstream_error", httpStatus: 529 }));
    // A kept name keeps its label even when a later request for it is refused.
    metrics.interception(start("anthropic", "anthropic.messages", "claude-a"), null).end(refused);
    const m = await scrape(metrics);
    const labels = (model: string, status: string) => ({
      provider: "anthropic",
      api: "anthropic.messages",
      model,
      client: "claude-code",
      status,
    });
    expect(value(m, "causeway_interceptions_total", labels("other", "upstream_error"))).toBe(3);
    expect(value(m, "causeway_interceptions_total", labels("claude-a", "completed"))).toBe(1);
    expect(value(m, "causeway_interceptions_total", labels("claude-a", "upstream_error"))).toBe(1);
    expect(value(m, "causeway_interceptions_total", labels("claude-b", "upstream_error"))).toBe(1);
  });

  it("keeps each instance's series apart", async () => {
    const one = new PrometheusMetrics();
    const two = new PrometheusMetrics();
    one.passthrough({ provider: "openai", route: "/v1/models", method: "GET", status: 200, durationMs: 1 });
    const labels = { provider: "openai", route: "/v1/models", status: "200" };
    expect(value(await scrape(one), "causeway_passthrough_total", labels)).toBe(1);
    expect(value(await scrape(two), "causeway_passthrough_total", labels)).toBeUndefined();
  });

  it("drops values that mean nothing (NaN, negative) instead of throwing into the request path", async () => {
    const metrics = new PrometheusMetrics();
    const interception = metrics.interception(start("anthropic", "anthropic.messages", "m"), null);
    const call = interception.upstreamCall(0);
    expect(() => call.responded(200, Number.NaN)).not.toThrow();
    expect(() =>
      interception.toolCall({ server: "s", name: "t", callId: "c", error: null, durationMs: -5 }),
    ).not.toThrow();
    expect(() =>
      interception.end(
        summary({
          durationMs: Number.POSITIVE_INFINITY,
          tokens: { ...NO_TOKENS, input: -3, output: Number.NaN, reasoning: 2 },
        }),
      ),
    ).not.toThrow();

    const m = await scrape(metrics);
    // The events still count; only the meaningless numbers are left out.
    expect(value(m, "causeway_upstream_requests_total", { ...MESSAGES, status: "200" })).toBe(1);
    expect(value(m, "causeway_upstream_ttfb_seconds_count", MESSAGES)).toBeUndefined();
    expect(value(m, "causeway_injected_tool_calls_total", { server: "s", tool: "t", status: "ok" })).toBe(1);
    expect(
      value(m, "causeway_injected_tool_call_duration_seconds_count", { server: "s", tool: "t" }),
    ).toBeUndefined();
    expect(
      value(m, "causeway_interceptions_total", {
        ...MESSAGES,
        model: "m",
        client: "claude-code",
        status: "completed",
      }),
    ).toBe(1);
    expect(
      value(m, "causeway_interception_duration_seconds_count", { ...MESSAGES, status: "completed" }),
    ).toBeUndefined();
    expect(
      value(m, "causeway_tokens_total", { provider: "anthropic", model: "m", type: "input" }),
    ).toBeUndefined();
    expect(
      value(m, "causeway_tokens_total", { provider: "anthropic", model: "m", type: "output" }),
    ).toBeUndefined();
    expect(value(m, "causeway_tokens_total", { provider: "anthropic", model: "m", type: "reasoning" })).toBe(
      2,
    );
  });

  it("uses increasing buckets that cover the bridge's timeouts", () => {
    for (const buckets of [INTERCEPTION_BUCKETS, TTFB_BUCKETS, TOOL_CALL_BUCKETS]) {
      expect(buckets.every((bound, i) => i === 0 || bound > buckets[i - 1]!)).toBe(true);
    }
    // Streaming first byte (60 s) and blocking calls (600 s); tool calls' 300 s hard cap.
    expect(TTFB_BUCKETS).toContain(60);
    expect(TTFB_BUCKETS.at(-1)).toBeGreaterThanOrEqual(600);
    expect(TOOL_CALL_BUCKETS.at(-1)).toBeGreaterThanOrEqual(300);
    expect(INTERCEPTION_BUCKETS.at(-1)).toBeGreaterThanOrEqual(600);
  });
});
