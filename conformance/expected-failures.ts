import { readFileSync } from "node:fs";

/** A known gap: a case id (see load.ts) that is expected to fail, and why. */
export interface ExpectedFailure {
  readonly id: string;
  readonly reason: string;
}

export function loadExpectedFailures(path: string): Map<string, string> {
  const parsed = JSON.parse(readFileSync(path, "utf8")) as { entries?: ExpectedFailure[] };
  const entries = parsed.entries ?? [];
  const map = new Map<string, string>();
  for (const entry of entries) {
    if (map.has(entry.id)) throw new Error(`expected-failures: duplicate id ${entry.id}`);
    map.set(entry.id, entry.reason);
  }
  return map;
}

export type Verdict = "pass" | "fail" | "expected-fail" | "stale";

/**
 * A case passes only when it has no mismatches and is not listed; a listed case that passes is a
 * stale entry, which fails too, so the list can only shrink (burn-down).
 */
export function verdict(failed: boolean, listed: boolean): Verdict {
  if (listed) return failed ? "expected-fail" : "stale";
  return failed ? "fail" : "pass";
}

export function isOk(v: Verdict): boolean {
  return v === "pass" || v === "expected-fail";
}
