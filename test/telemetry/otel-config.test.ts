import { describe, expect, it } from "vitest";
import { readTracingConfig, type TracingConfig } from "../../adapters/telemetry/otel-config.ts";
import { MemoryLogger } from "../../core/ports/logger.ts";

const BASE = { OTEL_EXPORTER_OTLP_ENDPOINT: "http://collector:4318" };

function read(env: Record<string, string | undefined>): { config: TracingConfig; logger: MemoryLogger } {
  const logger = new MemoryLogger();
  const config = readTracingConfig(env, logger);
  if (!config) throw new Error("expected tracing to be on");
  return { config, logger };
}

describe("readTracingConfig", () => {
  it.each([
    ["http://collector:4318", "http://collector:4318/v1/traces"],
    ["http://collector:4318/", "http://collector:4318/v1/traces"],
    ["https://gateway.example/otlp", "https://gateway.example/otlp/v1/traces"],
  ])("the generic endpoint %s is a base: spans go to %s", (endpoint, url) => {
    expect(read({ OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }).config.exporter.url).toBe(url);
  });

  it("the traces endpoint is used as-is and wins over the generic one", () => {
    const { config } = read({ ...BASE, OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: "https://traces.example/ingest" });
    expect(config.exporter.url).toBe("https://traces.example/ingest");
  });

  it("defaults: http/protobuf, parent-based always-on, service causeway, no headers", () => {
    const { config, logger } = read(BASE);
    expect(config.protocol).toBe("http/protobuf");
    expect(config.sampler.toString()).toBe(
      "ParentBased{root=AlwaysOnSampler, remoteParentSampled=AlwaysOnSampler, remoteParentNotSampled=AlwaysOffSampler, localParentSampled=AlwaysOnSampler, localParentNotSampled=AlwaysOffSampler}",
    );
    expect(config.resource).toEqual({ "service.name": "causeway" });
    expect(config.exporter.headers).toEqual({});
    expect(config.batch).toEqual({});
    expect(logger.lines).toEqual([]);
  });

  it("the traces protocol wins over the generic one; an unknown protocol is a warning", () => {
    expect(
      read({
        ...BASE,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "http/json",
      }).config.protocol,
    ).toBe("http/json");
    const { config, logger } = read({ ...BASE, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: "thrift" });
    expect(config.protocol).toBe("http/protobuf");
    expect(logger.lines.map((l) => l.message)).toEqual([
      "OTEL_EXPORTER_OTLP_TRACES_PROTOCOL=thrift is not supported (only http/protobuf and http/json); using http/protobuf",
    ]);
  });

  it.each([
    ["always_on", undefined, "AlwaysOnSampler"],
    ["always_off", undefined, "AlwaysOffSampler"],
    ["traceidratio", "0.25", "TraceIdRatioBased{0.25}"],
    ["TraceIdRatio", undefined, "TraceIdRatioBased{1}"],
    ["parentbased_always_off", undefined, "ParentBased{root=AlwaysOffSampler"],
    ["parentbased_traceidratio", "0.1", "ParentBased{root=TraceIdRatioBased{0.1}"],
  ])("OTEL_TRACES_SAMPLER=%s (arg %s) is %s", (sampler, arg, description) => {
    const { config, logger } = read({ ...BASE, OTEL_TRACES_SAMPLER: sampler, OTEL_TRACES_SAMPLER_ARG: arg });
    expect(config.sampler.toString().startsWith(description)).toBe(true);
    expect(logger.lines).toEqual([]);
  });

  it("an unknown sampler or a bad ratio is a warning and the spec's default", () => {
    const unknown = read({ ...BASE, OTEL_TRACES_SAMPLER: "jaeger_remote" });
    expect(unknown.config.sampler.toString().startsWith("ParentBased{root=AlwaysOnSampler")).toBe(true);
    expect(unknown.logger.lines).toHaveLength(1);
    const badRatio = read({ ...BASE, OTEL_TRACES_SAMPLER: "traceidratio", OTEL_TRACES_SAMPLER_ARG: "1.5" });
    expect(badRatio.config.sampler.toString()).toBe("TraceIdRatioBased{1}");
    expect(badRatio.logger.lines).toHaveLength(1);
  });

  it("headers: the traces variable wins per key; values are percent-decoded and never logged", () => {
    const { config, logger } = read({
      ...BASE,
      OTEL_EXPORTER_OTLP_HEADERS: "api-key=generic%20secret,x-org=acme",
      OTEL_EXPORTER_OTLP_TRACES_HEADERS: "api-key=traces-secret",
    });
    expect(config.exporter.headers).toEqual({ "api-key": "traces-secret", "x-org": "acme" });
    expect(logger.lines).toEqual([]);
  });

  it("timeout and compression: the traces variable first, bad values warned and ignored", () => {
    const good = read({
      ...BASE,
      OTEL_EXPORTER_OTLP_TIMEOUT: "5000",
      OTEL_EXPORTER_OTLP_TRACES_TIMEOUT: "2500",
      OTEL_EXPORTER_OTLP_COMPRESSION: "gzip",
    });
    expect(good.config.exporter).toMatchObject({ timeoutMillis: 2500, compression: "gzip" });
    const bad = read({
      ...BASE,
      OTEL_EXPORTER_OTLP_TIMEOUT: "soon",
      OTEL_EXPORTER_OTLP_TRACES_COMPRESSION: "zstd",
    });
    expect(bad.config.exporter.timeoutMillis).toBeUndefined();
    expect(bad.config.exporter.compression).toBeUndefined();
    expect(bad.logger.lines).toHaveLength(2);
  });

  it("resource: OTEL_SERVICE_NAME over service.name in OTEL_RESOURCE_ATTRIBUTES over the default", () => {
    expect(
      read({ ...BASE, OTEL_RESOURCE_ATTRIBUTES: "service.name=from-list,team=ai%2Cplatform" }).config
        .resource,
    ).toEqual({ "service.name": "from-list", team: "ai,platform" });
    expect(
      read({ ...BASE, OTEL_RESOURCE_ATTRIBUTES: "service.name=from-list", OTEL_SERVICE_NAME: "from-name" })
        .config.resource,
    ).toEqual({ "service.name": "from-name" });
  });

  it("a malformed OTEL_RESOURCE_ATTRIBUTES is discarded whole, with a warning", () => {
    const { config, logger } = read({ ...BASE, OTEL_RESOURCE_ATTRIBUTES: "team=ai,broken,zone=eu" });
    expect(config.resource).toEqual({ "service.name": "causeway" });
    expect(logger.lines).toHaveLength(1);
  });

  it("the batch processor's OTEL_BSP_* variables", () => {
    const { config } = read({
      ...BASE,
      OTEL_BSP_SCHEDULE_DELAY: "1000",
      OTEL_BSP_EXPORT_TIMEOUT: "20000",
      OTEL_BSP_MAX_QUEUE_SIZE: "4096",
      OTEL_BSP_MAX_EXPORT_BATCH_SIZE: "256",
    });
    expect(config.batch).toEqual({
      scheduledDelayMillis: 1000,
      exportTimeoutMillis: 20000,
      maxQueueSize: 4096,
      maxExportBatchSize: 256,
    });
  });

  it("another exporter next to otlp is a warning; otlp is still used", () => {
    const { logger } = read({ ...BASE, OTEL_TRACES_EXPORTER: "otlp,console" });
    expect(logger.lines.map((l) => l.fields)).toEqual([{ ignored: ["console"] }]);
  });
});
