import { execFile } from "node:child_process";
import { resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const run = promisify(execFile);

async function check(command: string, args: string[]): Promise<string> {
  try {
    await run(resolve(ROOT, "node_modules/.bin", command), args, { cwd: ROOT, maxBuffer: 16 * 1024 * 1024 });
    return "";
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return `${e.stdout ?? ""}${e.stderr ?? ""}`.slice(0, 8000) || String(error);
  }
}

describe("toolchain checks", () => {
  it("the whole project type-checks (strict)", { timeout: 180_000 }, async () => {
    expect(await check("tsc", ["-p", "tsconfig.json", "--noEmit"])).toBe("");
  });

  it("core/ type-checks without any runtime's types", { timeout: 120_000 }, async () => {
    expect(await check("tsc", ["-p", "core/tsconfig.json", "--noEmit"])).toBe("");
  });

  it("lint and format are clean (biome)", { timeout: 60_000 }, async () => {
    expect(await check("biome", ["check", "."])).toBe("");
  });
});
