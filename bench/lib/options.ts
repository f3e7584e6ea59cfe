/** How much work each phase does: the full run (a few minutes) or the smoke (a few seconds). */
export interface BenchOptions {
  readonly mode: "full" | "smoke";
  readonly latency: { readonly warmup: number; readonly rounds: number; readonly perBlock: number };
  readonly streams: {
    readonly events: number;
    readonly size: number;
    readonly intervalMs: number;
    readonly warmup: number;
    readonly rounds: number;
  };
  readonly throughput: {
    readonly connections: number;
    readonly seconds: number;
    readonly rounds: number;
    readonly warmupSeconds: number;
  };
  readonly concurrency: {
    readonly levels: readonly number[];
    readonly events: number;
    /** The least time between events; larger levels space them so the stream outlives the ramp. */
    readonly intervalMs: number;
    /** The least ramp (time over which a level's streams are opened). */
    readonly rampMs: number;
    /** Ramp time per stream: a level of N streams opens over max(rampMs, N × this). */
    readonly rampMsPerStream: number;
    readonly stallMs: number;
    /** Variants that stop at a lower level (slow ones: a level there takes long and fails anyway). */
    readonly variantMaxStreams: Readonly<Record<string, number>>;
  };
  readonly idle: {
    readonly streams: number;
    readonly settleMs: number;
    /** Variants that hold fewer idle streams (their per-stream figure is per opened stream). */
    readonly variantMaxStreams: Readonly<Record<string, number>>;
  };
  /** Write the JSON here (default bench/results/<date>.json). */
  readonly out: string | null;
  /** Regenerate docs/benchmarks.md from this run (default on for full runs). */
  readonly writeDocs: boolean;
  /** BUN_CONFIG_MAX_HTTP_REQUESTS for the Causeway-on-Bun processes (default: unset, as users run it). */
  readonly bunMaxRequests: string | null;
  /** Only these phases (comma list of latency,streaming,throughput,concurrency,idle), for debugging. */
  readonly phases: readonly string[] | null;
  /** Only these variants (comma list), for debugging. */
  readonly only: readonly string[] | null;
}

type Preset = Omit<BenchOptions, "out" | "writeDocs" | "only" | "bunMaxRequests" | "phases">;

/**
 * Only Causeway on Bun, the floor and the direct path (the control) need the highest levels. The
 * Node gateways stall far below them and a 10,000-stream level would take long; the bare and the
 * (un)observed variants only explain Causeway's figures. Idle streams are cheap to hold, so only
 * Node stops lower there.
 */
const SLOW_VARIANTS = { "causeway-node": 2500, portkey: 2500 };
const CAPPED_LEVELS = {
  ...SLOW_VARIANTS,
  "causeway-bun-bare": 2500,
  "causeway-bun-unobserved": 2500,
  "causeway-bun-observed": 2500,
  "causeway-bun-policies": 2500,
};

const FULL: Preset = {
  mode: "full",
  // Variants alternate request by request: a burst of scheduler noise hits them all alike.
  latency: { warmup: 200, rounds: 2000, perBlock: 1 },
  // 100 streams: the p99 is no longer the single slowest stream.
  streams: { events: 20, size: 64, intervalMs: 5, warmup: 10, rounds: 100 },
  throughput: { connections: 64, seconds: 5, rounds: 3, warmupSeconds: 1 },
  concurrency: {
    levels: [1000, 2500, 5000, 10000],
    events: 10,
    intervalMs: 100,
    rampMs: 1000,
    rampMsPerStream: 1,
    stallMs: 1000,
    variantMaxStreams: CAPPED_LEVELS,
  },
  idle: { streams: 10000, settleMs: 1000, variantMaxStreams: SLOW_VARIANTS },
};

const SMOKE: Preset = {
  mode: "smoke",
  latency: { warmup: 5, rounds: 2, perBlock: 5 },
  streams: { events: 5, size: 64, intervalMs: 2, warmup: 1, rounds: 2 },
  throughput: { connections: 8, seconds: 1, rounds: 1, warmupSeconds: 0 },
  concurrency: {
    levels: [20],
    events: 5,
    intervalMs: 20,
    rampMs: 100,
    rampMsPerStream: 0,
    stallMs: 1000,
    variantMaxStreams: {},
  },
  idle: { streams: 20, settleMs: 200, variantMaxStreams: {} },
};

/** A positive integer option, or an error that names the flag. */
function count(flag: string, text: string): number {
  const n = Number(text.replaceAll("_", ""));
  if (!Number.isInteger(n) || n <= 0) throw new Error(`${flag} wants positive integers, got "${text}"`);
  return n;
}

export function parseOptions(argv: readonly string[]): BenchOptions {
  const smoke = argv.includes("--smoke");
  const value = (flag: string): string | null => {
    const index = argv.indexOf(flag);
    return index >= 0 ? (argv[index + 1] ?? null) : null;
  };
  const only = value("--only");
  const preset = smoke ? SMOKE : FULL;
  const streams = value("--streams");
  const levels = value("--levels");
  const idleStreams = value("--idle-streams");
  return {
    ...preset,
    streams: streams ? { ...preset.streams, rounds: count("--streams", streams) } : preset.streams,
    concurrency: levels
      ? {
          ...preset.concurrency,
          levels: levels
            .split(",")
            .map((level) => count("--levels", level))
            .sort((a, b) => a - b),
        }
      : preset.concurrency,
    idle: idleStreams ? { ...preset.idle, streams: count("--idle-streams", idleStreams) } : preset.idle,
    out: value("--out"),
    writeDocs: argv.includes("--write-docs") || (!smoke && !argv.includes("--no-docs")),
    only: only ? only.split(",") : null,
    // As `bin/causeway` and `npm start` run Bun (see there); --bun-max-requests 256 shows Bun's default.
    bunMaxRequests: value("--bun-max-requests") ?? "65000",
    phases: value("--phases")?.split(",") ?? null,
  };
}
