import type { BenchOptions } from "../lib/options.ts";
import { rssBytes } from "../lib/processes.ts";
import type { IdleMemoryFigure } from "../lib/report.ts";
import { requestBody } from "../lib/shapes.ts";
import { openIdleStreams } from "../load/run-probe.ts";
import { endpoint, type Target } from "../targets/target.ts";

/**
 * Resident memory per open idle stream: the gateway process's RSS with N held-open Anthropic
 * streams (first events delivered, upstream silent) minus its RSS just before they opened.
 */
export async function measureIdleMemory(
  targets: readonly Target[],
  options: BenchOptions,
): Promise<Record<string, IdleMemoryFigure>> {
  const { streams, settleMs } = options.idle;
  const body = requestBody("anthropic.messages", { events: 0, size: 0, intervalMs: 0, hold: true }, true);
  const figures: Record<string, IdleMemoryFigure> = {};
  for (const target of targets) {
    if (target.pid === null) continue;
    await Bun.sleep(settleMs);
    const before = rssBytes(target.pid) ?? 0;
    const idle = await openIdleStreams({
      kind: "idle",
      endpoint: endpoint(target, "anthropic.messages"),
      body,
      streams,
      timeoutMs: 10_000,
    });
    await Bun.sleep(settleMs);
    const open = rssBytes(target.pid) ?? 0;
    await idle.close();
    figures[target.name] = {
      streams,
      open: idle.ready.open,
      rssBeforeBytes: before,
      rssOpenBytes: open,
      bytesPerStream:
        idle.ready.open > 0 && before > 0 ? Math.round((open - before) / idle.ready.open) : null,
      firstError: idle.ready.firstError,
    };
  }
  return figures;
}
