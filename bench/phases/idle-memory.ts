import { streamLimit } from "../lib/capacity.ts";
import type { BenchOptions } from "../lib/options.ts";
import { rssBytes } from "../lib/processes.ts";
import type { IdleMemoryFigure } from "../lib/report.ts";
import { requestBody } from "../lib/shapes.ts";
import { openIdleStreams } from "../load/run-probe.ts";
import { endpoint, type Target } from "../targets/target.ts";

/** Idle streams are opened at this pace (streams per second), like clients arriving. */
const OPEN_PER_SECOND = 5000;

/**
 * Resident memory per open idle stream: the gateway process's RSS with N held-open Anthropic
 * streams (first events delivered, upstream silent) minus its RSS just before they opened.
 * N is cut down to what the machine's limits allow (two sockets per stream in the gateway) and
 * to the variant's cap; either is reported.
 */
export async function measureIdleMemory(
  targets: readonly Target[],
  options: BenchOptions,
  warn: (line: string) => void,
): Promise<Record<string, IdleMemoryFigure>> {
  const requested = options.idle.streams;
  const { settleMs } = options.idle;
  const body = requestBody("anthropic.messages", { events: 0, size: 0, intervalMs: 0, hold: true }, true);
  const limit = streamLimit(true);
  const figures: Record<string, IdleMemoryFigure> = {};
  for (const target of targets) {
    if (target.pid === null) continue;
    const cap = options.idle.variantMaxStreams[target.name] ?? Number.POSITIVE_INFINITY;
    let streams = Math.min(requested, cap);
    if (streams > limit.max) {
      const cut = Math.floor(limit.max / 500) * 500 || limit.max;
      warn(
        `${target.name}: ${streams.toLocaleString("en-US")} idle streams could not be held: ${limit.explain(streams)}; held ${cut.toLocaleString("en-US")} instead`,
      );
      streams = cut;
    }
    await Bun.sleep(settleMs);
    const before = rssBytes(target.pid) ?? 0;
    const rampMs = Math.round((streams / OPEN_PER_SECOND) * 1000);
    const idle = await openIdleStreams({
      kind: "idle",
      endpoint: endpoint(target, "anthropic.messages"),
      body,
      streams,
      rampMs,
      timeoutMs: Math.max(10_000, streams * 2),
    });
    await Bun.sleep(settleMs);
    const open = rssBytes(target.pid) ?? 0;
    await idle.close();
    figures[target.name] = {
      streams,
      ...(streams !== requested ? { requested } : {}),
      open: idle.ready.open,
      rssBeforeBytes: before,
      rssOpenBytes: open,
      bytesPerStream:
        idle.ready.open > 0 && before > 0 ? Math.round((open - before) / idle.ready.open) : null,
      firstError: idle.ready.firstError,
    };
    // Let the closed sockets drain before the next variant opens its own.
    await Bun.sleep(Math.min(3000, streams / 5));
  }
  return figures;
}
