import { OTLPTraceExporter as JsonTraceExporter } from "@opentelemetry/exporter-trace-otlp-http";
import { OTLPTraceExporter as ProtobufTraceExporter } from "@opentelemetry/exporter-trace-otlp-proto";
import { defaultResource, resourceFromAttributes } from "@opentelemetry/resources";
import {
  AlwaysOnSampler,
  BatchSpanProcessor,
  type SpanExporter,
  TracerProvider,
} from "@opentelemetry/sdk-trace";
import type { ProviderKind } from "../../core/config.ts";
import type { Logger } from "../../core/ports/logger.ts";
import type { Observer } from "../../core/ports/observer.ts";
import { ExportFailureLog } from "./export-failure-log.ts";
import { readTracingConfig, type TracingConfig } from "./otel-config.ts";
import { spanObserver } from "./otel-observer.ts";

/** Tracing that is on: the observer to give the core, and the flush to run before exit. */
export interface Tracing {
  readonly observer: Observer;
  readonly protocol: "http/protobuf" | "http/json";
  /** Where spans go, without userinfo or query (it may hold credentials): for the startup line. */
  readonly endpoint: string;
  /** Exports the spans still queued, then stops; never rejects (a failure is logged). */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** Provider kind per instance name (`gen_ai.provider.name`); an instance not listed is named as itself. */
  readonly providerKinds?: Readonly<Record<string, ProviderKind>>;
}

type ExporterConfig = NonNullable<ConstructorParameters<typeof ProtobufTraceExporter>[0]>;
/** The SDK's CompressionAlgorithm enum (a package we do not depend on), whose values are "gzip" and "none". */
type Compression = NonNullable<ExporterConfig["compression"]>;

/**
 * OpenTelemetry tracing over OTLP/HTTP, configured by the standard OTEL_* variables in `env`
 * (otel-config.ts), or null when they leave it off: then the core keeps NO_OBSERVER and tracing
 * costs nothing per request. Spans are batched and exported in the background; a failing
 * collector costs a rate-limited warning, never a request. Never throws.
 */
export function createTracing(
  env: Record<string, string | undefined>,
  logger: Logger,
  options: TracingOptions = {},
): Tracing | null {
  const config = readTracingConfig(env, logger);
  if (!config) return null;
  let exporter: ExportFailureLog;
  try {
    exporter = new ExportFailureLog(otlpExporter(config), logger, { url: config.exporter.url });
  } catch (error) {
    logger.warn("the OTLP trace exporter could not be created; tracing is off", {
      error: error instanceof Error ? error.message : String(error),
    });
    return null;
  }
  const provider = new TracerProvider({
    resource: defaultResource().merge(resourceFromAttributes(config.resource)),
    // The observer samples first (spanObserver's `sampler`): what reaches the SDK is kept.
    sampler: new AlwaysOnSampler(),
    spanProcessors: [new BatchSpanProcessor({ exporter, ...config.batch })],
  });
  const tracer = provider.getTracer("causeway");
  const where = new URL(config.exporter.url);
  return {
    protocol: config.protocol,
    endpoint: where.origin + where.pathname,
    observer: spanObserver(tracer, {
      sampler: config.sampler,
      ...(options.providerKinds ? { providerKinds: options.providerKinds } : {}),
    }),
    async shutdown() {
      try {
        await provider.shutdown();
      } catch (error) {
        // A failed export was already logged (or counted) by ExportFailureLog; others, e.g. a
        // batch that outlived OTEL_BSP_EXPORT_TIMEOUT, are said here.
        const errors = Array.isArray(error) ? error : [error];
        if (!errors.every((e) => exporter.hasSeen(e)))
          logger.warn("tracing shutdown: some spans were not exported", { error: describe(error) });
      }
    },
  };
}

/** The exporter for the chosen protocol, with the endpoint and options read from `env`. */
function otlpExporter(config: TracingConfig): SpanExporter {
  const { url, headers, timeoutMillis, compression } = config.exporter;
  const exporterConfig: ExporterConfig = {
    url,
    headers: { ...headers },
    ...(timeoutMillis === undefined ? {} : { timeoutMillis }),
    ...(compression === undefined ? {} : { compression: compression as Compression }),
  };
  return config.protocol === "http/json"
    ? new JsonTraceExporter(exporterConfig)
    : new ProtobufTraceExporter(exporterConfig);
}

function describe(error: unknown): string {
  if (Array.isArray(error)) return error.map(describe).join("; ");
  return error instanceof Error ? error.message : String(error);
}
