import type { BenchOptions } from "../lib/options.ts";
import type { LatencyFigure } from "../lib/report.ts";
import { type ApiKind, DEFAULT_SHAPE, requestBody } from "../lib/shapes.ts";
import { percentile, round } from "../lib/stats.ts";
import type { LatencyJob, LatencyResult } from "../load/jobs.ts";
import { runProbe } from "../load/run-probe.ts";
import { endpoint, type Target } from "../targets/target.ts";

/** Blocking requests at concurrency 1, variants interleaved in blocks; added = variant − direct. */
export async function measureLatency(
  api: ApiKind,
  targets: readonly Target[],
  options: BenchOptions,
): Promise<Record<string, LatencyFigure>> {
  const { warmup, rounds, perBlock } = options.latency;
  const job: LatencyJob = {
    kind: "latency",
    endpoints: targets.map((t) => endpoint(t, api)),
    body: requestBody(api, DEFAULT_SHAPE, false),
    warmup,
    rounds,
    perBlock,
  };
  const requests = targets.length * (warmup + rounds * perBlock);
  const result = await runProbe<LatencyResult>(job, 30_000 + requests * 50);
  const direct = result.samplesMs.direct ?? [];
  const directP50 = percentile(direct, 50);
  const directP99 = percentile(direct, 99);
  const figures: Record<string, LatencyFigure> = {};
  for (const target of targets) {
    const samples = result.samplesMs[target.name] ?? [];
    const p50 = percentile(samples, 50);
    const p99 = percentile(samples, 99);
    figures[target.name] = {
      samples: samples.length,
      errors: result.errors[target.name] ?? 0,
      p50: round(p50),
      p99: round(p99),
      addedP50: round(p50 - directP50),
      addedP99: round(p99 - directP99),
    };
  }
  return figures;
}
