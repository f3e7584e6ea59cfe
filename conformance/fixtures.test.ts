import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import type { ConformanceCase } from "./case.ts";
import { isOk, loadExpectedFailures, verdict } from "./expected-failures.ts";
import { corpusDirCases, fixtureDirCases } from "./load.ts";
import { runCase } from "./runner.ts";

const root = fileURLToPath(new URL("..", import.meta.url));
const fixturesDir = `${root}fixtures`;
const corpusDir = `${root}../shared/corpus/vercel-ai`;
const expected = loadExpectedFailures(`${root}conformance/expected-failures.json`);

const fixtureCases = fixtureDirCases(fixturesDir);
const corpus = corpusDirCases(corpusDir);

/** One test per case: all its modes under all chunkings; listed cases must still fail (no stale entries). */
function suite(cases: readonly ConformanceCase[]): void {
  for (const c of cases) {
    it(c.id, async () => {
      const mismatches = await runCase(c);
      const listed = expected.has(c.id);
      const v = verdict(mismatches.length > 0, listed);
      const report = mismatches.map((m) => `[${m.mode} / ${m.chunking}] ${m.message}`);
      if (v === "stale")
        expect.fail(`stale expected-failures entry: ${c.id} passes now (${expected.get(c.id)})`);
      expect(isOk(v), report.join("\n")).toBe(true);
    });
  }
}

describe("fixtures/", () => {
  it("has Anthropic fixtures", () => {
    expect(fixtureCases.filter((c) => c.api === "anthropic-messages").length).toBeGreaterThanOrEqual(12);
  });
  suite(fixtureCases);
});

describe.runIf(existsSync(corpusDir))("corpus ../shared/corpus/vercel-ai", () => {
  suite(corpus);
});

describe("expected-failures.json", () => {
  it("names only cases that exist", () => {
    const ids = new Set([...fixtureCases, ...corpus].map((c) => c.id));
    const unknown = [...expected.keys()].filter(
      (id) => !ids.has(id) && (existsSync(corpusDir) || !id.startsWith("corpus/")),
    );
    expect(unknown).toEqual([]);
  });
});
