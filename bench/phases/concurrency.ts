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
 */
export async function measureConcurrency(
  targets: readonly Target[],
  options: BenchOptions,
): Promise<Record<string, ConcurrencyFigure>> {
  const { levels, events, intervalMs, rampMs, stallMs } = options.concurrency;
  const body = requestBody("anthropic.messages", { events, size: 64, intervalMs, hold: false }, true);
  const results = new Map<string, ConcurrencyLevel[]>(targets.map((t) => [t.name, []]));
  const active = new Set(targets.map((t) => t.name));
  for (const streams of levels) {
    for (const target of targets) {
      if (!active.has(target.name)) continue;
      const timeoutMs = rampMs + events * intervalMs + 15_000;
      const job: ConcurrentJob = {
        kind: "concurrent",
        endpoint: endpoint(target, "anthropic.messages"),
        body,
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
      await Bun.sleep(500);
    }
  }
  const figures: Record<string, ConcurrencyFigure> = {};
  for (const target of targets) {
    const list = results.get(target.name)!;
    figures[target.name] = {
      maxStallFree: Math.max(0, ...list.filter((l) => l.stallFree).map((l) => l.streams)),
      levels: list,
    };
  }
  return figures;
}
