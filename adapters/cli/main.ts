import { readFileSync } from "node:fs";
import { SqlStore } from "../../core/store/sql-store.ts";
import { ConfigError, resolveSettings, type Settings } from "../config/load.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { UsageError } from "./args.ts";
import { interceptionsCommand, usageCommand, usersCommand } from "./commands.ts";
import { serveCommand } from "./serve.ts";

const HELP = `Causeway: the AI bridge.

Usage:
  causeway serve                                   run the bridge (what npm start runs)
  causeway users create NAME [--admin] [--json]    create a user and print a new key once
  causeway users revoke NAME [--json]              revoke every key of a user
  causeway interceptions list [--user NAME] [--since ISO] [--limit N] [--json]
  causeway usage [--by user|model|day] [--since ISO] [--json]

Global: --config FILE (or CAUSEWAY_CONFIG). See docs/configuration.md.`;

/** The `causeway` command on any runtime; returns the exit code (serve keeps running). */
export async function runCli(argv: string[], runtime: Runtime): Promise<number> {
  const print = (text: string) => process.stdout.write(`${text}\n`);
  try {
    const { args, configPath } = takeConfigFlag(argv);
    const [command, ...rest] = args;
    if (!command || command === "help" || command === "--help" || command === "-h") {
      print(HELP);
      return command ? 0 : 2;
    }
    const settings = loadSettings(configPath ?? process.env.CAUSEWAY_CONFIG);
    if (command === "serve") {
      await serveCommand(runtime, settings);
      return 0;
    }
    const store = new SqlStore(await runtime.openSql(settings.db));
    try {
      await store.migrate(Date.now());
      if (command === "users") await usersCommand(store, rest, print);
      else if (command === "interceptions") await interceptionsCommand(store, rest, print);
      else if (command === "usage") await usageCommand(store, rest, print);
      else throw new UsageError(`unknown command "${command}"\n\n${HELP}`);
    } finally {
      await store.sql.close();
    }
    return 0;
  } catch (error) {
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`causeway: ${error.message}\n`);
      return 2;
    }
    process.stderr.write(`causeway: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
}

/** Whether `argv` runs `causeway serve` (which keeps running after `runCli` returns), wherever `--config` sits. */
export function isServeCommand(argv: string[]): boolean {
  try {
    return takeConfigFlag(argv).args[0] === "serve";
  } catch {
    return false;
  }
}

function takeConfigFlag(argv: string[]): { args: string[]; configPath: string | undefined } {
  const args: string[] = [];
  let configPath: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--config") {
      configPath = argv[++i];
      if (!configPath) throw new UsageError("--config: a file path is required");
    } else if (arg.startsWith("--config=")) configPath = arg.slice("--config=".length);
    else args.push(arg);
  }
  return { args, configPath };
}

function loadSettings(path: string | undefined): Settings {
  let text: string | null = null;
  if (path) {
    try {
      text = readFileSync(path, "utf8");
    } catch {
      throw new ConfigError(`config: cannot read ${path}`);
    }
  }
  return resolveSettings(text, process.env);
}
