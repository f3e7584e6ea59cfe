/**
 * The benchmark: Causeway's overhead against the direct path, a raw pass-through floor and the
 * Portkey gateway, all against one zero-delay mock upstream, interleaved in one run.
 *   bun bench/run.ts            full run (a few minutes), JSON in bench/results/, docs/benchmarks.md
 *   bun bench/run.ts --smoke    a few seconds, no timing claims (CI)
 * Options: --out FILE, --no-docs, --write-docs, --only floor-bun,causeway-bun,...,
 *          (causeway-bun-unobserved and causeway-bun-observed, the cost of observability, and
 *          causeway-bun-policies, the cost of usage limits, run only when --only names them, or
 *          in --smoke)
 *          --phases latency,streaming,throughput,concurrency,idle
 *          --streams N (measured streams per variant), --levels 1000,2500,... (concurrent streams),
 *          --idle-streams N
 *          --render REPORT.json (only rewrite docs/benchmarks.md from an earlier report)
 *          --merge A.json B.json C.json (one report whose figures are the medians of the runs;
 *            with --out FILE and --no-docs / --write-docs like a run)
 *          --bun-max-requests N (BUN_CONFIG_MAX_HTTP_REQUESTS for the Causeway-on-Bun processes)
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describeMachine } from "./lib/machine.ts";
import { renderMarkdown } from "./lib/markdown.ts";
import { mergeReports } from "./lib/merge.ts";
import { parseOptions } from "./lib/options.ts";
import { stopAll } from "./lib/processes.ts";
import type { BenchReport } from "./lib/report.ts";
import { API_KINDS } from "./lib/shapes.ts";
import { evaluateTargets } from "./lib/targets.ts";
import { measureConcurrency } from "./phases/concurrency.ts";
import { measureIdleMemory } from "./phases/idle-memory.ts";
import { measureLatency } from "./phases/latency.ts";
import { setUp } from "./phases/setup.ts";
import { measureStreaming } from "./phases/streaming.ts";
import { measureThroughput } from "./phases/throughput.ts";
import { ROOT, setCausewayBunMaxRequests } from "./targets/variants.ts";

const options = parseOptions(process.argv.slice(2));
const began = performance.now();
const log = (line: string): void => {
  process.stderr.write(`[bench ${((performance.now() - began) / 1000).toFixed(1)}s] ${line}\n`);
};
/** Hard ceiling on the whole run: whatever happens, children are killed and the process exits. */
const CEILING_MS = options.mode === "smoke" ? 120_000 : 15 * 60_000;
const ceiling = setTimeout(() => {
  log(`run exceeded ${CEILING_MS / 1000}s; aborting`);
  void stopAll().finally(() => process.exit(2));
}, CEILING_MS);

async function nodeVersion(): Promise<string> {
  const proc = Bun.spawn(["node", "--version"], { stdout: "pipe", stderr: "ignore" });
  return (await new Response(proc.stdout).text()).trim() || "missing";
}

