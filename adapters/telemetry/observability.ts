import type { Logger } from "../../core/ports/logger.ts";
import type { Observer } from "../../core/ports/observer.ts";
import type { Settings } from "../config/load.ts";
import { fanOut } from "./fan-out.ts";
import { createTracing } from "./otel-tracing.ts";
import { type MetricSources, PrometheusMetrics } from "./prometheus-metrics.ts";

/**
 * What `causeway serve` observes with: metrics unless `metrics.enabled: false` (a few µs a
 * request; docs/benchmarks.md, "Cost of observability"), traces only when the OTEL_* variables
 * configure an OTLP endpoint.
 */
export interface Observability {
  /** Absent: nothing is observed (no metrics, no tracing) and the core keeps its no-op. */
  readonly observer?: Observer;
  /** Null when metrics are off. */
  readonly metrics: PrometheusMetrics | null;
  /** For the main listener (admins only) when metrics are on and have no listener of their own. */
  readonly metricsPage?: () => Promise<Response>;
  /** The OTLP destination when tracing is on (for the startup line), else null. */
  readonly tracing: { readonly protocol: string; readonly endpoint: string } | null;
  /** Where the gauges read the audit queue and breakers, once the app exists. */
  watch(sources: MetricSources): void;
  /** Exports the spans still pending; after the audit's flush at shutdown. */
  close(): Promise<void>;
}

export function startObservability(
  settings: Settings,
  env: Record<string, string | undefined>,
  logger: Logger,
): Observability {
  const metrics = settings.metrics.enabled
    ? new PrometheusMetrics({ modelCap: settings.metrics.labelCap })
    : null;
  const providerKinds = Object.fromEntries(settings.providers.map((p) => [p.name, p.kind]));
  const tracing = createTracing(env, logger, { providerKinds });
  const observer = metrics && tracing ? fanOut(metrics, tracing.observer) : (metrics ?? tracing?.observer);
  return {
    ...(observer ? { observer } : {}),
    metrics,
    ...(metrics && !settings.metrics.listen ? { metricsPage: () => metrics.render() } : {}),
    tracing: tracing ? { protocol: tracing.protocol, endpoint: tracing.endpoint } : null,
    watch: (sources) => metrics?.watch(sources),
    close: async () => {
      await tracing?.shutdown();
    },
  };
}
