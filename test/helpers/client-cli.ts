import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ROOT } from "./server-process.ts";

export const CLAUDE = join(ROOT, "node_modules/.bin/claude");
export const CODEX = join(ROOT, "node_modules/.bin/codex");

export interface CliRun {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/**
 * Runs a real client CLI with a throwaway HOME (and cwd) and only the variables given, killed
 * with SIGKILL if it outlives `timeoutMs` (kept under the test's own timeout).
 */
export async function runInThrowawayHome(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<CliRun> {
  const home = mkdtempSync(join(tmpdir(), "client-home-"));
  try {
    const child = spawn(command, args, {
      cwd: home,
      env: { PATH: process.env.PATH ?? "", HOME: home, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
    // "close", not "exit": only then has all of stdout and stderr arrived.
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    clearTimeout(killer);
    return { code, stdout, stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

/** `claude -p PROMPT`, offline (no nonessential traffic, no telemetry), with the variables given. */
export function runClaude(env: Record<string, string>, prompt: string, timeoutMs?: number): Promise<CliRun> {
  return runInThrowawayHome(
    CLAUDE,
    ["-p", prompt],
    { CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1", DISABLE_TELEMETRY: "1", ...env },
    timeoutMs,
  );
}

/** `codex exec` against a custom Responses provider at `baseUrl`, its credential in CW_KEY. */
export function runCodex(baseUrl: string, key: string, prompt: string, model: string): Promise<CliRun> {
  const provider = `model_providers.cw={name="cw", base_url="${baseUrl}", wire_api="responses", env_key="CW_KEY"}`;
  return runInThrowawayHome(
    CODEX,
    ["exec", "--skip-git-repo-check", "-c", "model_provider=cw", "-c", provider, "-m", model, prompt],
    { CW_KEY: key },
  );
}
