import { planLevels } from "../lib/capacity.ts";
import type { BenchOptions } from "../lib/options.ts";
import type { ConcurrencyFigure, ConcurrencyLevel } from "../lib/report.ts";
import { requestBody } from "../lib/shapes.ts";
import { round } from "../lib/stats.ts";
import type { ConcurrentJob, ConcurrentResult } from "../load/jobs.ts";
import { runProbe } from "../load/run-probe.ts";
import { endpoint, type Target } from "../targets/target.ts";

/**
 * The most concurrent stall-free streams: ramps the number of simultaneous Anthropic streams
 * level by level (variants interleaved per level). A level passes when every stream completes
 * and neither its first byte nor any event arrives later than the stall threshold (event delay
 * is measured from the upstream's send stamp); a variant stops at its first failing level.
 * A level of N streams opens them over max(rampMs, N × rampMsPerStream) and spaces the events so
 * that each stream lasts 1.5 × the ramp: every stream is open at once from the end of the ramp
 * (the probe reports the peak in flight), and the event rate stays bounded (N × events ÷ 1.5 ramp,
 * ~6,700 events/s at 1 ms per stream whatever N). Levels beyond the machine's limits
 * (open files, ports) are cut down or skipped and reported; slow variants stop at their cap.
 */
export async function measureConcurrency(
  targets: readonly Target[],
  options: BenchOptions,
  warn: (line: string) => void,
): Promise<Record<string, ConcurrencyFigure>> {
  const { levels, events, stallMs } = options.concurrency;
  const results = new Map<string, ConcurrencyLevel[]>(targets.map((t) => [t.name, []]));
  const notRun = new Map<string, { streams: number; reason: string }[]>(targets.map((t) => [t.name, []]));
  const plans = new Map(
    targets.map((t) => {
      const cap = options.concurrency.variantMaxStreams[t.name] ?? null;
      const plan = planLevels(t.name, levels, t.pid !== null, cap);
      for (const level of plan) {
        if (level.warning) warn(level.warning);
        // Cut-down levels too: the level asked for did not run (the figure shows what ran instead).
        if (level.streams === null || level.warning)
          notRun.get(t.name)!.push({
            streams: level.requested,
            reason:
              level.warning ?? `${t.name} stops at ${cap?.toLocaleString("en-US")} streams (slow variant)`,
          });
      }
      return [t.name, plan] as const;
    }),
  );
  const active = new Set(targets.map((t) => t.name));
  for (const [index] of levels.entries()) {
    for (const target of targets) {
      const planned = plans.get(target.name)![index]!;
      const streams = planned.streams;
      if (!active.has(target.name) || streams === null) continue;
      const { rampMs, intervalMs } = pace(streams, options);
      const timeoutMs = rampMs + events * intervalMs + 15_000;
      const job: ConcurrentJob = {
        kind: "concurrent",
        endpoint: endpoint(target, "anthropic.messages"),
        body: requestBody("anthropic.messages", { events, size: 64, intervalMs, hold: false }, true),
        events,
        streams,
        rampMs,
        stallMs,
        timeoutMs,
      };
      let level: ConcurrencyLevel;
      try {
        const r = await runProbe<ConcurrentResult>(job, timeoutMs + 15_000);
        level = {
          streams,
          ...(streams !== planned.requested ? { requested: planned.requested } : {}),
          rampMs,
          intervalMs,
          peakInFlight: r.peakInFlight,
          completed: r.completed,
          failed: r.failed,
          late: r.late,
          stallFree: r.failed === 0 && r.late === 0,
          ttfbP99: round(r.ttfbP99Ms),
          eventDelayP99: round(r.eventDelayP99Ms),
          eventDelayMax: round(r.eventDelayMaxMs),
          elapsedMs: Math.round(r.elapsedMs),
          firstError: r.firstError,
        };
      } catch (error) {
        level = {
          streams,
          ...(streams !== planned.requested ? { requested: planned.requested } : {}),
          rampMs,
          intervalMs,
          peakInFlight: null,
          completed: 0,
          failed: streams,
          late: 0,
          stallFree: false,
          ttfbP99: null,
          eventDelayP99: null,
          eventDelayMax: null,
          elapsedMs: 0,
          firstError: String(error).slice(0, 300),
        };
      }
      results.get(target.name)!.push(level);
      if (!level.stallFree) active.delete(target.name);
      // Let sockets in TIME_WAIT and the gateways' buffers settle before the next load.
      await Bun.sleep(Math.max(500, streams / 10));
    }
  }
  const figures: Record<string, ConcurrencyFigure> = {};
  for (const target of targets) {
    const list = results.get(target.name)!;
    figures[target.name] = {
      maxStallFree: Math.max(0, ...list.filter((l) => l.stallFree).map((l) => l.streams)),
      levels: list,
      notRun: notRun.get(target.name)!,
    };
  }
  return figures;
}

/** A level's ramp and event interval: each stream lasts 1.5 × the ramp, so all overlap at its end. */
export function pace(streams: number, options: BenchOptions): { rampMs: number; intervalMs: number } {
  const { events, intervalMs, rampMs, rampMsPerStream } = options.concurrency;
  const ramp = Math.max(rampMs, Math.round(streams * rampMsPerStream));
  return { rampMs: ramp, intervalMs: Math.max(intervalMs, Math.ceil((1.5 * ramp) / Math.max(1, events))) };
}
