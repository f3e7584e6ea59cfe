import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { textStreamChunks } from "../helpers/anthropic-wire.ts";
import {
  chatCompletion,
  chatStreamChunks,
  responsesBlocking,
  responsesStreamChunks,
} from "../helpers/openai-wire.ts";
import {
  OTLP_KIND,
  type OtlpReceiver,
  type ReceivedSpan,
  startOtlpReceiver,
} from "../helpers/otlp-receiver.ts";
import { parseMetrics, parseSamples, type Sample, sum, value } from "../helpers/prometheus-text.ts";
import { type CapturedRequest, startUpstream, type UpstreamScript } from "../helpers/upstream-server.ts";
import { streamTurn } from "../mcp/anthropic-script.ts";
import { startEverythingServer } from "../mcp/helpers/everything-server.ts";
import { RUNTIMES, type RuntimeUnderTest, type ServerOn, serveOn } from "./runtimes.ts";

/**
 * Issue 12 from outside: a real `causeway serve` on each runtime, a known mix of requests (three
 * APIs streaming and blocking, an upstream error, a 401, an MCP tool loop on server-everything,
 * passthroughs), then `/metrics` is scraped and checked against the audit the CLI reads back:
 * exact interception counts by label, token sums by type, tool calls, passthroughs, inflight 0.
 */

const USAGE = {
  input_tokens: 12,
  output_tokens: 5,
  cache_read_input_tokens: 3,
  cache_creation_input_tokens: 2,
};

function provider(request: CapturedRequest): UpstreamScript {
  const path = request.url.split("?")[0]!;
  if (request.method === "GET") return { body: JSON.stringify({ data: [{ id: "m", object: "model" }] }) };
  const body = JSON.parse(request.body) as {
    model: string;
    stream?: boolean;
    messages?: { content: unknown }[];
  };
  if (path === "/v1/messages") {
    if (body.model === "claude-broken")
      return {
        status: 400,
        body: JSON.stringify({ type: "error", error: { type: "invalid_request_error", message: "bad" } }),
      };
    if (body.model === "claude-tool") {
      const answered = JSON.stringify(body.messages?.at(-1)?.content ?? "").includes("tool_result");
      const turn = answered
        ? { id: "msg_2", text: "The sum is 42.", input: 30, output: 4 }
        : {
            id: "msg_1",
            calls: [{ id: "toolu_1", name: "cw__everything__get-sum", input: { a: 2, b: 40 } }],
            input: 20,
            output: 6,
          };
      return { chunks: [streamTurn(turn)] };
    }
    return body.stream
      ? { chunks: textStreamChunks({ model: body.model, parts: ["Hel", "lo"], usage: USAGE }) }
      : {
          body: JSON.stringify({
            id: "msg_b",
            type: "message",
            role: "assistant",
            model: body.model,
            content: [{ type: "text", text: "Hello" }],
            stop_reason: "end_turn",
            stop_sequence: null,
            usage: USAGE,
          }),
        };
  }
  const chatUsage = { prompt: 40, cached: 10, completion: 7, reasoning: 2 };
  const responsesUsage = { input: 50, cached: 20, output: 9, reasoning: 3 };
  if (path === "/v1/chat/completions")
    return body.stream
      ? { chunks: chatStreamChunks(body.model, ["Hi", "!"], chatUsage, true) }
      : { body: chatCompletion(body.model, "Hi!", chatUsage) };
  return body.stream
    ? { chunks: responsesStreamChunks(body.model, ["Hi", "!"], responsesUsage) }
    : { body: responsesBlocking(body.model, "Hi!", responsesUsage) };
}

/** Which listener serves /metrics: the main one for admins (Bun), or its own (Node, Deno). */
const OWN_LISTENER: Record<RuntimeUnderTest["name"], boolean> = { bun: false, node: true, deno: true };
/** Both OTLP encodings are exercised across the runtimes. */
const PROTOCOL: Record<RuntimeUnderTest["name"], string> = {
  bun: "http/protobuf",
  node: "http/json",
  deno: "http/protobuf",
};
/** The client's own trace context, sent with the first request. */
const CLIENT_TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736";
const CLIENT_SPAN_ID = "00f067aa0ba902b7";

