import type { Machine } from "./machine.ts";
import type { ApiKind } from "./shapes.ts";

/** Milliseconds (null when not measurable, e.g. no successful samples). */
export type Ms = number | null;

export interface VariantInfo {
  readonly name: string;
  readonly description: string;
  readonly available: boolean;
  /** Why a variant or API is missing from the figures. */
  readonly reason: string | null;
  readonly apis: readonly ApiKind[];
}

export interface LatencyFigure {
  readonly samples: number;
  readonly errors: number;
  readonly p50: Ms;
  readonly p99: Ms;
  readonly addedP50: Ms;
  readonly addedP99: Ms;
}

export interface StreamFigure {
  readonly streams: number;
  readonly errors: number;
  readonly ttfbP50: Ms;
  readonly ttfbP99: Ms;
  readonly addedTtfbP50: Ms;
  readonly addedTtfbP99: Ms;
  readonly eventDelayP50: Ms;
  readonly eventDelayP99: Ms;
  readonly addedEventDelayP50: Ms;
  readonly addedEventDelayP99: Ms;
}

export interface ThroughputFigure {
  readonly rps: number;
  readonly runs: readonly number[];
  readonly latencyP50: Ms;
  readonly latencyP99: Ms;
  /** CPU time the gateway process spent per successful request (median round); null for direct. */
  readonly cpuUsPerRequest: number | null;
  readonly non2xx: number;
  readonly errors: number;
}

export interface ConcurrencyLevel {
  readonly streams: number;
  /** The level asked for when `streams` was cut down to the machine's limits. */
  readonly requested?: number;
  readonly rampMs?: number;
  readonly intervalMs?: number;
  /** The most streams in flight at once (requests sent and not yet ended). */
  readonly peakInFlight?: number | null;
  readonly completed: number;
  readonly failed: number;
  readonly late: number;
  readonly stallFree: boolean;
  readonly ttfbP99: Ms;
  readonly eventDelayP99: Ms;
  readonly eventDelayMax: Ms;
  readonly elapsedMs: number;
  readonly firstError: string | null;
}

export interface ConcurrencyFigure {
  /** The largest level at which every stream completed with no late event (0: none). */
  readonly maxStallFree: number;
  readonly levels: readonly ConcurrencyLevel[];
  /** Levels not run, and why (the machine's limits, or the variant stops lower). */
  readonly notRun?: readonly { readonly streams: number; readonly reason: string }[];
}

export interface IdleMemoryFigure {
  readonly streams: number;
  /** The count asked for when `streams` was cut down (machine limits or the variant's cap). */
  readonly requested?: number;
  readonly open: number;
  readonly rssBeforeBytes: number;
  readonly rssOpenBytes: number;
  readonly bytesPerStream: number | null;
  readonly firstError: string | null;
}

export interface TargetCheck {
  readonly id: string;
  readonly figure: string;
  readonly target: string;
  readonly value: number | null;
  readonly unit: string;
  /** null when the figure could not be measured. */
  readonly met: boolean | null;
  /** Why the value is qualified (e.g. not every stream could be opened). */
  readonly note?: string;
  /** The measured value as the table shows it, with the floor's figure for relative targets. */
  readonly detail?: string;
  /** A merged report: this target's value in each run, in run order. */
  readonly runs?: readonly (number | null)[];
}

/** A report merged from several runs (`bun bench/run.ts --merge`): every figure is the median. */
export interface RunsInfo {
  readonly count: number;
  /** Each run's date, duration and report file, in run order. */
  readonly runs: readonly { readonly date: string; readonly durationS: number; readonly file: string }[];
}

export interface BenchReport {
  /** 2: the relative targets, 10,000-stream levels, `runs` for merged reports. */
  readonly schema: 1 | 2;
  readonly mode: "full" | "smoke";
  readonly date: string;
  readonly durationS: number;
  readonly machine: Machine;
  readonly settings: Record<string, unknown>;
  readonly variants: readonly VariantInfo[];
  /** Per API, per variant: blocking requests at concurrency 1. */
  readonly latency: Partial<Record<ApiKind, Record<string, LatencyFigure>>>;
  /** Per API, per variant: streams one at a time. */
  readonly streaming: Partial<Record<ApiKind, Record<string, StreamFigure>>>;
  /** Anthropic Messages, blocking, at saturation. */
  readonly throughput: Record<string, ThroughputFigure>;
  readonly concurrency: Record<string, ConcurrencyFigure>;
  readonly idleMemory: Record<string, IdleMemoryFigure>;
  readonly targets: readonly TargetCheck[];
  readonly warnings: readonly string[];
  /** Seconds each phase took (for planning runs; a merged report has the medians). */
  readonly phaseSeconds?: Record<string, number>;
  /** Present when the report is the median of several runs. */
  readonly runs?: RunsInfo;
}
