import type { BenchReport, TargetCheck, VariantInfo } from "./report.ts";
import { median } from "./stats.ts";
import { evaluateTargets } from "./targets.ts";

/** The issue asks for figures as the median of at least this many full runs. */
export const MIN_RUNS = 3;

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/**
 * The median of one figure across runs: numbers → median (the lower middle value for an even
 * count; missing and null values are left out), booleans → the majority, lists of levels → merged
 * level by level (matched on `streams`), other lists of values → all runs' values in run order,
 * objects → key by key, anything else (text) → the first run's.
 */
export function mergeValue(values: readonly unknown[]): unknown {
  const present = values.filter((value) => value !== undefined);
  if (present.length === 0) return undefined;
  if (present.every((value) => value === null || typeof value === "number")) {
    const numbers = present.filter(
      (value): value is number => typeof value === "number" && Number.isFinite(value),
    );
    if (numbers.length === 0) return null;
    const mid = median(numbers);
    return Number.isInteger(mid) ? mid : Math.round(mid * 1000) / 1000;
  }
  if (present.every((value) => typeof value === "boolean"))
    return present.filter(Boolean).length * 2 > present.length;
  if (present.every(Array.isArray)) {
    const lists = present as unknown[][];
    const items = lists.flat();
    if (items.length > 0 && items.every((item) => isRecord(item) && typeof item.streams === "number")) {
      const byStreams = new Map<number, unknown[]>();
      for (const item of items as { streams: number }[])
        byStreams.set(item.streams, [...(byStreams.get(item.streams) ?? []), item]);
      return [...byStreams.entries()].sort(([a], [b]) => a - b).map(([, group]) => mergeValue(group));
    }
    return items;
  }
  if (present.every(isRecord)) {
    const keys = [...new Set(present.flatMap((value) => Object.keys(value)))];
    return Object.fromEntries(
      keys
        .map((key) => [key, mergeValue(present.map((value) => (value as Record<string, unknown>)[key]))])
        .filter(([, value]) => value !== undefined),
    );
  }
  return present.find((value) => value !== null) ?? null;
}

/**
 * One report from several runs of the same mode: every figure is the per-figure median across the
 * runs. Each target is the median of the runs' own values for it (each run compares Causeway with
 * the floor measured in that same run), shown with the median run's figures, and lists every run's value.
 */
export function mergeReports(reports: readonly BenchReport[], files: readonly string[]): BenchReport {
  if (reports.length === 0) throw new Error("--merge needs report files");
  const modes = new Set(reports.map((r) => r.mode));
  if (modes.size > 1) throw new Error(`--merge: the reports mix modes (${[...modes].join(", ")})`);
  const warnings: string[] = [];
  if (reports.length < MIN_RUNS)
    warnings.push(`median of ${reports.length} run(s); the issue asks for at least ${MIN_RUNS}`);
  const settings = new Set(reports.map((r) => JSON.stringify(r.settings)));
  if (settings.size > 1) warnings.push("the merged runs used different settings; the first run's are shown");
  for (const [index, report] of reports.entries())
    for (const warning of report.warnings)
      if (!warnings.includes(warning) && !warnings.includes(`run ${index + 1}: ${warning}`))
        warnings.push(
          reports.every((r) => r.warnings.includes(warning)) ? warning : `run ${index + 1}: ${warning}`,
        );
  const pick = <K extends keyof BenchReport>(key: K): BenchReport[K] =>
    mergeValue(reports.map((r) => r[key])) as BenchReport[K];
  const figures = {
    schema: 2 as const,
    mode: reports[0]!.mode,
    date: reports.map((r) => r.date).sort()[0]!,
    durationS: median(reports.map((r) => r.durationS)),
    machine: pick("machine"),
    settings: reports[0]!.settings,
    variants: mergeVariants(reports),
    latency: pick("latency"),
    streaming: pick("streaming"),
    throughput: pick("throughput"),
    concurrency: pick("concurrency"),
    idleMemory: pick("idleMemory"),
    warnings,
    ...(reports.some((r) => r.phaseSeconds) ? { phaseSeconds: pick("phaseSeconds") } : {}),
  };
  const perRun = reports.map((report) => evaluateTargets(report));
  const targets: TargetCheck[] = evaluateTargets(figures).map((target) => {
    const checks = perRun.map((list) => list.find((c) => c.id === target.id));
    const values = checks.map((c) => c?.value ?? null);
    const measured = values.filter((v): v is number => v !== null);
    // The median run's own check: its value, figures and verdict belong together (a ratio or
    // difference of medians taken figure by figure would pair numbers from different runs).
    const mid = measured.length ? median(measured) : null;
    const chosen = checks.find((c) => c !== undefined && c.value === mid);
    return { ...(chosen ?? target), runs: values };
  });
  return {
    ...figures,
    targets,
    runs: {
      count: reports.length,
      runs: reports.map((r, index) => ({ date: r.date, durationS: r.durationS, file: files[index] ?? "" })),
    },
  };
}

/** Each variant as the first run that had it available describes it. */
function mergeVariants(reports: readonly BenchReport[]): VariantInfo[] {
  const names = [...new Set(reports.flatMap((r) => r.variants.map((v) => v.name)))];
  return names.map((name) => {
    const all = reports.flatMap((r) => r.variants.filter((v) => v.name === name));
    return all.find((v) => v.available) ?? all[0]!;
  });
}
