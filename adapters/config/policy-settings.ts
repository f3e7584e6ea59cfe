import { modelScope } from "../../core/auth/model-scopes.ts";
import { LIMIT_NAMES, type Policy, type PolicySet } from "../../core/policy/policy.ts";
import type { PriceRule } from "../../core/policy/pricing.ts";
import type { LimitName } from "../../core/ports/usage-ledger.ts";
import type { PoliciesFile, PolicyFile, PricingFile } from "./policy-schema.ts";

/** `policies:` as the core takes it: levels by name, model patterns compiled (anchored) once. */
export function resolvePolicies(file: PoliciesFile | undefined): PolicySet {
  if (file === undefined) return {};
  const level = (p: PolicyFile): Policy => {
    const limits: Partial<Record<LimitName, number | null>> = {};
    for (const key of LIMIT_NAMES) if (p[key] !== undefined) limits[key] = p[key];
    return {
      limits,
      ...(p.concurrent_requests !== undefined ? { concurrentRequests: p.concurrent_requests } : {}),
      ...(p.models !== undefined ? { models: p.models.map(modelScope) } : {}),
    };
  };
  const byName = (levels: Record<string, PolicyFile> | undefined) =>
    new Map(Object.entries(levels ?? {}).map(([name, p]) => [name, level(p)]));
  return {
    ...(file.default ? { default: level(file.default) } : {}),
    groups: byName(file.groups),
    users: byName(file.users),
  };
}

/** `pricing:` in file order (the first matching pattern prices a model); cache prices default to input. */
export function resolvePricing(file: PricingFile | undefined): PriceRule[] {
  return Object.entries(file ?? {}).map(([pattern, p]) => ({
    pattern,
    prices: {
      input: p.input,
      output: p.output,
      cacheRead: p.cache_read ?? p.input,
      cacheWrite: p.cache_write ?? p.input,
    },
  }));
}
