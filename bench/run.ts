/**
 * The benchmark: Causeway's overhead against the direct path, a raw pass-through floor and the
 * Portkey gateway, all against one zero-delay mock upstream, interleaved in one run.
 *   bun bench/run.ts            full run (a few minutes), JSON in bench/results/, docs/benchmarks.md
 *   bun bench/run.ts --smoke    a few seconds, no timing claims (CI)
 * Options: --out FILE, --no-docs, --write-docs, --only floor-bun,causeway-bun,...,
 *          --phases latency,streaming,throughput,concurrency,idle
 *          --render REPORT.json (only rewrite docs/benchmarks.md from an earlier report)
 *          --bun-max-requests N (BUN_CONFIG_MAX_HTTP_REQUESTS for the Causeway-on-Bun processes)
 */
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { describeMachine } from "./lib/machine.ts";
import { renderMarkdown } from "./lib/markdown.ts";
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
  const setup = await setUp(options.only, log);
  const warnings: string[] = [...setup.notes];
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
        latency[api] = await measureLatency(api, targets, options);
      }
      if (wants("streaming")) {
        log(`streaming ${api}`);
        streaming[api] = await measureStreaming(api, targets, options);
      }
    }
    const anthropic = setup.servedBy["anthropic.messages"];
    log("throughput");
    const throughput = wants("throughput") ? await measureThroughput(anthropic, options) : {};
    log("concurrent streams");
    const concurrency = wants("concurrency") ? await measureConcurrency(anthropic, options) : {};
    log("idle stream memory");
    const idleMemory = wants("idle") ? await measureIdleMemory(anthropic, options) : {};
    const figures = {
      schema: 1 as const,
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

const renderIndex = process.argv.indexOf("--render");
if (renderIndex > 0) renderOnly(process.argv[renderIndex + 1] ?? "");

try {
  const report = await main();
  const out =
    options.out ??
    join(
      ROOT,
      "bench/results",
      `${report.date.replaceAll(":", "-").slice(0, 19)}${options.mode === "smoke" ? "-smoke" : ""}.json`,
    );
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, `${JSON.stringify(report, null, 2)}\n`);
  log(`report: ${out}`);
  if (options.writeDocs) {
    const notes = readFileSync(join(ROOT, "bench/notes.md"), "utf8");
    writeFileSync(join(ROOT, "docs/benchmarks.md"), renderMarkdown(report, notes));
    log("docs/benchmarks.md written");
  }
  for (const t of report.targets)
    log(
      `${t.met === null ? "n/a " : t.met ? "MET " : "MISS"} ${t.figure}: ${t.value ?? "—"} ${t.unit} (target ${t.target})`,
    );
  clearTimeout(ceiling);
  process.exit(0);
} catch (error) {
  log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
  await stopAll();
  process.exit(1);
}
