import type { BenchOptions } from "../lib/options.ts";
import { cpuMicros } from "../lib/processes.ts";
import type { ThroughputFigure } from "../lib/report.ts";
import { DEFAULT_SHAPE, requestBody } from "../lib/shapes.ts";
import { median, round } from "../lib/stats.ts";
import { autocannon, type LoadRun } from "../load/autocannon.ts";
import { endpoint, type Target } from "../targets/target.ts";

/**
 * Anthropic Messages, blocking, at saturation: autocannon with many connections, variants
 * interleaved round by round; the figure is the median round. A short unrecorded warm-up first.
 */
export async function measureThroughput(
  targets: readonly Target[],
  options: BenchOptions,
): Promise<Record<string, ThroughputFigure>> {
  const { connections, seconds, rounds } = options.throughput;
  const body = requestBody("anthropic.messages", DEFAULT_SHAPE, false);
  const runs = new Map<string, LoadRun[]>(targets.map((t) => [t.name, []]));
  const cpu = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  /** One recorded run, with the gateway's CPU time per request (robust when the machine is busy). */
  const measure = async (target: Target): Promise<void> => {
    const before = target.pid === null ? null : cpuMicros(target.pid);
    const run = await autocannon(endpoint(target, "anthropic.messages"), body, connections, seconds);
    const after = target.pid === null ? null : cpuMicros(target.pid);
    runs.get(target.name)!.push(run);
    if (before !== null && after !== null && run.rps > 0)
      cpu.get(target.name)!.push((after - before) / (run.rps * run.durationS));
  };
  if (options.throughput.warmupSeconds > 0) {
    for (const target of targets)
      await autocannon(
        endpoint(target, "anthropic.messages"),
        body,
        connections,
        options.throughput.warmupSeconds,
      );
  }
  for (let round = 0; round < rounds; round++) {
    // Alternate the order so no variant always runs right after the same neighbour.
    const order = round % 2 === 0 ? targets : [...targets].reverse();
    for (const target of order) await measure(target);
  }
  const figures: Record<string, ThroughputFigure> = {};
  for (const target of targets) {
    const list = runs.get(target.name)!;
    const rps = list.map((r) => r.rps);
    const mid = list.find((r) => r.rps === median(rps)) ?? list[0]!;
    figures[target.name] = {
      rps: Math.round(median(rps)),
      runs: rps.map((r) => Math.round(r)),
      latencyP50: round(mid.latencyP50Ms),
      latencyP99: round(mid.latencyP99Ms),
      cpuUsPerRequest: cpu.get(target.name)!.length ? round(median(cpu.get(target.name)!), 1) : null,
      non2xx: list.reduce((sum, r) => sum + r.non2xx, 0),
      errors: list.reduce((sum, r) => sum + r.errors, 0),
    };
  }
  return figures;
}
