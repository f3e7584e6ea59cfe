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

/**
 * The core's units, leaves first. A unit is a folder of core/ or a file at its top. A file may
 * import from its own unit and from units of a LOWER layer only, so the dependency graph between
 * units has one direction and no cycles: helpers live in the lowest unit that needs them.
 */
const LAYERS: readonly (readonly string[])[] = [
  ["errors.ts", "ports"], // vocabulary: the bridge's errors, the ports and their in-memory fakes
  ["config.ts", "json", "sse", "http", "transducer"], // raw JSON edits, SSE framing, HTTP helpers
  ["audit", "auth", "store", "resilience"], // audit trace and recorder, auth methods, SQL store, retry/breaker/key pool
  ["policy"], // usage policies: model access, limits and their reservations, load shedding, the cost model
  ["tools"], // the tool-loop contract, injected-tool catalog and the MCP call runner
  ["apis"], // one folder per intercepted API, implementing the contracts below it
  ["providers"], // provider kinds: routes, where the key goes, error shape
  ["pipeline"], // the turn engine: exchanges, streaming and blocking turns, interception
  ["router.ts"],
  ["bridge.ts"],
];

function unitOf(file: string): string {
  return relative(CORE, file).split("/")[0]!;
}

function layerOf(unit: string): number {
  return LAYERS.findIndex((layer) => layer.includes(unit));
}

/** Problems with one file's imports: unknown units, and imports of a unit at the same or a higher layer. */
function layeringProblems(file: string, source: string): string[] {
  const unit = unitOf(file);
  const layer = layerOf(unit);
  if (layer < 0) return [`${unit} is in no layer`];
  const problems: string[] = [];
  for (const match of source.matchAll(/from\s+["'](\.[^"']+)["']/g)) {
    const target = resolve(join(file, ".."), match[1]!);
    if (!target.startsWith(CORE)) continue; // reported by the test above
    const other = unitOf(target);
    if (other === unit) continue;
    const otherLayer = layerOf(other);
    if (otherLayer < 0 || otherLayer >= layer) problems.push(`${unit} imports ${other} (${match[1]})`);
  }
  return problems;
}

describe("core/ depends one way: leaves first, no cycles between its folders", () => {
  const files = sourceFiles(CORE);

  it.each(files.map((f) => [relative(ROOT, f), f]))("%s imports only from lower layers", (_name, file) => {
    expect(layeringProblems(file, readFileSync(file, "utf8"))).toEqual([]);
  });

  it("every unit of core/ has a layer", () => {
    const units = new Set(files.map(unitOf));
    expect([...units].filter((unit) => layerOf(unit) < 0)).toEqual([]);
  });

  it("the check itself catches an upward and a sideways import", () => {
    const upward = join(CORE, "audit/trace.ts");
    expect(layeringProblems(upward, 'import type { X } from "../apis/api-definition.ts";')).toEqual([
      "audit imports apis (../apis/api-definition.ts)",
    ]);
    const sideways = join(CORE, "json/x.ts");
    expect(layeringProblems(sideways, 'import { a } from "../sse/encoder.ts";')).toHaveLength(1);
    expect(layeringProblems(sideways, 'import { a } from "./raw-json.ts";')).toEqual([]);
  });
});
