import { resolve } from "node:path";
import { resolveSettings } from "../../adapters/config/load.ts";
import { jsonLogger } from "../../adapters/runtime/system-ports.ts";
import { startObservability } from "../../adapters/telemetry/observability.ts";
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
 */
const ROOT = resolve(import.meta.dirname, "../..");

export const OBSERVER_MODES = ["none", "metrics", "metrics+tracing"] as const;
export type ObserverMode = (typeof OBSERVER_MODES)[number];

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
  const sink =
    mode === "metrics+tracing"
      ? spawnChild("otlp-sink", [process.execPath, "bench/upstream/otlp-sink.ts"], { cwd: ROOT })
      : null;
  const sinkUrl = sink ? (await sink.waitFor(/"listening":"(http:\/\/127\.0\.0\.1:\d+)"/, 15_000))[1]! : null;
  const otel: Record<string, string> = sinkUrl
    ? { OTEL_EXPORTER_OTLP_ENDPOINT: sinkUrl, OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" }
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
export const interceptionLog = (on: boolean) => (on ? jsonLogger(undefined, "info") : silentLogger);
