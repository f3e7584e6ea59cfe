import { describe, expect, it } from "vitest";
import { effectivePolicy } from "../../core/policy/policy.ts";
import { ConfigError, DEFAULT_MAX_INFLIGHT, resolveSettings } from "./load.ts";

const load = (yaml: string) => resolveSettings(yaml, {});
const errorOf = (yaml: string): string => {
  try {
    load(yaml);
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
  throw new Error("expected a ConfigError");
};

describe("policies, pricing and max_inflight in the config file", () => {
  it("resolves the levels, with null kept (it lifts a limit) and model patterns anchored", () => {
    const settings = load(`policies:
  default: { requests_per_minute: 60, usd_per_day: 2.5, models: ["claude-.*"] }
  groups:
    eng: { concurrent_requests: 3 }
  users:
    bot: { usd_per_day: null, models: ["gpt-5"] }
`);
    const bot = effectivePolicy(settings.policies, "bot", ["eng"]);
    expect(bot.limits).toEqual([["requests_per_minute", 60]]);
    expect(bot.concurrentRequests).toBe(3);
    expect(bot.models?.map((m) => [m.test("gpt-5"), m.test("gpt-5-mini")])).toEqual([[true, false]]);
    expect(effectivePolicy(settings.policies, "ann", []).limits).toEqual([
      ["requests_per_minute", 60],
      ["usd_per_day", 2_500_000],
    ]);
    expect(settings.maxInflight).toBe(DEFAULT_MAX_INFLIGHT);
  });

  it("keeps pricing in file order, cache prices defaulting to the input price", () => {
    const settings = load(`pricing:
  "my-model-large": { input: 5, output: 20, cache_read: 0.5 }
  "my-model-.*": { input: 1, output: 2 }
server: { max_inflight: 64 }
`);
    expect(settings.pricing).toEqual([
      { pattern: "my-model-large", prices: { input: 5, output: 20, cacheRead: 0.5, cacheWrite: 5 } },
      { pattern: "my-model-.*", prices: { input: 1, output: 2, cacheRead: 1, cacheWrite: 1 } },
    ]);
    expect(settings.maxInflight).toBe(64);
  });

  it("names the key and the problem for a bad value", () => {
    expect(errorOf("policies:\n  default: { usd_per_dya: 5 }\n")).toMatch(/policies\.default\.usd_per_dya/);
    expect(errorOf("policies:\n  users: { a: { requests_per_minute: 1.5 } }\n")).toMatch(
      /policies\.users\.a\.requests_per_minute: expected an integer/,
    );
    expect(errorOf("policies:\n  default: { usd_per_month: -1 }\n")).toMatch(
      /policies\.default\.usd_per_month: must be at least 0/,
    );
    expect(errorOf('policies:\n  default: { models: ["("] }\n')).toMatch(
      /policies\.default\.models\[0\]: is not a valid regular expression/,
    );
    expect(errorOf("policies:\n  default: { concurrent_requests: 0 }\n")).toMatch(
      /policies\.default\.concurrent_requests: must be at least 1/,
    );
    expect(errorOf('pricing:\n  "gpt-x": { input: 1 }\n')).toMatch(/pricing\.gpt-x\.output/);
    expect(errorOf("server: { max_inflight: 0 }\n")).toMatch(/server\.max_inflight: must be at least 1/);
  });
});
