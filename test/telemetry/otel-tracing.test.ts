import { gunzipSync } from "node:zlib";
import { afterEach, describe, expect, it } from "vitest";
import { createTracing, type Tracing } from "../../adapters/telemetry/otel-tracing.ts";
import { MemoryLogger } from "../../core/ports/logger.ts";
import type { InterceptionStart } from "../../core/ports/recorder.ts";
import {
  OTLP_KIND,
  OTLP_STATUS,
  type OtlpReceiver,
  type OtlpReceiverOptions,
  startOtlpReceiver,
} from "../helpers/otlp-receiver.ts";
import { driveInterception, INCOMING, START } from "./interception-scenario.ts";
import { expectScenarioSpans } from "./scenario-assertions.ts";

const receivers: OtlpReceiver[] = [];
afterEach(async () => {
  await Promise.all(receivers.splice(0).map((r) => r.close()));
});

async function receiver(options: OtlpReceiverOptions = {}): Promise<OtlpReceiver> {
  const started = await startOtlpReceiver(options);
  receivers.push(started);
  return started;
}

function tracingOrFail(tracing: Tracing | null): Tracing {
  if (!tracing) throw new Error("expected tracing to be on");
  return tracing;
}

const CONTENT_TYPES = { "http/protobuf": "application/x-protobuf", "http/json": "application/json" } as const;

describe.each(["http/protobuf", "http/json"] as const)("over %s", (protocol) => {
  it("exports the interception, its two attempts and its tool call as the client's trace", async () => {
    const collector = await receiver();
    const logger = new MemoryLogger();
    const tracing = tracingOrFail(
      createTracing(
        { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_PROTOCOL: protocol },
        logger,
      ),
    );
    const { traceparents } = driveInterception(tracing.observer);
    await tracing.shutdown();

    expect(collector.requests.length).toBeGreaterThan(0);
    for (const request of collector.requests) {
      expect(request.path).toBe("/v1/traces");
      expect(request.contentType).toBe(CONTENT_TYPES[protocol]);
      // Attributes travel as text in both formats: the user's name must not be among them.
      expect(request.body.includes(START.userName)).toBe(false);
      // Span names appear verbatim in protobuf too: a cross-check of the decoder.
      expect(request.body.includes("execute_tool search")).toBe(true);
    }
    expectScenarioSpans(collector.spans(), traceparents);
    expect(logger.lines).toEqual([]);
  });
});

describe("off", () => {
  it.each([
    ["no endpoint", {}],
    ["an empty endpoint", { OTEL_EXPORTER_OTLP_ENDPOINT: " " }],
    [
      "OTEL_SDK_DISABLED=true",
      { OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:4318", OTEL_SDK_DISABLED: "TRUE" },
    ],
    [
      "OTEL_TRACES_EXPORTER=none",
      { OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "http://127.0.0.1:4318/v1/traces", OTEL_TRACES_EXPORTER: "none" },
    ],
  ])("createTracing is null with %s", (_why, env) => {
    const logger = new MemoryLogger();
    expect(createTracing(env, logger)).toBeNull();
    expect(logger.lines).toEqual([]);
  });

  it("is null, with one warning, when the endpoint is not a URL", () => {
    const logger = new MemoryLogger();
    expect(createTracing({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "collector:4318" }, logger)).toBeNull();
    expect(logger.lines.map((l) => l.level)).toEqual(["warn"]);
    expect(logger.lines[0]!.message).toContain("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT");
  });

  it("always_off exports nothing and leaves the client's traceparent to pass upstream untouched", async () => {
    const collector = await receiver();
    const tracing = tracingOrFail(
      createTracing(
        { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_TRACES_SAMPLER: "always_off" },
        new MemoryLogger(),
      ),
    );
    const { traceparents } = driveInterception(tracing.observer);
    await tracing.shutdown();
    expect(collector.requests).toEqual([]);
    // Not participating, the bridge forwards the client's header as it came (W3C Trace Context).
    expect(traceparents.length).toBeGreaterThan(0);
    for (const traceparent of traceparents) expect(traceparent).toBeNull();
  });

  it("samples before building anything: a ratio keeps about that share of interceptions", async () => {
    const collector = await receiver();
    const tracing = tracingOrFail(
      createTracing(
        {
          OTEL_EXPORTER_OTLP_ENDPOINT: collector.url,
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
          OTEL_TRACES_SAMPLER: "traceidratio",
          OTEL_TRACES_SAMPLER_ARG: "0.25",
        },
        new MemoryLogger(),
      ),
    );
    let kept = 0;
    for (let i = 0; i < 400; i++) {
      const interception = tracing.observer.interception(START, null);
      const call = interception.upstreamCall(0);
      if (call.traceparent !== null) kept++;
      call.end({});
      interception.end(summary("completed", 200, null));
    }
    await tracing.shutdown();
    const exported = collector.spans().filter((span) => span.kind === OTLP_KIND.SERVER).length;
    expect(exported).toBe(kept);
    // 100 expected; the bounds are more than five standard deviations (8.7) away.
    expect(kept).toBeGreaterThan(55);
    expect(kept).toBeLessThan(145);
  });

  it("the default sampler follows the client's decision: an unsampled traceparent exports nothing", async () => {
    const collector = await receiver();
    const tracing = tracingOrFail(
      createTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url }, new MemoryLogger()),
    );
    const interception = tracing.observer.interception(START, `00-${INCOMING.traceId}-${INCOMING.spanId}-00`);
    const call = interception.upstreamCall(0);
    call.end({});
    interception.end(summary("completed", 200, null));
    await tracing.shutdown();
    expect(collector.requests).toEqual([]);
    expect(call.traceparent).toBeNull();
  });
});

