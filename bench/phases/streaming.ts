import type { BenchOptions } from "../lib/options.ts";
import type { StreamFigure } from "../lib/report.ts";
import { type ApiKind, requestBody } from "../lib/shapes.ts";
import { percentile, round } from "../lib/stats.ts";
import type { StreamsJob, StreamsResult } from "../load/jobs.ts";
import { runProbe } from "../load/run-probe.ts";
import { endpoint, type Target } from "../targets/target.ts";

/**
 * Streams one at a time, variants interleaved stream by stream. Time to first byte is measured
 * from the request; per-event delay is the upstream's send stamp to the client's receipt.
 */
export async function measureStreaming(
  api: ApiKind,
  targets: readonly Target[],
  options: BenchOptions,
): Promise<Record<string, StreamFigure>> {
  const { events, size, intervalMs, warmup, rounds } = options.streams;
  const job: StreamsJob = {
    kind: "streams",
    endpoints: targets.map((t) => endpoint(t, api)),
    body: requestBody(api, { events, size, intervalMs, hold: false }, true),
    events,
    warmup,
    rounds,
  };
  const streams = targets.length * (warmup + rounds);
  // ~0.12 s per stream measured (20 events 5 ms apart; Portkey adds ~30 ms): 300 ms each is ~2.5× that.
  const result = await runProbe<StreamsResult>(job, 30_000 + streams * (events * intervalMs + 200));
  const base = (values: Record<string, number[]>, p: number) => percentile(values.direct ?? [], p);
  const figures: Record<string, StreamFigure> = {};
  for (const target of targets) {
    const ttfb = result.ttfbMs[target.name] ?? [];
    const delays = result.eventDelayMs[target.name] ?? [];
    const at = (values: number[], p: number) => percentile(values, p);
    figures[target.name] = {
      streams: ttfb.length,
      errors: result.errors[target.name] ?? 0,
      ttfbP50: round(at(ttfb, 50)),
      ttfbP99: round(at(ttfb, 99)),
      addedTtfbP50: round(at(ttfb, 50) - base(result.ttfbMs, 50)),
      addedTtfbP99: round(at(ttfb, 99) - base(result.ttfbMs, 99)),
      eventDelayP50: round(at(delays, 50)),
      eventDelayP99: round(at(delays, 99)),
      addedEventDelayP50: round(at(delays, 50) - base(result.eventDelayMs, 50)),
      addedEventDelayP99: round(at(delays, 99) - base(result.eventDelayMs, 99)),
    };
  }
  return figures;
}
