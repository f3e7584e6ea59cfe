import type { BenchReport, TargetCheck } from "./report.ts";

type Figures = Omit<BenchReport, "targets">;

const check = (
  id: string,
  figure: string,
  target: string,
  value: number | null | undefined,
  unit: string,
  ok: (v: number) => boolean,
): TargetCheck => ({
  id,
  figure,
  target,
  value: value ?? null,
  unit,
  met: value === null || value === undefined ? null : ok(value),
});

const ratio = (a: number | undefined, b: number | undefined): number | null =>
  a === undefined || b === undefined || b === 0 ? null : Math.round((a / b) * 100) / 100;

/** The targets (2-core machine, same run), evaluated on Anthropic Messages figures. */
export function evaluateTargets(report: Figures): TargetCheck[] {
  const latency = report.latency["anthropic.messages"] ?? {};
  const streaming = report.streaming["anthropic.messages"] ?? {};
  const rps = (name: string) => report.throughput[name]?.rps;
  return [
    check(
      "latency-bun",
      "added p99 latency, concurrency 1, Causeway on Bun",
      "≤ 0.5 ms",
      latency["causeway-bun"]?.addedP99,
      "ms",
      (v) => v <= 0.5,
    ),
    check(
      "latency-node",
      "added p99 latency, concurrency 1, Causeway on Node",
      "≤ 1 ms",
      latency["causeway-node"]?.addedP99,
      "ms",
      (v) => v <= 1,
    ),
    check(
      "throughput-portkey",
      "throughput at saturation, Causeway on Bun ÷ Portkey",
      "≥ 3×",
      ratio(rps("causeway-bun"), rps("portkey")),
      "×",
      (v) => v >= 3,
    ),
    check(
      "throughput-floor",
      "throughput at saturation, Causeway on Bun ÷ pass-through floor",
      "≥ 0.8×",
      ratio(rps("causeway-bun"), rps("floor-bun")),
      "×",
      (v) => v >= 0.8,
    ),
    check(
      "ttfb",
      "added time to first byte (median), Causeway on Bun",
      "≤ 1 ms",
      streaming["causeway-bun"]?.addedTtfbP50,
      "ms",
      (v) => v <= 1,
    ),
    check(
      "event-delay",
      "added delay per stream event (median), Causeway on Bun",
      "none (median ≤ 0.5 ms; buffering would add a whole event interval)",
      streaming["causeway-bun"]?.addedEventDelayP50,
      "ms",
      (v) => v <= 0.5,
    ),
    check(
      "concurrency",
      "concurrent stall-free streams, Causeway on Bun",
      "≥ 1,000",
      report.concurrency["causeway-bun"]?.maxStallFree,
      "streams",
      (v) => v >= 1000,
    ),
    idleMemoryCheck(report),
  ];
}

/** Per-stream memory only counts when every stream opened; a gateway that queues them misses. */
function idleMemoryCheck(report: Figures): TargetCheck {
  const figure = report.idleMemory["causeway-bun"];
  const kib = figure?.bytesPerStream == null ? null : Math.round((figure.bytesPerStream / 1024) * 10) / 10;
  const base = check(
    "idle-memory",
    "resident memory per open idle stream, Causeway on Bun",
    "≤ 64 KiB",
    kib,
    "KiB",
    (v) => v <= 64,
  );
  if (!figure || figure.open === figure.streams) return base;
  return {
    ...base,
    met: false,
    note: `only ${figure.open} of ${figure.streams} streams opened (${figure.firstError ?? "unknown"}); the value is per opened stream`,
  };
}
