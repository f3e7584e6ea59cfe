import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
import { describe, expect, it } from "vitest";

const ROOT = resolve(import.meta.dirname, "../..");
const APIS = join(ROOT, "core/apis");
/** The file set every intercepted API folder has (style lesson 1). */
const API_FILES = ["index.ts", "request.ts", "response.ts", "stream.ts", "errors.ts"];
const API_FOLDERS = ["anthropic-messages", "openai-chat", "openai-responses"];

describe("layout", () => {
  it.each(API_FOLDERS)("core/apis/%s has the API file set", (folder) => {
    const dir = join(APIS, folder);
    expect(existsSync(dir)).toBe(true);
    for (const file of API_FILES) expect(existsSync(join(dir, file)), `${folder}/${file}`).toBe(true);
  });

  it("no source file exceeds 400 lines", () => {
    const tooLong: string[] = [];
    const walk = (dir: string): void => {
      for (const name of readdirSync(dir)) {
        if (name === "node_modules" || name.startsWith(".") || name === "dist") continue;
        const path = join(dir, name);
        if (statSync(path).isDirectory()) walk(path);
        else if (name.endsWith(".ts") && !name.endsWith(".test.ts")) {
          const lines = readFileSync(path, "utf8").split("\n").length;
          if (lines > 400) tooLong.push(`${path.slice(ROOT.length + 1)} (${lines})`);
        }
      }
    };
    for (const top of ["core", "adapters", "conformance", "bench"])
      if (existsSync(join(ROOT, top))) walk(join(ROOT, top));
    expect(tooLong).toEqual([]);
  });
});
