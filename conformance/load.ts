import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import type { ConformanceCase } from "./case.ts";
import { corpusCases } from "./corpus.ts";
import { fixtureCase } from "./fixture-cases.ts";

/** The corpus APIs the suite replays when the corpus folder exists. */
export const CORPUS_APIS = ["anthropic-messages", "openai-chat", "openai-responses"] as const;

/**
 * Every `<api>/<scenario>.txtar` under a fixtures directory, as cases with ids `<api>/<scenario>`.
 * Folders are APIs: a folder the runner doesn't know fails when its cases run, it is never skipped.
 */
export function fixtureDirCases(dir: string): ConformanceCase[] {
  const cases: ConformanceCase[] = [];
  for (const api of readdirSync(dir).sort()) {
    const apiDir = join(dir, api);
    if (!statSync(apiDir).isDirectory()) continue;
    for (const file of readdirSync(apiDir).sort()) {
      if (!file.endsWith(".txtar")) continue;
      const id = `${api}/${file.slice(0, -".txtar".length)}`;
      cases.push(fixtureCase(id, api, readFileSync(join(apiDir, file), "utf8")));
    }
  }
  return cases;
}

/** Corpus cases for the APIs present under `root`; none when the folder does not exist. */
export function corpusDirCases(root: string): ConformanceCase[] {
  if (!existsSync(root)) return [];
  return CORPUS_APIS.filter((api) => existsSync(join(root, api))).flatMap((api) => corpusCases(root, api));
}
