import type { Policy, PolicySet } from "../config.ts";
import type { LimitName } from "../ports/usage-ledger.ts";

export type { Policy, PolicySet };

export const LIMIT_NAMES: readonly LimitName[] = [
  "requests_per_minute",
  "tokens_per_minute",
  "tokens_per_day",
  "usd_per_day",
  "usd_per_month",
];

/** What applies to one user once the levels are merged. */
export interface EffectivePolicy {
  /** Only the limits in force, in the ledger's units (USD as micro-dollars). */
  readonly limits: readonly (readonly [LimitName, number])[];
  /** Whether a USD limit is among them: only then is a request priced. */
  readonly costed: boolean;
  readonly concurrentRequests: number | null;
  /** null: every model. */
  readonly models: readonly RegExp[] | null;
}

/** What a limit counts: requests, tokens, or micro-dollars. */
export type LimitUnit = "requests" | "tokens" | "usd";

export function unitOf(limit: LimitName): LimitUnit {
  return limit === "requests_per_minute" ? "requests" : limit.startsWith("usd_") ? "usd" : "tokens";
}

export const NO_POLICY: EffectivePolicy = {
  limits: [],
  costed: false,
  concurrentRequests: null,
  models: null,
};

/** Whether any level sets anything: without policies the bridge skips the gate entirely. */
export function hasPolicies(set: PolicySet): boolean {
  const levels = [set.default, ...(set.groups?.values() ?? []), ...(set.users?.values() ?? [])];
  return levels.some(
    (p) =>
      p !== undefined &&
      (Object.keys(p.limits ?? {}).length > 0 ||
        p.concurrentRequests !== undefined ||
        p.models !== undefined),
  );
}

/**
 * Merges the levels for one user, most specific first: a value set for the user wins; else the
 * user's groups, where a user in several groups gets the most generous of them (a group grants an
 * allowance; joining one more must not take any away), so `null` (no limit) beats any number and
 * allowed models are the union; else `default`.
 */
export function effectivePolicy(set: PolicySet, name: string, groups: readonly string[]): EffectivePolicy {
  const user = set.users?.get(name);
  const inGroups = groups.flatMap((g) => set.groups?.get(g) ?? []);
  const pick = (read: (p: Policy) => number | null | undefined): number | null => {
    const own = user === undefined ? undefined : read(user);
    if (own !== undefined) return own;
    const granted = inGroups.map(read).filter((v) => v !== undefined);
    if (granted.length > 0) return granted.includes(null) ? null : Math.max(...(granted as number[]));
    return (set.default === undefined ? undefined : read(set.default)) ?? null;
  };
  const limits: [LimitName, number][] = [];
  for (const limit of LIMIT_NAMES) {
    const value = pick((p) => p.limits?.[limit]);
    if (value !== null) limits.push([limit, unitOf(limit) === "usd" ? Math.round(value * 1e6) : value]);
  }
  const groupModels = inGroups.filter((p) => p.models !== undefined).flatMap((p) => p.models!);
  const models =
    user?.models ??
    (inGroups.some((p) => p.models !== undefined) ? groupModels : null) ??
    set.default?.models ??
    null;
  const concurrentRequests = pick((p) => p.concurrentRequests);
  if (limits.length === 0 && concurrentRequests === null && models === null) return NO_POLICY;
  return { limits, costed: limits.some(([limit]) => unitOf(limit) === "usd"), concurrentRequests, models };
}

/** Whether the policy lets `model` be used. */
export function allowsModel(policy: EffectivePolicy, model: string): boolean {
  return policy.models === null || policy.models.some((pattern) => pattern.test(model));
}
