import { readFileSync } from "node:fs";
import { SqlStore } from "../../core/store/sql-store.ts";
import { ConfigError, resolveSettings, type Settings } from "../config/load.ts";
import type { Runtime } from "../runtime/runtime.ts";
import { parseFlags, UsageError } from "./args.ts";
import {
  INTERCEPTIONS_HELP,
  interceptionsCommand,
  type StoreWork,
  USAGE_HELP,
  usageCommand,
} from "./commands.ts";
import { KEYS_HELP, keysCommand, USERS_HELP, usersCommand } from "./identity-commands.ts";
import { BrokenPipe, type Output, outputTo } from "./output.ts";
import { printable } from "./printable.ts";

const HELP = `Causeway: the AI bridge.

Usage:
  causeway serve                                   run the bridge (what npm start runs)
  causeway users create NAME [--admin] [--json]    create a user and print a new key once
  causeway users revoke|disable|enable NAME         revoke every key of a user; refuse or admit them
  causeway users list [--json]                     users, their origin and active keys
  causeway keys create NAME [--ttl 30d] [--models REGEX]... [--json]   another key, printed once
  causeway keys list [--user NAME] [--json]        keys by id (never the secret)
  causeway keys revoke KEY_ID                      one key stops working
  causeway interceptions list [--user NAME] [--since ISO] [--limit N] [--json | --format jsonl]
  causeway usage [--by user|model|day] [--since ISO] [--json | --format jsonl]
  causeway usage --budgets [--user NAME] [--json]  spend today and this month against policies
  causeway COMMAND --help                          more about one command

Global: --config FILE (or CAUSEWAY_CONFIG). See docs/configuration.md.
Results go to stdout, messages to stderr. Exit status: 0 done, 1 failed, 2 usage error.`;

const SERVE_HELP = `Usage:
  causeway serve

Runs the bridge with the settings of --config FILE, CAUSEWAY_CONFIG and the CAUSEWAY_*
environment (docs/configuration.md). Logs JSON lines to stderr. SIGTERM or SIGINT drains
in-flight requests and exits 0.`;

/** The store commands: their help and what they do once their arguments are checked. */
const STORE_COMMANDS: Record<string, { help: string; parse: (args: string[]) => StoreWork }> = {
  users: { help: USERS_HELP, parse: usersCommand },
  keys: { help: KEYS_HELP, parse: keysCommand },
  interceptions: { help: INTERCEPTIONS_HELP, parse: interceptionsCommand },
  usage: { help: USAGE_HELP, parse: usageCommand },
};

/** What the process does after `runCli`: exit with a status, or keep serving. */
export type CliOutcome = number | "serving";

/**
 * The `causeway` command on any runtime. Resolves once its output has been written out (the
 * caller may then exit at once), with the exit status, or "serving" for `causeway serve`.
 *
 * Order matters: arguments and --help are handled before settings are read and before the store
 * is opened, so `--help`, an unknown command or a usage error never create a database file.
 */
export async function runCli(argv: string[], runtime: Runtime): Promise<CliOutcome> {
  const out = outputTo(process.stdout);
  const err = outputTo(process.stderr);
  let outcome: CliOutcome;
  try {
    outcome = await dispatch(argv, runtime, out);
  } catch (error) {
    outcome = await report(error, err);
  }
  // Every byte is handed to the OS before the caller may process.exit: a slow reader of a pipe
  // would otherwise get a cut output.
  await Promise.all([out.flush(), err.flush()]);
  if (outcome === "serving") {
    out.release();
    err.release();
  }
  return outcome;
}

async function dispatch(argv: string[], runtime: Runtime, out: Output): Promise<CliOutcome> {
  const { args, configPath } = takeConfigFlag(argv);
  const [command, ...rest] = args;
  if (command === undefined) throw new UsageError("a command is required", HELP);
  if (command === "help" || command === "--help" || command === "-h") {
    await out.line(HELP);
    return 0;
  }
  const wantsHelp = rest.includes("--help") || rest.includes("-h");
  if (command === "serve") {
    if (wantsHelp) {
      await out.line(SERVE_HELP);
      return 0;
    }
    const { positionals } = parseFlags(rest, {});
    if (positionals.length > 0) throw new UsageError(`serve: unexpected argument "${positionals[0]}"`);
    const settings = loadSettings(configPath ?? process.env.CAUSEWAY_CONFIG);
    // Loaded only here: the bridge's modules would slow every other command's start.
    const { serveCommand } = await import("./serve.ts");
    await serveCommand(runtime, settings);
    return "serving";
  }
  const spec = STORE_COMMANDS[command];
  if (!spec) throw new UsageError(`unknown command "${command}"`, HELP);
  if (wantsHelp) {
    await out.line(spec.help);
    return 0;
  }
  const work = spec.parse(rest);
  const settings = loadSettings(configPath ?? process.env.CAUSEWAY_CONFIG);
  const store = new SqlStore(await runtime.openSql(settings.db));
  try {
    await store.migrate(Date.now());
    await work(store, out, settings);
  } finally {
    await store.sql.close();
  }
  return 0;
}

/**
 * The exit status for what went wrong, with one line about it on stderr (no stack trace). The
 * message may quote an argument or a stored value, so it is escaped; a configuration error has one
 * line per problem, each escaped; a usage error's help is our own text.
 */
async function report(error: unknown, err: Output): Promise<number> {
  // The reader of stdout left (`| head -n 1`): it has what it wanted; nothing to say.
  if (error instanceof BrokenPipe) return 0;
  const usage = error instanceof UsageError || error instanceof ConfigError;
  const message = error instanceof Error ? error.message : String(error);
  const lines = error instanceof ConfigError ? message.split("\n") : [message];
  const help = error instanceof UsageError && error.help ? `\n\n${error.help}` : "";
  try {
    await err.line(`causeway: ${lines.map(printable).join("\n")}${help}`);
  } catch {
    // stderr is gone too: the status is all that is left to tell.
  }
  return usage ? 2 : 1;
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
