/**
 * `npm run conformance -- --fixtures DIR [--fixtures DIR2] [--corpus DIR] [--expected FILE]`
 * Replays every case through the core under every chunking, prints one row per case and exits
 * non-zero on an unexpected failure or a stale expected-failures entry. Without arguments it runs
 * the repository's fixtures/ and, when present, ../shared/corpus/vercel-ai.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { ConformanceCase } from "./case.ts";
import { loadExpectedFailures, type Verdict, verdict } from "./expected-failures.ts";
import { corpusDirCases, fixtureDirCases } from "./load.ts";
import { runCase } from "./runner.ts";

const root = fileURLToPath(new URL("..", import.meta.url));

interface Options {
  fixtures: string[];
  corpus: string[];
  expected: string;
}

function parseArgs(argv: readonly string[]): Options {
  const options: Options = {
    fixtures: [],
    corpus: [],
    expected: `${root}conformance/expected-failures.json`,
  };
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === "--help" || flag === "-h") usage(0);
    if (value === undefined || value.startsWith("--")) usage(2, `missing value for ${flag}`);
    if (flag === "--fixtures") options.fixtures.push(value);
    else if (flag === "--corpus") options.corpus.push(value);
    else if (flag === "--expected") options.expected = value;
    else usage(2, `unknown argument ${flag}`);
    i++;
  }
  if (options.fixtures.length === 0 && options.corpus.length === 0) {
    options.fixtures.push(`${root}fixtures`);
    if (existsSync(`${root}../shared/corpus/vercel-ai`))
      options.corpus.push(`${root}../shared/corpus/vercel-ai`);
  }
  return options;
}

function usage(code: number, problem?: string): never {
  if (problem) console.error(`conformance: ${problem}`);
  console.error("usage: npm run conformance -- [--fixtures DIR]... [--corpus DIR]... [--expected FILE]");
  process.exit(code);
}

async function main(): Promise<void> {
  const options = parseArgs(process.argv.slice(2));
  const cases: ConformanceCase[] = [];
  for (const dir of options.fixtures) {
    if (!existsSync(dir)) usage(2, `no such fixtures directory: ${dir}`);
    cases.push(...fixtureDirCases(dir));
  }
  for (const dir of options.corpus) {
    if (!existsSync(dir)) usage(2, `no such corpus directory: ${dir}`);
    cases.push(...corpusDirCases(dir));
  }
  const expected = loadExpectedFailures(options.expected);
  const counts: Record<Verdict, number> = { pass: 0, fail: 0, "expected-fail": 0, stale: 0 };
  const width = Math.max(...cases.map((c) => c.id.length), 4);
  console.log(`${"case".padEnd(width)}  ${"modes".padEnd(24)}  result`);
  for (const c of cases) {
    const mismatches = await runCase(c);
    const v = verdict(mismatches.length > 0, expected.has(c.id));
    counts[v]++;
    const modes = c.modes.map((m) => m.mode).join("+");
    const note =
      v === "stale"
        ? `  listed in expected-failures but passes: remove it`
        : mismatches[0]
          ? `  ${mismatches[0].mode}/${mismatches[0].chunking}: ${mismatches[0].message}`
          : "";
    console.log(`${c.id.padEnd(width)}  ${modes.padEnd(24)}  ${v.toUpperCase()}${note}`);
    if (v === "fail")
      for (const m of mismatches.slice(1, 4))
        console.log(`${"".padEnd(width)}  ${"".padEnd(24)}    ${m.mode}/${m.chunking}: ${m.message}`);
  }
  console.log(
    `\n${cases.length} cases: ${counts.pass} passed, ${counts.fail} failed, ${counts["expected-fail"]} expected failures, ${counts.stale} stale entries`,
  );
  process.exit(counts.fail === 0 && counts.stale === 0 && cases.length > 0 ? 0 : 1);
}

await main();
