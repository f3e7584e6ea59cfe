import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";

export const ROOT = resolve(import.meta.dirname, "../..");
export const BUN = join(ROOT, "node_modules/.bin/bun");
const run = promisify(execFile);

export interface ServerOptions {
  /** Extra environment (provider keys, base URLs...). CAUSEWAY_DB and CAUSEWAY_LISTEN are set here. */
  readonly env?: Record<string, string>;
  /** YAML config text, written to a temp file and passed with --config. */
  readonly config?: string;
  /** Command that starts the server, default: the Bun CLI (`bun adapters/bun/main.ts`). */
  readonly command?: readonly string[];
}

/**
 * Runs the real `causeway serve` process on 127.0.0.1 with a fresh SQLite store in a temp dir,
 * waits for its "listening" log line, and offers the CLI against the same store.
 */
export async function startServer(options: ServerOptions = {}) {
  const dir = mkdtempSync(join(tmpdir(), "causeway-"));
  const db = options.env?.CAUSEWAY_DB ?? join(dir, "causeway.db");
  const configArgs: string[] = [];
  if (options.config !== undefined) {
    writeFileSync(join(dir, "causeway.yaml"), options.config);
    configArgs.push("--config", join(dir, "causeway.yaml"));
  }
  const env = {
    PATH: process.env.PATH ?? "",
    HOME: dir,
    CAUSEWAY_DB: db,
    CAUSEWAY_LISTEN: "127.0.0.1:0",
    ...options.env,
  };
  const command = options.command ?? [BUN, join(ROOT, "adapters/bun/main.ts")];
  const child: ChildProcess = spawn(command[0]!, [...command.slice(1), ...configArgs, "serve"], {
    cwd: dir,
    env,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let logs = "";
  child.stdout!.on("data", (d: Buffer) => (logs += d.toString()));
  const url = await new Promise<string>((resolvePromise, reject) => {
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${logs}`)), 20_000);
    child.stderr!.on("data", (d: Buffer) => {
      logs += d.toString();
      const match = /"message":"listening","url":"([^"]+)"/.exec(logs);
      if (match) {
        clearTimeout(timer);
        resolvePromise(match[1]!);
      }
    });
    child.on("exit", (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${logs}`));
    });
  });

  /** Runs `causeway ARGS` against the same store and config; returns stdout. */
  const cli = async (...args: string[]): Promise<string> => {
    const { stdout } = await run(BUN, [join(ROOT, "adapters/bun/main.ts"), ...configArgs, ...args], {
      cwd: dir,
      env,
    });
    return stdout;
  };

  /**
   * `bin/causeway ARGS` as a user runs it, against the same store and config; never throws,
   * gives the exit status and both streams.
   */
  const runCommand = (...args: string[]): Promise<CommandRun> =>
    new Promise((resolveRun) => {
      const commandEnv = {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        CAUSEWAY_DB: db,
        CAUSEWAY_CONFIG: join(dir, "causeway.yaml"),
      };
      execFile(join(ROOT, "bin/causeway"), args, { cwd: dir, env: commandEnv }, (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : 1;
        resolveRun({ code, stdout, stderr });
      });
    });

  return {
    url,
    dir,
    db,
    cli,
    command: runCommand,
    logs: () => logs,
    child,
    async createUser(name: string): Promise<string> {
      return (JSON.parse(await cli("users", "create", name, "--json")) as { token: string }).token;
    },
    /** Interceptions as `interceptions list --json` prints them, once every one has ended. */
    async interceptions(...args: string[]): Promise<Record<string, unknown>[]> {
      for (let attempt = 0; ; attempt++) {
        const rows = JSON.parse(await cli("interceptions", "list", "--json", ...args)) as Record<
          string,
          unknown
        >[];
        if (rows.every((r) => r.status !== null) || attempt > 50) return rows;
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    async stop(signal: NodeJS.Signals = "SIGTERM"): Promise<number | null> {
      if (child.exitCode !== null) return child.exitCode;
      const exited = new Promise<number | null>((r) => child.once("exit", (code) => r(code)));
      child.kill(signal);
      const code = await Promise.race([exited, new Promise<null>((r) => setTimeout(() => r(null), 10_000))]);
      if (child.exitCode === null) child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
      return code;
    },
  };
}

export interface CommandRun {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export type RunningServer = Awaited<ReturnType<typeof startServer>>;
