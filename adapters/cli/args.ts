import { parseArgs } from "node:util";

export class UsageError extends Error {
  override readonly name = "UsageError";
  /** The command's help, printed as is after the message (which is escaped: it quotes arguments). */
  readonly help: string | undefined;
  constructor(message: string, help?: string) {
    super(message);
    this.help = help;
  }
}

/** Strict flag parsing: an unknown flag or a missing value is a usage error, never ignored. */
export function parseFlags<T extends Record<string, { type: "string" | "boolean"; multiple?: boolean }>>(
  args: string[],
  options: T,
) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
}

export function parseSince(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const ms = Date.parse(value);
  if (Number.isNaN(ms)) throw new UsageError(`--since: expected an ISO date or time, got "${value}"`);
  return ms;
}

export function parseLimit(value: string | undefined, fallback: number): number {
  if (value === undefined) return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1)
    throw new UsageError(`--limit: expected a positive integer, got "${value}"`);
  return n;
}

/** Refuses a missing or unknown subcommand of `command`, with the command's help. */
export function subcommand<const A extends string>(
  command: string,
  action: string | undefined,
  known: readonly A[],
  help: string,
): asserts action is A {
  if (action !== undefined && (known as readonly string[]).includes(action)) return;
  throw new UsageError(
    action === undefined ? "a subcommand is required" : `unknown ${command} subcommand "${action}"`,
    help,
  );
}

export function noPositionals(positionals: string[]): void {
  if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
}
