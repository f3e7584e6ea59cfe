import { parseArgs } from "node:util";

export class UsageError extends Error {
  override readonly name = "UsageError";
}

/** Strict flag parsing: an unknown flag or a missing value is a usage error, never ignored. */
export function parseFlags<T extends Record<string, { type: "string" | "boolean" }>>(
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
