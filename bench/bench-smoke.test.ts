import { execFile } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, describe, expect, it } from "vitest";
import type { BenchReport } from "./lib/report.ts";

const ROOT = resolve(import.meta.dirname, "..");
const BUN = join(ROOT, "node_modules/.bin/bun");
/** Smoke runs start every variant, the opt-in ones (observability pair, policies) included. */
const VARIANTS = [
  "direct",
  "floor-bun",
  "causeway-bun",
  "causeway-bun-bare",
  "causeway-bun-unobserved",
  "causeway-bun-observed",
  "causeway-bun-policies",
  "causeway-node",
  "portkey",
];
const GATEWAYS = VARIANTS.filter((name) => name !== "direct");

const isNumber = (value: unknown): boolean => typeof value === "number" && Number.isFinite(value);

/** The harness must keep running and reporting every figure; no timing is asserted here. */
describe("bench smoke (bun bench/run.ts --smoke)", () => {
  const dir = mkdtempSync(join(tmpdir(), "causeway-bench-smoke-"));
  const out = join(dir, "report.json");
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it("runs every variant and reports every figure", { timeout: 240_000 }, async () => {
    await promisify(execFile)(BUN, ["bench/run.ts", "--smoke", "--out", out], {
      cwd: ROOT,
      timeout: 230_000,
      maxBuffer: 16 * 2 ** 20,
    });
    const report = JSON.parse(readFileSync(out, "utf8")) as BenchReport;

    expect(report.mode).toBe("smoke");
    expect(report.machine.nproc).toBeGreaterThan(0);
    expect(report.machine.bun).not.toBe("");
    expect(report.variants.map((v) => v.name).sort()).toEqual([...VARIANTS].sort());
    for (const variant of report.variants)
      expect({ name: variant.name, available: variant.available }).toEqual({
        name: variant.name,
        available: true,
      });

    const messages = "anthropic.messages";
    for (const name of VARIANTS) {
      const latency = report.latency[messages]?.[name];
      expect(latency?.samples, `latency samples of ${name}`).toBeGreaterThan(0);
      expect(
        [latency?.p50, latency?.p99, latency?.addedP50, latency?.addedP99].every(isNumber),
        `latency of ${name}`,
      ).toBe(true);
      const stream = report.streaming[messages]?.[name];
      expect(stream?.streams, `streams of ${name}`).toBeGreaterThan(0);
      expect(
        [
          stream?.addedTtfbP50,
          stream?.addedTtfbP99,
          stream?.addedEventDelayP50,
          stream?.addedEventDelayP99,
        ].every(isNumber),
        `stream figures of ${name}`,
      ).toBe(true);
      expect(report.throughput[name]?.rps, `throughput of ${name}`).toBeGreaterThan(0);
      expect(report.concurrency[name]?.levels.length, `concurrency levels of ${name}`).toBeGreaterThan(0);
    }
    for (const name of GATEWAYS) {
      expect(report.idleMemory[name]?.open, `idle streams of ${name}`).toBeGreaterThan(0);
      expect(isNumber(report.idleMemory[name]?.bytesPerStream), `memory per idle stream of ${name}`).toBe(
        true,
      );
    }
    expect(report.targets.map((t) => t.id)).toEqual([
      "throughput-floor",
      "latency-bun",
      "ttfb-p99",
      "latency-node",
      "concurrency",
      "idle-memory",
      "throughput-portkey",
      "event-delay",
      "observability-cost",
    ]);
    for (const target of report.targets) expect(target.value, `target ${target.id}`).not.toBeNull();
    // Relative targets show Causeway's figure and the floor's.
    for (const id of ["latency-bun", "ttfb-p99"])
      expect(report.targets.find((t) => t.id === id)?.detail, `detail of ${id}`).toMatch(/vs floor/);
    // The observed variant traced every interception to the local sink (a server and a client span each).
    const exported = report.warnings.find((w) => w.startsWith("causeway-bun-observed exported"));
    expect(exported, "the observed variant's export line").toMatch(/\(2\.00 per interception\)/);
  });

  it("merges runs into one report of medians (--merge), which --render accepts", {
    timeout: 60_000,
  }, async () => {
    const merged = join(dir, "merged.json");
    const docs = join(dir, "docs.md");
    // Three copies of the smoke report plus one with other figures: the medians are checkable.
    const report = JSON.parse(readFileSync(out, "utf8")) as BenchReport;
    const other = join(dir, "other.json");
    const direct = report.throughput.direct!;
    writeFileSync(
      other,
      JSON.stringify({
        ...report,
        throughput: { ...report.throughput, direct: { ...direct, rps: direct.rps + 2 } },
      }),
    );
    await promisify(execFile)(BUN, ["bench/run.ts", "--merge", out, other, other, "--out", merged], {
      cwd: ROOT,
      timeout: 50_000,
    });
    const median = JSON.parse(readFileSync(merged, "utf8")) as BenchReport;
    expect(median.runs?.count).toBe(3);
    expect(median.runs?.runs.map((r) => r.file)).toEqual([out, other, other]);
    expect(median.throughput.direct?.rps).toBe(direct.rps + 2);
    expect(median.throughput.direct?.runs).toHaveLength(3 * direct.runs.length);
    expect(median.targets.map((t) => t.id)).toEqual(report.targets.map((t) => t.id));
    for (const target of median.targets) expect(target.runs, `runs of ${target.id}`).toHaveLength(3);
    const { renderMarkdown } = await import("./lib/markdown.ts");
    writeFileSync(docs, renderMarkdown(median, "## Notes"));
    expect(readFileSync(docs, "utf8")).toMatch(/median of 3 smoke runs/);
  });
});
