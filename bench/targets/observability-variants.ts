import { Database } from "bun:sqlite";
import { readSinkStats } from "../upstream/otlp-sink.ts";
import type { Target } from "./target.ts";
import { startCausewayServe } from "./variants.ts";

/**
 * Two `causeway serve` variants that differ from each other only in observability, to measure
 * what it costs (issue 12: within 5% of the throughput with it off). Both are `causeway-bun`
 * otherwise: a fresh SQLite store, a user from `causeway users create`, auth and audit on.
 */

/** Metrics off, and `warn` drops the one `interception` info line per request. */
const UNOBSERVED_CONFIG = "metrics:\n  enabled: false\nlog:\n  level: warn\n";
/** What `causeway serve` does by default, written out: metrics on, the info line per interception. */
const OBSERVED_CONFIG = "metrics:\n  enabled: true\nlog:\n  level: info\n";

export function causewayUnobservedTarget(upstream: string): Promise<Target> {
  return startCausewayServe(upstream, {
    name: "causeway-bun-unobserved",
    description:
      "`causeway serve` on Bun, auth and SQLite audit on; metrics, tracing and the per-request log line off",
    config: UNOBSERVED_CONFIG,
    quiet: true,
  });
}

/**
 * Everything on: metrics, the info line, and a span per interception and per upstream call
 * (the default sampler keeps every trace) batched to `otlpSink` over OTLP/HTTP protobuf.
 * `report` receives, once the process has stopped and flushed, how many spans reached the sink
 * against the interceptions it audited: the check that every request was traced.
 */
export function causewayObservedTarget(
  upstream: string,
  otlpSink: string,
  report: (line: string) => void,
): Promise<Target> {
  return startCausewayServe(upstream, {
    name: "causeway-bun-observed",
    description:
      "`causeway serve` on Bun, auth and SQLite audit on; metrics, the per-request log line and OTLP tracing (every request, http/protobuf to a local sink) on",
    config: OBSERVED_CONFIG,
    env: { OTEL_EXPORTER_OTLP_ENDPOINT: otlpSink, OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" },
    async afterStop(store) {
      const sink = await readSinkStats(otlpSink).catch(() => null);
      const interceptions = countInterceptions(store);
      if (!sink) return report("causeway-bun-observed: the OTLP sink did not report its counts");
      const perInterception =
        sink.spans !== null && interceptions ? (sink.spans / interceptions).toFixed(2) : "—";
      report(
        `causeway-bun-observed exported ${sink.spans ?? "an unknown number of"} spans for ${interceptions ?? "?"} audited interceptions (${perInterception} per interception) in ${sink.requests} OTLP requests of ${(sink.bytes / 2 ** 20).toFixed(1)} MiB to the local sink`,
      );
    },
  });
}

/** Interceptions in the variant's audit store (its process has stopped and flushed). */
function countInterceptions(store: string): number | null {
  try {
    const db = new Database(store, { readonly: true });
    try {
      return (db.query("SELECT count(*) AS n FROM interceptions").get() as { n: number }).n;
    } finally {
      db.close();
    }
  } catch {
    return null;
  }
}
