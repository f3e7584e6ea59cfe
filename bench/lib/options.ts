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
    readonly intervalMs: number;
    readonly rampMs: number;
    readonly stallMs: number;
  };
  readonly idle: { readonly streams: number; readonly settleMs: number };
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

const FULL: Omit<BenchOptions, "out" | "writeDocs" | "only" | "bunMaxRequests" | "phases" | "phases"> = {
  mode: "full",
  latency: { warmup: 200, rounds: 15, perBlock: 40 },
  streams: { events: 20, size: 64, intervalMs: 5, warmup: 3, rounds: 20 },
  throughput: { connections: 64, seconds: 5, rounds: 3, warmupSeconds: 1 },
  concurrency: { levels: [250, 500, 1000, 2000], events: 10, intervalMs: 100, rampMs: 1000, stallMs: 1000 },
  idle: { streams: 1000, settleMs: 1000 },
};

const SMOKE: Omit<BenchOptions, "out" | "writeDocs" | "only" | "bunMaxRequests" | "phases"> = {
  mode: "smoke",
  latency: { warmup: 5, rounds: 2, perBlock: 5 },
  streams: { events: 5, size: 64, intervalMs: 2, warmup: 1, rounds: 2 },
  throughput: { connections: 8, seconds: 1, rounds: 1, warmupSeconds: 0 },
  concurrency: { levels: [20], events: 5, intervalMs: 20, rampMs: 100, stallMs: 1000 },
  idle: { streams: 20, settleMs: 200 },
};

export function parseOptions(argv: readonly string[]): BenchOptions {
  const smoke = argv.includes("--smoke");
  const value = (flag: string): string | null => {
    const index = argv.indexOf(flag);
    return index >= 0 ? (argv[index + 1] ?? null) : null;
  };
  const only = value("--only");
  return {
    ...(smoke ? SMOKE : FULL),
    out: value("--out"),
    writeDocs: argv.includes("--write-docs") || (!smoke && !argv.includes("--no-docs")),
    only: only ? only.split(",") : null,
    // As `bin/causeway` and `npm start` run Bun (see there); --bun-max-requests 256 shows Bun's default.
    bunMaxRequests: value("--bun-max-requests") ?? "65000",
    phases: value("--phases")?.split(",") ?? null,
  };
}
