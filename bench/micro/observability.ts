import { resolve } from "node:path";
import { ExportResultCode } from "@opentelemetry/core";
import { defaultResource } from "@opentelemetry/resources";
import { BatchSpanProcessor, type SpanExporter, TracerProvider } from "@opentelemetry/sdk-trace";
import { resolveSettings, type Settings } from "../../adapters/config/load.ts";
import { stderrLogger } from "../../adapters/runtime/stderr-logger.ts";
import { jsonLogger } from "../../adapters/runtime/system-ports.ts";
import { fanOut } from "../../adapters/telemetry/fan-out.ts";
import { startObservability } from "../../adapters/telemetry/observability.ts";
import { spanObserver } from "../../adapters/telemetry/otel-observer.ts";
import { silentLogger } from "../../core/ports/logger.ts";
import type { Observer } from "../../core/ports/observer.ts";
import { spawnChild } from "../lib/processes.ts";
import { readSinkStats } from "../upstream/otlp-sink.ts";

/**
 * The micro bench's observer, built by the same `startObservability` that `causeway serve` runs,
 * from a config and OTEL_* variables:
 *   none             metrics.enabled: false, no OTEL_*: the core keeps NO_OBSERVER
 *   metrics          Prometheus metrics (the default)
 *   metrics+tracing  metrics and OTLP tracing, http/protobuf, every request sampled, batched to the
 *                    local sink (bench/upstream/otlp-sink.ts) in its own process. An exporter to a
 *                    real receiver, not the SDK's in-memory one: serialising and POSTing the batches
 *                    is part of what tracing costs this thread, and an in-memory exporter would
 *                    instead keep every span alive (a growing heap the GC walks).
 *   metrics+spans    diagnostic: metrics and the same spans and batch processor, with an exporter
 *                    that drops each batch unread; against metrics+tracing it leaves the
 *                    serialising and sending of batches as the difference.
 */
export const OBSERVER_MODES = ["none", "metrics", "metrics+tracing", "metrics+spans"] as const;
export type ObserverMode = (typeof OBSERVER_MODES)[number];

const ROOT = resolve(import.meta.dirname, "../..");

export interface MicroObservability {
  readonly observer?: Observer;
  /** Exports the spans still queued (tracing), so the measured time includes their export. */
  flush(): Promise<void>;
  /** Spans the sink has received so far; null without tracing. */
  exportedSpans(): Promise<number | null>;
  close(): Promise<void>;
}

/** `env`: the bridge's own variables (providers); the OTEL_* ones are added here for tracing. */
export async function microObservability(
  mode: ObserverMode,
  env: Record<string, string>,
): Promise<MicroObservability> {
  const settings = resolveSettings(mode === "none" ? "metrics:\n  enabled: false\n" : null, env);
  if (mode === "metrics+spans") return spansWithoutExport(settings, env);
  const sink =
    mode === "metrics+tracing"
      ? spawnChild("otlp-sink", [process.execPath, "bench/upstream/otlp-sink.ts"], { cwd: ROOT })
      : null;
  const sinkUrl = sink ? (await sink.waitFor(/"listening":"(http:\/\/127\.0\.0\.1:\d+)"/, 15_000))[1]! : null;
  // Other OTEL_* variables of this process pass on (e.g. OTEL_TRACES_SAMPLER, OTEL_BSP_*).
  const otel: Record<string, string> = sinkUrl
    ? {
        ...otelVariables(),
        OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl,
        OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf",
      }
    : {};
  // Export failures must be seen: a failing exporter costs differently from a working one.
  const observability = startObservability(settings, { ...env, ...otel }, jsonLogger(undefined, "warn"));
  let flushed = false;
  return {
    ...(observability.observer ? { observer: observability.observer } : {}),
    async flush() {
      // The SDK flushes only on shutdown here; the bench measures once, so that is the end anyway.
      if (!sink || flushed) return;
      flushed = true;
      await observability.close();
    },
    async exportedSpans() {
      return sinkUrl ? (await readSinkStats(sinkUrl)).spans : null;
    },
    async close() {
      await observability.close();
      await sink?.stop();
    },
  };
}

/** The one `interception` info line per request as `causeway serve` writes it (to stderr), or none. */
export const interceptionLog = (on: boolean) => (on ? stderrLogger("info").logger : silentLogger);

function otelVariables(): Record<string, string> {
  return Object.fromEntries(
    Object.entries(process.env).filter(
      (entry): entry is [string, string] => entry[0].startsWith("OTEL_") && entry[1] !== undefined,
    ),
  );
}

/** Metrics plus spans batched as tracing batches them, handed to an exporter that only counts them. */
function spansWithoutExport(settings: Settings, env: Record<string, string>): MicroObservability {
  const metrics = startObservability(settings, env, jsonLogger(undefined, "warn"));
  let spans = 0;
  const exporter: SpanExporter = {
    export(batch, done) {
      spans += batch.length;
      done({ code: ExportResultCode.SUCCESS });
    },
    shutdown: async () => {},
  };
  const provider = new TracerProvider({
    resource: defaultResource(),
    spanProcessors: [new BatchSpanProcessor({ exporter })],
  });
  const providerKinds = Object.fromEntries(settings.providers.map((p) => [p.name, p.kind]));
  const spansObserver = spanObserver(provider.getTracer("causeway"), { providerKinds });
  return {
    observer: metrics.observer ? fanOut(metrics.observer, spansObserver) : spansObserver,
    flush: () => provider.forceFlush(),
    exportedSpans: async () => spans,
    close: () => provider.shutdown(),
  };
}
