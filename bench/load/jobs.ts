import type { Endpoint } from "../targets/target.ts";

/** Work for the probe client process (bench/load/probe.ts), passed as JSON on its command line. */
export type ProbeJob = LatencyJob | StreamsJob | ConcurrentJob | IdleJob;

/** Blocking requests one at a time (concurrency 1), rotating over the endpoints in blocks. */
export interface LatencyJob {
  readonly kind: "latency";
  readonly endpoints: readonly Endpoint[];
  readonly body: string;
  readonly warmup: number;
  readonly rounds: number;
  readonly perBlock: number;
}

/** Streams one at a time, rotating over the endpoints: time to first byte and per-event delay. */
export interface StreamsJob {
  readonly kind: "streams";
  readonly endpoints: readonly Endpoint[];
  readonly body: string;
  readonly events: number;
  readonly warmup: number;
  readonly rounds: number;
}

/** N streams at once against one endpoint; a stream stalls if it fails or an event is late. */
export interface ConcurrentJob {
  readonly kind: "concurrent";
  readonly endpoint: Endpoint;
  readonly body: string;
  readonly events: number;
  readonly streams: number;
  readonly rampMs: number;
  readonly stallMs: number;
  readonly timeoutMs: number;
}

/** N held-open streams; reports when all got their first bytes, closes them on "close". */
export interface IdleJob {
  readonly kind: "idle";
  readonly endpoint: Endpoint;
  readonly body: string;
  readonly streams: number;
  /** Open them over this long (in up to 50 batches), not as one burst of connects. */
  readonly rampMs: number;
  readonly timeoutMs: number;
}

export interface LatencyResult {
  readonly samplesMs: Record<string, number[]>;
  readonly errors: Record<string, number>;
}

export interface StreamsResult {
  readonly ttfbMs: Record<string, number[]>;
  /** Upstream send → client receipt, per content event. */
  readonly eventDelayMs: Record<string, number[]>;
  readonly errors: Record<string, number>;
}

export interface ConcurrentResult {
  readonly streams: number;
  readonly completed: number;
  readonly failed: number;
  /** Completed, but its first byte or some event arrived later than the stall threshold. */
  readonly late: number;
  readonly eventDelayP50Ms: number;
  readonly eventDelayP99Ms: number;
  readonly eventDelayMaxMs: number;
  readonly ttfbP99Ms: number;
  /** The most streams in flight at once (sent and not yet ended). */
  readonly peakInFlight: number;
  readonly elapsedMs: number;
  readonly firstError: string | null;
}

export interface IdleReady {
  readonly open: number;
  readonly failed: number;
  readonly firstError: string | null;
}

export const RESULT_PREFIX = "PROBE_RESULT ";
export const READY_PREFIX = "PROBE_READY ";