describe.each(RUNTIMES)("observability on $name", (runtime) => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let everything: Awaited<ReturnType<typeof startEverythingServer>>;
  let server: ServerOn;
  let key: string;
  let adminKey: string;
  let metricsUrl: string;
  let receiver: OtlpReceiver;
  const responses: Response[] = [];

  beforeAll(async () => {
    [upstream, everything, receiver] = await Promise.all([
      startUpstream(provider),
      startEverythingServer(),
      startOtlpReceiver(),
    ]);
    server = await serveOn(runtime, {
      env: {
        ANTHROPIC_API_KEY: "sk-ant-enterprise-obs",
        OPENAI_API_KEY: "sk-openai-enterprise-obs",
        CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url,
        CAUSEWAY_OPENAI_BASE_URL: upstream.url,
        ...(OWN_LISTENER[runtime.name] ? { CAUSEWAY_METRICS_LISTEN: "127.0.0.1:0" } : {}),
        OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
        OTEL_EXPORTER_OTLP_PROTOCOL: PROTOCOL[runtime.name],
        OTEL_BSP_SCHEDULE_DELAY: "50",
      },
      config: [
        "providers:",
        "  - { name: anthropic, kind: anthropic, retry: { attempts: 0 } }",
        "  - { name: openai, kind: openai }",
        "mcp:",
        "  servers:",
        "    - name: everything",
        `      url: ${everything.url}`,
        '      allow: ["^get-sum$"]',
        "",
      ].join("\n"),
    });
    key = await server.createUser("obs-user");
    adminKey = (
      JSON.parse(await server.cli("users", "create", "obs-admin", "--admin", "--json")) as { token: string }
    ).token;
    metricsUrl = OWN_LISTENER[runtime.name]
      ? /"metrics":"(http[^"]+)"/.exec(server.logs())![1]!
      : `${server.url}/metrics`;
    await sendTheMix();
  }, 120_000);
  afterAll(async () => {
    await server?.close();
    await Promise.all([upstream?.close(), everything?.stop(), receiver?.close()]);
  });

  const anthropic = (body: object, credential = key, extra: Record<string, string> = {}) =>
    fetch(`${server.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: {
        "x-api-key": credential,
        "content-type": "application/json",
        "anthropic-version": "2023-06-01",
        ...extra,
      },
      body: JSON.stringify({ max_tokens: 64, messages: [{ role: "user", content: "hi" }], ...body }),
    });
  const openai = (path: string, body: object) =>
    fetch(`${server.url}/openai/v1/${path}`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
  const get = (path: string) =>
    fetch(`${server.url}${path}`, { headers: { authorization: `Bearer ${key}` } });

  async function sendTheMix(): Promise<void> {
    const sent = [
      await anthropic({ model: "claude-a", stream: true }, key, {
        traceparent: `00-${CLIENT_TRACE_ID}-${CLIENT_SPAN_ID}-01`,
      }),
      await anthropic({ model: "claude-a" }),
      await anthropic({ model: "claude-broken" }),
      await anthropic({ model: "claude-tool", stream: true }),
      await anthropic({ model: "claude-a" }, "cw_not_a_key"),
      await openai("chat/completions", {
        model: "gpt-c",
        stream: true,
        stream_options: { include_usage: true },
        messages: [{ role: "user", content: "hi" }],
      }),
      await openai("chat/completions", { model: "gpt-c", messages: [{ role: "user", content: "hi" }] }),
      await openai("responses", { model: "gpt-r", stream: true, input: "hi" }),
      await openai("responses", { model: "gpt-r", input: "hi" }),
      await get("/anthropic/v1/models"),
      await get("/openai/v1/models"),
    ];
    for (const response of sent) {
      await response.text();
      responses.push(response);
    }
  }

  const scrape = async (credential: string | null = adminKey): Promise<Response> =>
    fetch(
      metricsUrl,
      credential && !OWN_LISTENER[runtime.name] ? { headers: { authorization: `Bearer ${credential}` } } : {},
    );

  it("every response carries its request id and Server-Timing", () => {
    expect(responses.map((r) => r.status)).toEqual([200, 200, 400, 200, 401, 200, 200, 200, 200, 200, 200]);
    for (const response of responses) {
      expect(response.headers.get("x-causeway-request-id")).toMatch(/^int_/);
      expect(response.headers.get("server-timing")).toMatch(/^causeway;dur=[\d.]+, upstream;dur=[\d.]+$/);
    }
  });

  it("metrics match the audit: interceptions by label, tokens by type, none in flight", async () => {
    const audit = await server.interceptions();
    expect(audit).toHaveLength(8);
    const response = await scrape();
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/plain");
    const text = await response.text();
    const samples = parseSamples(text);
    const metrics = parseMetrics(text);

    const byLabels = new Map<string, number>();
    for (const row of audit) {
      // A model the upstream refused (4xx, no answer) is counted under `other`: made-up names must
      // not fill the label cap.
      const model = row.model === "claude-broken" ? "other" : row.model;
      const labels = JSON.stringify([row.provider, row.api, model, row.client, row.status]);
      byLabels.set(labels, (byLabels.get(labels) ?? 0) + 1);
    }
    const counted = samples.filter((s) => s.name === "causeway_interceptions_total");
    expect(counted.reduce((n, s) => n + s.value, 0)).toBe(8);
    for (const [labels, count] of byLabels) {
      const [provider, api, model, client, status] = JSON.parse(labels) as [
        string,
        string,
        string,
        string,
        string,
      ];
      expect(value(metrics, "causeway_interceptions_total", { provider, api, model, client, status })).toBe(
        count,
      );
    }
    expect(sum(samples, "causeway_interceptions_total", { status: "upstream_error" })).toBe(1);

    const tokenField = {
      input: "input",
      output: "output",
      cache_read: "cache_read",
      cache_write: "cache_write",
      reasoning: "reasoning",
    };
    for (const type of Object.keys(tokenField)) {
      const fromAudit = audit.reduce((n, row) => n + (row.tokens as Record<string, number>)[type]!, 0);
      expect(sum(samples, "causeway_tokens_total", { type }), type).toBe(fromAudit);
    }
    expect(sum(samples, "causeway_tokens_total", { type: "input" })).toBeGreaterThan(0);

    expect(inflight(samples)).toBe(0);
    expect(sum(samples, "causeway_interception_duration_seconds_count")).toBe(8);
    // Eight interceptions, one of them a two-turn tool loop, and no retries: nine upstream calls.
    expect(sum(samples, "causeway_upstream_ttfb_seconds_count")).toBe(9);
    expect(
      value(metrics, "causeway_injected_tool_calls_total", {
        server: "everything",
        tool: "get-sum",
        status: "ok",
      }),
    ).toBe(1);
    expect(
      value(metrics, "causeway_passthrough_total", {
        provider: "anthropic",
        route: "/v1/models",
        status: "200",
      }),
    ).toBe(1);
    expect(
      value(metrics, "causeway_passthrough_total", {
        provider: "openai",
        route: "/v1/models",
        status: "200",
      }),
    ).toBe(1);
    expect(value(metrics, "causeway_audit_queue_depth")).toBe(0);
    expect(value(metrics, "causeway_audit_spool_bytes")).toBe(0);
    expect(
      value(metrics, "causeway_circuit_breaker_state", { provider: "anthropic", model: "claude-a" }),
    ).toBe(0);
    // The one 401 of the mix; ten requests (and, on the main listener, this scrape) by key.
    expect(value(metrics, "causeway_auth_total", { method: "none", outcome: "refused" })).toBe(1);
    expect(value(metrics, "causeway_auth_total", { method: "keys", outcome: "accepted" })).toBe(
      OWN_LISTENER[runtime.name] ? 10 : 11,
    );
    // No user names, keys or prompt text anywhere in the page.
    expect(text).not.toContain("obs-user");
    expect(text).not.toContain(key);
  });

  it("logs one info line per interception, with its id, never the prompt", async () => {
    const audit = await server.interceptions();
    const lines = server
      .logs()
      .split("\n")
      .filter((line) => line.includes('"message":"interception"'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines.map((l) => l.id).sort()).toEqual(audit.map((r) => r.id).sort());
    for (const line of lines) {
      expect(line).toMatchObject({ level: "info", user: "obs-user", duration_ms: expect.any(Number) });
      expect(JSON.stringify(line)).not.toContain('"hi"');
    }
  });

  it("exports one server span per interception over OTLP, with its upstream calls and tool call as children", async () => {
    const audit = await server.interceptions();
    const isInterception = (span: ReceivedSpan) => span.kind === OTLP_KIND.SERVER;
    const spans = await spansWhen(receiver, (all) => all.filter(isInterception).length >= audit.length);
    expect(receiver.requests[0]!.contentType).toBe(
      PROTOCOL[runtime.name] === "http/json" ? "application/json" : "application/x-protobuf",
    );
    const interceptions = spans.filter(isInterception);
    expect(interceptions.map((s) => s.attributes["causeway.interception.id"]).sort()).toEqual(
      audit.map((r) => r.id).sort(),
    );
    const byId = new Map(interceptions.map((s) => [String(s.attributes["causeway.interception.id"]), s]));
    const children = (parent: ReceivedSpan, kind: number) =>
      spans.filter(
        (s) => s.parentSpanId === parent.spanId && s.traceId === parent.traceId && s.kind === kind,
      );

    // The client's traceparent is the first interception's parent.
    const first = byId.get(String(audit.find((r) => r.model === "claude-a" && r.streaming)!.id))!;
    expect(first.traceId).toBe(CLIENT_TRACE_ID);
    expect(first.parentSpanId).toBe(CLIENT_SPAN_ID);
    expect(first.name).toBe("chat claude-a");
    expect(first.attributes).toMatchObject({
      "gen_ai.operation.name": "chat",
      "gen_ai.provider.name": "anthropic",
      "gen_ai.request.model": "claude-a",
      "gen_ai.response.model": "claude-a",
      "gen_ai.usage.output_tokens": 5,
    });

    // One upstream call each, two for the tool loop, whose tool call is a child too.
    for (const row of audit) {
      const span = byId.get(String(row.id))!;
      const calls = children(span, OTLP_KIND.CLIENT);
      expect(calls, String(row.model)).toHaveLength(row.model === "claude-tool" ? 2 : 1);
      const tools = children(span, OTLP_KIND.INTERNAL);
      expect(tools.map((t) => t.name)).toEqual(row.model === "claude-tool" ? ["execute_tool get-sum"] : []);
    }

    // What the upstream got names those call spans, in the same trace.
    const callIds = new Set(
      spans.filter((s) => s.kind === OTLP_KIND.CLIENT).map((s) => `${s.traceId}-${s.spanId}`),
    );
    const intercepted = upstream.requests.filter((r) => r.method === "POST");
    expect(intercepted).toHaveLength(9);
    for (const request of intercepted) {
      const [, traceId, spanId] = String(request.headers.traceparent).split("-");
      expect(callIds.has(`${traceId}-${spanId}`)).toBe(true);
    }
    // Nothing of the user's but the id: no name, no prompt.
    expect(receiver.requests.map((r) => r.body.toString("latin1")).join("")).not.toContain("obs-user");
  });

  if (OWN_LISTENER[runtime.name]) {
    it("its own listener serves /metrics without auth; the main listener does not serve it", async () => {
      expect((await fetch(metricsUrl)).status).toBe(200);
      expect(
        (await fetch(`${server.url}/metrics`, { headers: { authorization: `Bearer ${adminKey}` } })).status,
      ).toBe(404);
    });
  } else {
    it("on the main listener, /metrics needs an admin: 401 without a credential, 403 for a user", async () => {
      expect((await scrape(null)).status).toBe(401);
      expect((await scrape(key)).status).toBe(403);
      expect((await scrape(adminKey)).status).toBe(200);
    });
  }
});

/** The spans received so far, once `ready` holds of them (the batch exporter sends every 50 ms). */
async function spansWhen(
  receiver: OtlpReceiver,
  ready: (spans: ReceivedSpan[]) => boolean,
): Promise<ReceivedSpan[]> {
  for (let attempt = 0; attempt < 100; attempt++) {
    const spans = receiver.spans();
    if (ready(spans)) return spans;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  return receiver.spans();
}

function inflight(samples: readonly Sample[]): number {
  return sum(samples, "causeway_interceptions_inflight");
}
