import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { TestProject } from "vitest/node";

declare module "vitest" {
  export interface ProvidedContext {
    /** A PostgreSQL server the tests may create databases on (superuser or CREATEDB role). */
    pgUrl: string;
  }
}

const ROOT = join(import.meta.dirname, "..");
/** Test folders and files that need the Node build and PostgreSQL (Node 20 has no node:sqlite). */
const NEEDS = ["/test/behaviour/", "/test/postgres/", "/test/e2e/cli-pipes.test.ts"];

/**
 * Once per `vitest run`: compiles the Node adapter to dist/ (Node 20 cannot run .ts) and starts a
 * throwaway PostgreSQL via .ci/postgres.sh unless CAUSEWAY_TEST_PG_URL names one; stops it after.
 * Runs that only select other files (`vitest run core/...`) skip both.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const noop = async (): Promise<void> => {};
  project.provide("pgUrl", process.env.CAUSEWAY_TEST_PG_URL ?? "");
  if (!(await selected(project))) return noop;

  execFileSync(join(ROOT, "node_modules/.bin/tsc"), ["-p", join(ROOT, "tsconfig.build.json")], {
    cwd: ROOT,
    stdio: "inherit",
  });

  if (process.env.CAUSEWAY_TEST_PG_URL) return noop;
  const dir = mkdtempSync(join(tmpdir(), "causeway-pg-"));
  const url = execFileSync("bash", [join(ROOT, ".ci/postgres.sh"), "start", dir], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  })
    .trim()
    .split("\n")
    .at(-1)!;
  project.provide("pgUrl", url);
  return async () => {
    execFileSync("bash", [join(ROOT, ".ci/postgres.sh"), "stop", dir], { stdio: "inherit" });
  };
}

/** Whether this run includes a file under NEEDS, by vitest's own matching of the CLI filters. */
async function selected(project: TestProject): Promise<boolean> {
  // Internal but stable across vitest 1-4: the file filters given on the command line.
  const filters = (project.vitest as unknown as { filenamePattern?: string[] }).filenamePattern;
  const { testFiles } = await project.globTestFiles(filters);
  return testFiles.some((file) => NEEDS.some((part) => file.includes(part)));
}
