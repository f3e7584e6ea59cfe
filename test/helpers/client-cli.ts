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
  /** From start to the end of its output. */
  readonly elapsedMs: number;
}

/**
 * Runs a real client CLI with a throwaway HOME (and cwd) and only the variables given, killed
 * with SIGKILL if it outlives `timeoutMs` (kept under the test's own timeout). The kill takes its
 * whole process group: on Node 20 `codex` is a Node wrapper around the native binary, which
 * would otherwise outlive it and hold stdout open.
 */
export async function runInThrowawayHome(
  command: string,
  args: readonly string[],
  env: Record<string, string>,
  timeoutMs = 60_000,
): Promise<CliRun> {
  const home = mkdtempSync(join(tmpdir(), "client-home-"));
  try {
    const started = Date.now();
    const child = spawn(command, args, {
      cwd: home,
      env: { PATH: process.env.PATH ?? "", HOME: home, ...env },
      stdio: ["ignore", "pipe", "pipe"],
      detached: true,
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => {
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        // Already gone: its output is about to close.
      }
    }, timeoutMs);
    // "close", not "exit": only then has all of stdout and stderr arrived.
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    clearTimeout(killer);
    return { code, stdout, stderr, elapsedMs: Date.now() - started };
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

export interface CodexOptions {
  /** More numeric settings of the provider, e.g. `{ stream_max_retries: 0 }`. */
  readonly provider?: Record<string, number>;
  /** More variables, e.g. RUST_LOG. */
  readonly env?: Record<string, string>;
  readonly timeoutMs?: number;
}

/** `codex exec` against a custom Responses provider at `baseUrl`, its credential in CW_KEY. */
export function runCodex(
  baseUrl: string,
  key: string,
  prompt: string,
  model: string,
  options: CodexOptions = {},
): Promise<CliRun> {
  const settings = Object.entries(options.provider ?? {}).map(([name, value]) => `, ${name}=${value}`);
  const provider = `model_providers.cw={name="cw", base_url="${baseUrl}", wire_api="responses", env_key="CW_KEY"${settings.join("")}}`;
  return runInThrowawayHome(
    CODEX,
    ["exec", "--skip-git-repo-check", "-c", "model_provider=cw", "-c", provider, "-m", model, prompt],
    { ...options.env, CW_KEY: key },
    options.timeoutMs,
  );
}