describe("configuration from env", () => {
  it("uses a traces endpoint as-is, and sends the headers, gzip and the resource from env", async () => {
    const collector = await receiver({ path: "/collector/traces" });
    const tracing = tracingOrFail(
      createTracing(
        {
          OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `${collector.url}/collector/traces`,
          OTEL_EXPORTER_OTLP_ENDPOINT: "http://127.0.0.1:9/not-this-one",
          OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
          OTEL_EXPORTER_OTLP_HEADERS: "x-tenant=generic,authorization=Bearer%20t0k",
          OTEL_EXPORTER_OTLP_TRACES_HEADERS: "x-tenant=traces",
          OTEL_EXPORTER_OTLP_COMPRESSION: "gzip",
          OTEL_SERVICE_NAME: "bridge-eu",
          OTEL_RESOURCE_ATTRIBUTES: "deployment.environment.name=prod,service.name=not-this-one",
        },
        new MemoryLogger(),
      ),
    );
    driveInterception(tracing.observer);
    await tracing.shutdown();

    const [request] = collector.requests;
    expect(request!.path).toBe("/collector/traces");
    expect(request!.headers["x-tenant"]).toBe("traces");
    expect(request!.headers.authorization).toBe("Bearer t0k");
    expect(request!.headers["content-encoding"]).toBe("gzip");
    expect(JSON.parse(gunzipSync(request!.body).toString("utf8"))).toHaveProperty("resourceSpans");
    const spans = collector.spans();
    expect(spans).toHaveLength(4);
    expect(spans[0]!.resource).toMatchObject({
      "service.name": "bridge-eu",
      "deployment.environment.name": "prod",
      "telemetry.sdk.language": "nodejs",
    });
  });

  it("grpc is not supported: one warning, and http/protobuf to the same endpoint", async () => {
    const collector = await receiver();
    const logger = new MemoryLogger();
    const tracing = tracingOrFail(
      createTracing(
        { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_PROTOCOL: "grpc" },
        logger,
      ),
    );
    driveInterception(tracing.observer);
    await tracing.shutdown();
    expect(logger.lines.map((l) => [l.level, l.message])).toEqual([
      ["warn", expect.stringContaining("OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported")],
    ]);
    expect(collector.requests.map((r) => r.contentType)).toEqual(["application/x-protobuf"]);
    expect(collector.spans()).toHaveLength(4);
  });
});

