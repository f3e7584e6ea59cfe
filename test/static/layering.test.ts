import { readdirSync, readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const CORE = join(ROOT, "core");

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts") ? [path] : [];
  });
}

/** What core/ may not reach: runtimes, their globals, and the ambient clock, network and randomness. */
const FORBIDDEN: readonly [RegExp, string][] = [
  [/from\s+["'](node:|bun|bun:|deno|npm:|jsr:)/, "imports a runtime module"],
  [
    /from\s+["'](fs|path|http|https|net|tls|os|child_process|crypto|stream|util)["']/,
    "imports a Node built-in",
  ],
  [/\b(Deno|Bun|process)\./, "uses a runtime global"],
  [
    /\bDate\.now\(|\bsetTimeout\(|\bsetInterval\(|\bMath\.random\(|\brandomUUID\(/,
    "reads the clock or randomness directly (use the Clock/Ids ports)",
  ],
  [/(^|[^.\w])fetch\(/, "calls fetch directly (use the Upstream port)"],
];

describe("core/ is runtime-agnostic (the same rule biome's noRestrictedImports enforces)", () => {
  const files = sourceFiles(CORE);

  it("has source files to check", () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files.map((f) => [relative(ROOT, f), f]))("%s reaches no runtime", (_name, file) => {
    const source = readFileSync(file, "utf8")
      .replace(/\/\*[\s\S]*?\*\//g, "")
      .replace(/(^|[^:])\/\/.*$/gm, "$1");
    const problems = FORBIDDEN.filter(([pattern]) => pattern.test(source)).map(([, why]) => why);
    expect(problems).toEqual([]);
  });

  it.each(files.map((f) => [relative(ROOT, f), f]))(
    "%s imports only from core/ and packages",
    (_name, file) => {
      const imports = [...readFileSync(file, "utf8").matchAll(/from\s+["'](\.[^"']+)["']/g)].map(
        (m) => m[1]!,
      );
      const outside = imports.filter((spec) => !resolve(join(file, ".."), spec).startsWith(CORE));
      expect(outside).toEqual([]);
    },
  );

  it("the check itself catches a violation", () => {
    const bad = 'import { readFileSync } from "node:fs";\nconst t = Date.now();';
    expect(FORBIDDEN.filter(([pattern]) => pattern.test(bad)).length).toBe(2);
  });
});
