/**
 * Standalone: what each part of observability costs `causeway serve` end to end (docs/benchmarks.md,
 * "Cost of observability"). The throughput phase of the bench (same options: 64 connections,
 * 3 rounds of 5 s, order alternating by round) on `causeway serve` variants that switch metrics,
 * the per-interception log line and OTLP tracing (to the local sink) on one at a time.
 *
 *   node_modules/.bin/bun bench/repro/observability-split.ts
 *
 * Prints, per variant, req/s (median round, every round) and the gateway's CPU µs per request,
 * with the difference from the variant with everything off.
 */
import { parseOptions } from "../lib/options.ts";
import { spawnChild, stopAll } from "../lib/processes.ts";
import { measureThroughput } from "../phases/throughput.ts";
import type { Target, VariantName } from "../targets/target.ts";
import { BUN, ROOT, startCausewayServe } from "../targets/variants.ts";

const LISTENING = /"listening":"(http:\/\/127\.0\.0\.1:\d+)"/;
const METRICS_OFF = "metrics:\n  enabled: false\n";

const upstream = (
  await spawnChild("upstream", [BUN, "bench/upstream/server.ts"], { cwd: ROOT }).waitFor(LISTENING, 15_000)
)[1]!;
const sink = (
  await spawnChild("otlp-sink", [BUN, "bench/upstream/otlp-sink.ts"], { cwd: ROOT }).waitFor(
    LISTENING,
    15_000,
  )
)[1]!;
const tracing = { OTEL_EXPORTER_OTLP_ENDPOINT: sink, OTEL_EXPORTER_OTLP_PROTOCOL: "http/protobuf" };

/** Name, config file, OTEL_* variables. `log: warn` drops the info line (and the "listening" line). */
const SPLIT: readonly (readonly [string, string, Record<string, string>])[] = [
  ["all off", `${METRICS_OFF}log:\n  level: warn\n`, {}],
  ["metrics", "log:\n  level: warn\n", {}],
  ["log line", `${METRICS_OFF}log:\n  level: info\n`, {}],
  ["tracing", `${METRICS_OFF}log:\n  level: warn\n`, tracing],
  ["metrics + log line", "log:\n  level: info\n", {}],
  ["all on", "log:\n  level: info\n", tracing],
  // What an operator can choose today: keep one trace in ten (a client's sampled traceparent still wins).
  [
    "all on, 10% traced",
    "log:\n  level: info\n",
    { ...tracing, OTEL_TRACES_SAMPLER: "parentbased_traceidratio", OTEL_TRACES_SAMPLER_ARG: "0.1" },
  ],
];

try {
  const targets: Target[] = [];
  for (const [name, config, env] of SPLIT)
    targets.push(
      await startCausewayServe(upstream, {
        // Not bench variants: names for this table only.
        name: name as VariantName,
        description: name,
        config,
        env,
        quiet: config.includes("warn"),
      }),
    );
  const figures = await measureThroughput(targets, parseOptions([]));
  const base = figures["all off"]?.cpuUsPerRequest ?? null;
  for (const [name] of SPLIT) {
    const f = figures[name]!;
    const cpu = f.cpuUsPerRequest;
    const delta =
      cpu !== null && base !== null ? ` (${cpu - base >= 0 ? "+" : ""}${(cpu - base).toFixed(1)})` : "";
    console.log(
      `${name.padEnd(20)} ${String(f.rps).padStart(6)} req/s (rounds ${f.runs.join(", ")}), CPU ${cpu ?? "—"} µs/request${delta}`,
    );
  }
  await Promise.allSettled(targets.map((target) => target.stop()));
} finally {
  await stopAll();
}