describe("other interceptions", () => {
  it("a bad traceparent starts a new trace; failures, refusals and provider kinds are reported", async () => {
    const collector = await receiver();
    const tracing = tracingOrFail(
      createTracing(
        { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_EXPORTER_OTLP_PROTOCOL: "http/json" },
        new MemoryLogger(),
        {
          providerKinds: { "corp-openai": "openai" },
        },
      ),
    );
    const start: InterceptionStart = {
      ...START,
      provider: "corp-openai",
      api: "openai.responses.input_tokens",
      model: "gpt-4.1",
      streaming: false,
      sessionId: null,
    };
    const interception = tracing.observer.interception(start, "00-not-a-trace-context");
    const call = interception.upstreamCall(0);
    call.responded(503, 40); // never ended by the core: end() closes it
    interception.toolCall({
      server: null,
      name: "lookup",
      callId: "call_9",
      error: "unknown tool",
      durationMs: null,
    });
    interception.end(summary("upstream_error", 503, "upstream answered 503"));
    await tracing.shutdown();

    const spans = collector.spans();
    expect(spans).toHaveLength(3);
    const server = spans.find((s) => s.kind === OTLP_KIND.SERVER)!;
    const client = spans.find((s) => s.kind === OTLP_KIND.CLIENT)!;
    const tool = spans.find((s) => s.kind === OTLP_KIND.INTERNAL)!;

    expect(server.name).toBe("count_tokens gpt-4.1");
    expect(server.parentSpanId).toBe("");
    expect(server.traceId).not.toBe(INCOMING.traceId);
    expect(server.attributes).toMatchObject({
      "gen_ai.operation.name": "count_tokens",
      "gen_ai.provider.name": "openai",
      "causeway.provider": "corp-openai",
      "causeway.streaming": false,
      "causeway.status": "upstream_error",
      "http.response.status_code": 503,
      "error.type": "upstream_error",
    });
    expect(server.attributes["gen_ai.conversation.id"]).toBeUndefined();
    expect(server.attributes["gen_ai.response.model"]).toBeUndefined();
    expect(server.status).toEqual({ code: OTLP_STATUS.ERROR, message: "upstream answered 503" });

    expect(client.parentSpanId).toBe(server.spanId);
    expect(client.attributes).toMatchObject({ "http.response.status_code": 503, "error.type": "503" });
    expect(client.status.code).toBe(OTLP_STATUS.ERROR);
    expect(call.traceparent).toBe(`00-${server.traceId}-${client.spanId}-01`);

    expect(tool.name).toBe("execute_tool lookup");
    expect(tool.parentSpanId).toBe(server.spanId);
    expect(tool.durationMs).toBe(0);
    expect(tool.attributes["causeway.mcp.server"]).toBeUndefined();
    expect(tool.attributes["causeway.tool.refused"]).toBe(true);
    expect(tool.status).toEqual({ code: OTLP_STATUS.ERROR, message: "unknown tool" });
  });
});

describe("a failing collector", () => {
  it("costs one warning, not one per export, and shutdown still resolves", async () => {
    const collector = await receiver({ status: 400 });
    const logger = new MemoryLogger();
    const tracing = tracingOrFail(
      createTracing(
        // One span per export: four failed exports.
        { OTEL_EXPORTER_OTLP_ENDPOINT: collector.url, OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "1" },
        logger,
      ),
    );
    driveInterception(tracing.observer);
    // The processor sends the four batches one after the other; shutdown would abandon the rest
    // at the first failure, so wait for all four to have been refused.
    await until(() => collector.requests.length === 4);
    await tracing.shutdown();
    const warnings = logger.lines.filter((l) => l.level === "warn");
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.message).toBe("OTLP trace export failed; spans dropped");
    expect(warnings[0]!.fields).toMatchObject({ endpoint: `${collector.url}/v1/traces`, dropped_spans: 1 });
  });

  it("a flush at shutdown that fails is logged once, not again by shutdown", async () => {
    const collector = await receiver({ status: 400 });
    const logger = new MemoryLogger();
    const tracing = tracingOrFail(createTracing({ OTEL_EXPORTER_OTLP_ENDPOINT: collector.url }, logger));
    driveInterception(tracing.observer);
    await tracing.shutdown();
    expect(collector.requests).toHaveLength(1);
    expect(logger.lines.map((l) => [l.level, l.message, l.fields?.dropped_spans])).toEqual([
      ["warn", "OTLP trace export failed; spans dropped", 4],
    ]);
  });
});

async function until(condition: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

function summary(status: "completed" | "upstream_error", httpStatus: number, detail: string | null) {
  const tokens = { input: 0, output: 0, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
  return {
    status,
    httpStatus,
    detail,
    durationMs: 10,
    ttfbMs: null,
    tokens,
    attempts: 1,
    responseModel: null,
  };
}