async function main(): Promise<BenchReport> {
  log(`mode ${options.mode}`);
  setCausewayBunMaxRequests(options.bunMaxRequests);
  const setup = await setUp(options, log);
  const warnings: string[] = [...setup.notes];
  const warn = (line: string): void => {
    if (warnings.includes(line)) return;
    warnings.push(line);
    log(line);
  };
  const phaseSeconds: Record<string, number> = {};
  const timed = async <T>(phase: string, work: () => Promise<T>): Promise<T> => {
    const start = performance.now();
    try {
      return await work();
    } finally {
      phaseSeconds[phase] = Math.round((phaseSeconds[phase] ?? 0) + (performance.now() - start) / 1000);
    }
  };
  phaseSeconds.setup = Math.round((performance.now() - began) / 1000);
  try {
    const latency: BenchReport["latency"] = {};
    const streaming: BenchReport["streaming"] = {};
    const wants = (phase: string): boolean => options.phases === null || options.phases.includes(phase);
    for (const api of API_KINDS) {
      const targets = setup.servedBy[api];
      if (!targets.some((t) => t.name === "direct") || targets.length < 2) {
        warnings.push(`${api}: no gateway serves it; skipped`);
        continue;
      }
      if (wants("latency")) {
        log(`latency ${api} (${targets.map((t) => t.name).join(", ")})`);
        latency[api] = await timed("latency", () => measureLatency(api, targets, options));
      }
      if (wants("streaming")) {
        log(`streaming ${api}`);
        streaming[api] = await timed("streaming", () => measureStreaming(api, targets, options));
      }
    }
    const anthropic = setup.servedBy["anthropic.messages"];
    log("throughput");
    const throughput = wants("throughput")
      ? await timed("throughput", () => measureThroughput(anthropic, options))
      : {};
    log("concurrent streams");
    const concurrency = wants("concurrency")
      ? await timed("concurrency", () => measureConcurrency(anthropic, options, warn))
      : {};
    log("idle stream memory");
    const idleMemory = wants("idle")
      ? await timed("idle", () => measureIdleMemory(anthropic, options, warn))
      : {};
    // Stopped before the report is written: a variant may report what it did once it has flushed.
    for (const line of await setup.stop()) warnings.push(line);
    const figures = {
      schema: 2 as const,
      mode: options.mode,
      date: new Date().toISOString(),
      durationS: Math.round((performance.now() - began) / 1000),
      machine: describeMachine(ROOT, await nodeVersion()),
      settings: {
        latency: options.latency,
        streams: options.streams,
        throughput: options.throughput,
        concurrency: options.concurrency,
        idle: options.idle,
        causewayBunMaxRequests: options.bunMaxRequests ?? "Bun default (256)",
      },
      variants: setup.variants,
      latency,
      streaming,
      throughput,
      concurrency,
      idleMemory,
      warnings,
      phaseSeconds,
    };
    return { ...figures, targets: evaluateTargets(figures) };
  } finally {
    await setup.stop();
  }
}

/** `--render REPORT.json`: rewrite docs/benchmarks.md from an earlier report (after editing bench/notes.md). */
function renderOnly(file: string): never {
  const report = JSON.parse(readFileSync(file, "utf8")) as BenchReport;
  writeFileSync(
    join(ROOT, "docs/benchmarks.md"),
    renderMarkdown(report, readFileSync(join(ROOT, "bench/notes.md"), "utf8")),
  );
  log(`docs/benchmarks.md rendered from ${file}`);
  process.exit(0);
}

/** `--merge A.json B.json …`: the files given after the flag, up to the next option. */
function mergeFiles(argv: readonly string[]): string[] | null {
  const index = argv.indexOf("--merge");
  if (index < 0) return null;
  const files: string[] = [];
  for (const arg of argv.slice(index + 1)) {
    if (arg.startsWith("--")) break;
    files.push(arg);
  }
  return files;
}

const renderIndex = process.argv.indexOf("--render");
if (renderIndex > 0) renderOnly(process.argv[renderIndex + 1] ?? "");
const merging = mergeFiles(process.argv);

try {
  const report = merging
    ? mergeReports(
        merging.map((file) => JSON.parse(readFileSync(file, "utf8")) as BenchReport),
        merging,
      )
    : await main();
  if (merging) log(`merged ${merging.length} reports: every figure is the median across them`);
  const out =
    options.out ??
    join(
      ROOT,
      "bench/results",
      `${report.date.replaceAll(":", "-").slice(0, 19)}${report.mode === "smoke" ? "-smoke" : ""}${merging ? `-median-of-${merging.length}` : ""}.json`,
    );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  log(`report: ${out}`);
  // A merged report writes docs unless --no-docs (or the runs were smoke runs), like a full run.
  const writeDocs = merging
    ? process.argv.includes("--write-docs") || (report.mode === "full" && !process.argv.includes("--no-docs"))
    : options.writeDocs;
  if (writeDocs) {
    const notes = readFileSync(join(ROOT, "bench/notes.md"), "utf8");
    writeFileSync(join(ROOT, "docs/benchmarks.md"), renderMarkdown(report, notes));
    log("docs/benchmarks.md written");
  }
  for (const t of report.targets)
    log(
      `${t.met === null ? "n/a " : t.met ? "MET " : "MISS"} ${t.figure}: ${t.detail ?? `${t.value ?? "—"} ${t.unit}`} (target ${t.target})${t.runs ? ` runs: ${t.runs.map((v) => v ?? "—").join(", ")}` : ""}`,
    );
  clearTimeout(ceiling);
  process.exit(0);
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await stopAll();
  process.exit(1);
}
