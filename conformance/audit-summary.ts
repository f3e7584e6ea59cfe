import type { AuditEntry } from "../core/ports/recorder.ts";

/** One interception's audit in the public contract's shape (`interceptions list --json`). */
export interface AuditSummary {
  readonly status: string | null;
  readonly http_status: number | null;
  readonly tokens: {
    input: number;
    output: number;
    cache_read: number;
    cache_write: number;
    reasoning: number;
  };
  readonly prompts: string[];
  readonly tools: Record<string, unknown>[];
  readonly thoughts: string[];
  /** Not in the contract: how many start and end entries the interception got (must be 1 and 1). */
  readonly starts: number;
  readonly ends: number;
}

export function summarize(entries: readonly AuditEntry[], id: string): AuditSummary {
  const tokens = { input: 0, output: 0, cache_read: 0, cache_write: 0, reasoning: 0 };
  const summary = {
    status: null as string | null,
    http_status: null as number | null,
    tokens,
    prompts: [] as string[],
    tools: [] as Record<string, unknown>[],
    thoughts: [] as string[],
    starts: 0,
    ends: 0,
  };
  for (const entry of entries) {
    const owner = entry.kind === "interception-start" ? entry.id : entry.interceptionId;
    if (owner !== id) continue;
    switch (entry.kind) {
      case "interception-start":
        summary.starts++;
        break;
      case "interception-end":
        summary.ends++;
        summary.status = entry.status;
        summary.http_status = entry.httpStatus;
        break;
      case "token-usage":
        tokens.input += entry.tokens.input;
        tokens.output += entry.tokens.output;
        tokens.cache_read += entry.tokens.cacheRead;
        tokens.cache_write += entry.tokens.cacheWrite;
        tokens.reasoning += entry.tokens.reasoning;
        break;
      case "prompt":
        summary.prompts.push(entry.text);
        break;
      case "thought":
        summary.thoughts.push(entry.text);
        break;
      case "tool-usage":
        summary.tools.push({
          name: entry.name,
          call_id: entry.callId,
          injected: entry.injected,
          server: entry.server,
          args: parseArgs(entry.args),
          error: entry.error,
        });
        break;
    }
  }
  return summary;
}

function parseArgs(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/**
 * Compares an `expect/records` object with the summary: every key present must match exactly;
 * for `tools`, each expected entry is matched on the keys it names. Returns the differences.
 */
export function compareRecords(expected: Readonly<Record<string, unknown>>, actual: AuditSummary): string[] {
  const problems: string[] = [];
  for (const [key, want] of Object.entries(expected)) {
    const got = (actual as unknown as Record<string, unknown>)[key];
    if (key === "tools" && Array.isArray(want) && Array.isArray(got)) {
      const projected = got.map((tool, i) => project(tool, want[i]));
      if (!deepEqual(projected, want))
        problems.push(`records.tools: expected ${show(want)}, got ${show(got)}`);
    } else if (!deepEqual(want, got)) {
      problems.push(`records.${key}: expected ${show(want)}, got ${show(got)}`);
    }
  }
  return problems;
}

function project(value: unknown, template: unknown): unknown {
  if (typeof value !== "object" || value === null || typeof template !== "object" || template === null)
    return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(template)) out[key] = (value as Record<string, unknown>)[key];
  return out;
}

export function deepEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  return ka.every((k) => deepEqual((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

export function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text.length > 300 ? `${text.slice(0, 300)}…` : text;
}

export function totalTokens(summary: AuditSummary): number {
  const t = summary.tokens;
  return t.input + t.output + t.cache_read + t.cache_write + t.reasoning;
}
