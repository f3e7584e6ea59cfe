import { describe, expect, it } from "vitest";
import { modelScope } from "../auth/model-scopes.ts";
import {
  allowsModel,
  effectivePolicy,
  hasPolicies,
  NO_POLICY,
  type Policy,
  type PolicySet,
} from "./policy.ts";

const set = (parts: {
  default?: Policy;
  groups?: Record<string, Policy>;
  users?: Record<string, Policy>;
}): PolicySet => ({
  ...(parts.default ? { default: parts.default } : {}),
  groups: new Map(Object.entries(parts.groups ?? {})),
  users: new Map(Object.entries(parts.users ?? {})),
});
const limitsOf = (policy: ReturnType<typeof effectivePolicy>) => Object.fromEntries(policy.limits);

describe("policy levels", () => {
  it("takes each field from the most specific level that sets it", () => {
    const policies = set({
      default: { limits: { requests_per_minute: 60, usd_per_day: 10 }, concurrentRequests: 4 },
      groups: { eng: { limits: { usd_per_day: 50 } } },
      users: { alice: { limits: { requests_per_minute: 600 } } },
    });
    const alice = effectivePolicy(policies, "alice", ["eng"]);
    expect(limitsOf(alice)).toEqual({ requests_per_minute: 600, usd_per_day: 50_000_000 });
    expect(alice.concurrentRequests).toBe(4);
    expect(limitsOf(effectivePolicy(policies, "bob", []))).toEqual({
      requests_per_minute: 60,
      usd_per_day: 10_000_000,
    });
  });

  it("gives a member of several groups the most generous of them, and null lifts a limit", () => {
    const policies = set({
      default: { limits: { usd_per_month: 100, tokens_per_day: 1000 } },
      groups: {
        small: { limits: { usd_per_month: 20, tokens_per_day: 5000 } },
        large: { limits: { usd_per_month: 500 } },
        unlimited: { limits: { tokens_per_day: null } },
      },
      users: { ci: { limits: { usd_per_month: null } } },
    });
    expect(limitsOf(effectivePolicy(policies, "x", ["small", "large"]))).toEqual({
      usd_per_month: 500_000_000,
      tokens_per_day: 5000,
    });
    expect(limitsOf(effectivePolicy(policies, "x", ["small", "unlimited"]))).toEqual({
      usd_per_month: 20_000_000,
    });
    expect(limitsOf(effectivePolicy(policies, "ci", ["small"]))).toEqual({ tokens_per_day: 5000 });
  });

  it("allows models from the user, else the union of the groups, else the default", () => {
    const policies = set({
      default: { models: [modelScope("claude-haiku-.*")] },
      groups: { a: { models: [modelScope("claude-sonnet-.*")] }, b: { models: [modelScope("gpt-5")] } },
      users: { root: { models: [modelScope(".*")] } },
    });
    const member = effectivePolicy(policies, "m", ["a", "b"]);
    expect(allowsModel(member, "claude-sonnet-4-5")).toBe(true);
    expect(allowsModel(member, "gpt-5")).toBe(true);
    expect(allowsModel(member, "gpt-5-mini")).toBe(false);
    expect(allowsModel(member, "claude-haiku-4-5")).toBe(false);
    expect(allowsModel(effectivePolicy(policies, "x", []), "claude-haiku-4-5")).toBe(true);
    expect(allowsModel(effectivePolicy(policies, "root", ["a"]), "anything")).toBe(true);
  });

  it("is NO_POLICY when nothing applies, and an empty set has no policies", () => {
    expect(effectivePolicy(set({ users: { other: { limits: { usd_per_day: 1 } } } }), "alice", [])).toBe(
      NO_POLICY,
    );
    expect(hasPolicies(set({}))).toBe(false);
    expect(hasPolicies(set({ default: { limits: {} } }))).toBe(false);
    expect(hasPolicies(set({ groups: { g: { concurrentRequests: 2 } } }))).toBe(true);
  });

  it("keeps a zero limit: it refuses everything rather than meaning none", () => {
    expect(
      limitsOf(effectivePolicy(set({ default: { limits: { requests_per_minute: 0 } } }), "a", [])),
    ).toEqual({
      requests_per_minute: 0,
    });
  });
});
