import type { Logger } from "../../core/ports/logger.ts";
import type { Observer } from "../../core/ports/observer.ts";
import type { Settings } from "../config/load.ts";
import { fanOut } from "./fan-out.ts";
import { createTracing } from "./otel-tracing.ts";
import { type MetricSources, PrometheusMetrics } from "./prometheus-metrics.ts";

/**
 * What `causeway serve` observes with: metrics always (prom-client counters cost well under a
 * microsecond a request), traces only when the OTEL_* variables configure an OTLP endpoint.
 */
export interface Observability {
  readonly observer: Observer;
  readonly metrics: PrometheusMetrics;
  /** For the main listener (admins only) when metrics have no listener of their own. */
  readonly metricsPage?: () => Promise<Response>;
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
  const metrics = new PrometheusMetrics({ modelCap: settings.metrics.labelCap });
  const providerKinds = Object.fromEntries(settings.providers.map((p) => [p.name, p.kind]));
  const tracing = createTracing(env, logger, { providerKinds });
  return {
    observer: tracing ? fanOut(metrics, tracing.observer) : metrics,
    metrics,
    ...(settings.metrics.listen ? {} : { metricsPage: () => metrics.render() }),
    watch: (sources) => metrics.watch(sources),
    close: async () => {
      await tracing?.shutdown();
    },
  };
}
