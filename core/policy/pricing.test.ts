import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TokenUsage } from "../ports/recorder.ts";
import { DEFAULT_PRICING } from "./default-pricing.ts";
import { costMicroUsd, type PriceRule, Pricing, type TokenPrices } from "./pricing.ts";

const M = 1_000_000;
const usage = (tokens: Partial<TokenUsage>): TokenUsage => ({
  input: 0,
  output: 0,
  cacheRead: 0,
  cacheWrite: 0,
  reasoning: 0,
  ...tokens,
});
const flat = (usd: number): TokenPrices => ({ input: usd, output: usd, cacheRead: usd, cacheWrite: usd });
const defaultFor = (pattern: string): TokenPrices =>
  DEFAULT_PRICING.find((r) => r.pattern === pattern)!.prices;

/** Model ids each default rule must price, and price first: no earlier rule may take them. */
const EXAMPLES: Record<string, readonly string[]> = {
  "claude-fable-5-1(?:-\\d{8})?": ["claude-fable-5-1"],
  "claude-mythos-5-1(?:-\\d{8})?": ["claude-mythos-5-1"],
  "claude-fable-5(?:-\\d{8})?": ["claude-fable-5"],
  "claude-mythos-5(?:-\\d{8})?": ["claude-mythos-5"],
  "claude-opus-5-5(?:-\\d{8})?": ["claude-opus-5-5"],
  "claude-opus-5(?:-\\d{8})?": ["claude-opus-5"],
  "claude-opus-4-[5-8](?:-\\d{8})?": [
    "claude-opus-4-5",
    "claude-opus-4-5-20251101",
    "claude-opus-4-6",
    "claude-opus-4-7",
    "claude-opus-4-8",
  ],
  "claude-opus-4(?:-[01])?(?:-\\d{8})?": [
    "claude-opus-4-20250514",
    "claude-opus-4-0",
    "claude-opus-4-1",
    "claude-opus-4-1-20250805",
  ],
  "claude-sonnet-5-5(?:-\\d{8})?": ["claude-sonnet-5-5"],
  "claude-sonnet-5(?:-\\d{8})?": ["claude-sonnet-5"],
  "claude-sonnet-4(?:-[056])?(?:-\\d{8})?": [
    "claude-sonnet-4-20250514",
    "claude-sonnet-4-0",
    "claude-sonnet-4-5",
    "claude-sonnet-4-5-20250929",
    "claude-sonnet-4-6",
  ],
  "claude-haiku-4-5(?:-\\d{8})?": ["claude-haiku-4-5", "claude-haiku-4-5-20251001"],
  "claude-3-5-haiku(?:-\\d{8})?": ["claude-3-5-haiku-20241022"],
  "gpt-6-astra(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-6-astra"],
  "gpt-6\\.2-sol(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-6.2-sol"],
  "gpt-6\\.1-sol(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-6.1-sol", "gpt-6.1-sol-2026-09-29"],
  "gpt-6-sol(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-6-sol"],
  "gpt-6\\.1-terra(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-6.1-terra"],
  "gpt-6-luna(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-6-luna"],
  "gpt-5\\.6-terra(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-5.6-terra"],
  "gpt-5\\.6-luna(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-5.6-luna"],
  "gpt-5\\.5-pro(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-5.5-pro"],
  "gpt-5\\.5(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-5.5"],
  "gpt-5\\.4-pro(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-5.4-pro"],
  "gpt-5\\.4-mini(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-5.4-mini"],
  "gpt-5\\.4-nano(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-5.4-nano"],
  "gpt-5\\.4(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-5.4", "gpt-5.4-2026-03-05"],
  "gpt-5\\.2-pro(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-5.2-pro"],
  "gpt-5\\.2(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-5.2", "gpt-5.2-2025-12-11"],
  "gpt-5\\.1(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-5.1", "gpt-5.1-2025-11-13"],
  "gpt-5-codex(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-5-codex"],
  "gpt-5-pro(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-5-pro", "gpt-5-pro-2025-10-06"],
  "gpt-5-mini(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-5-mini", "gpt-5-mini-2025-08-07"],
  "gpt-5-nano(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-5-nano"],
  "gpt-5(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-5", "gpt-5-2025-08-07"],
  "gpt-4\\.1-mini(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-4.1-mini", "gpt-4.1-mini-2025-04-14"],
  "gpt-4\\.1-nano(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-4.1-nano"],
  "gpt-4\\.1(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-4.1", "gpt-4.1-2025-04-14"],
  "gpt-4o-mini(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-4o-mini", "gpt-4o-mini-2024-07-18"],
  "gpt-4o-2024-05-13": ["gpt-4o-2024-05-13"],
  "gpt-4o(?:-\\d{4}-\\d{2}-\\d{2})?": ["gpt-4o", "gpt-4o-2024-08-06", "gpt-4o-2024-11-20"],
  "o1-pro(?:-\\d{4}-\\d{2}-\\d{2})?": ["o1-pro"],
  "o1(?:-\\d{4}-\\d{2}-\\d{2})?": ["o1", "o1-2024-12-17"],
  "o3-pro(?:-\\d{4}-\\d{2}-\\d{2})?": ["o3-pro"],
  "o3-mini(?:-\\d{4}-\\d{2}-\\d{2})?": ["o3-mini", "o3-mini-2025-01-31"],
  "o3(?:-\\d{4}-\\d{2}-\\d{2})?": ["o3", "o3-2025-04-16"],
  "o4-mini(?:-\\d{4}-\\d{2}-\\d{2})?": ["o4-mini", "o4-mini-2025-04-16"],
};

describe("Pricing", () => {
  it("tries operator rules first, in order, then the defaults", () => {
    const sonnet = flat(1);
    const anyClaude = flat(2);
    const pricing = new Pricing([
      { pattern: "claude-sonnet-4-5.*", prices: sonnet },
      { pattern: "claude-.*", prices: anyClaude },
      { pattern: "claude-sonnet-4-5-20250929", prices: flat(3) }, // never reached: an earlier rule matches
    ]);
    expect(pricing.pricesOf("claude-sonnet-4-5-20250929")).toBe(sonnet);
    expect(pricing.pricesOf("claude-opus-4-1-20250805")).toBe(anyClaude); // overrides the default
    expect(pricing.pricesOf("gpt-4o")).toBe(defaultFor("gpt-4o(?:-\\d{4}-\\d{2}-\\d{2})?"));
  });

  it("overrides a default only for the names the operator's pattern matches whole", () => {
    const mine = flat(9);
    const pricing = new Pricing([{ pattern: "gpt-4o", prices: mine }]);
    expect(pricing.pricesOf("gpt-4o")).toBe(mine);
    expect(pricing.pricesOf("gpt-4o-2024-08-06")).toBe(defaultFor("gpt-4o(?:-\\d{4}-\\d{2}-\\d{2})?"));
    expect(pricing.pricesOf("gpt-4o-mini")).toBe(defaultFor("gpt-4o-mini(?:-\\d{4}-\\d{2}-\\d{2})?"));
  });

  it("anchors every pattern: a rule prices whole names only, alternations included", () => {
    const pricing = new Pricing([{ pattern: "gpt-4o|o3", prices: flat(1) }], []);
    expect(pricing.pricesOf("gpt-4o")).not.toBeNull();
    expect(pricing.pricesOf("o3")).not.toBeNull();
    for (const model of ["gpt-4o-mini", "my-gpt-4o", "o3-mini", "gpt-4o|o3", "GPT-4O"])
      expect(pricing.pricesOf(model), model).toBeNull();
  });

  it("prices dated and undated ids alike, and keeps families apart", () => {
    const pricing = new Pricing([]);
    expect(pricing.pricesOf("claude-sonnet-4-5-20250929")).toBe(pricing.pricesOf("claude-sonnet-4-5"));
    expect(pricing.pricesOf("claude-opus-4-5-20251101")).toBe(pricing.pricesOf("claude-opus-4-5"));
    expect(pricing.pricesOf("gpt-4o-2024-08-06")).toBe(pricing.pricesOf("gpt-4o"));
    expect(pricing.pricesOf("claude-opus-4-5")?.input).toBe(5);
    expect(pricing.pricesOf("claude-opus-4-1")?.input).toBe(15);
    expect(pricing.pricesOf("claude-opus-5-5")?.input).toBe(4);
    expect(pricing.pricesOf("gpt-4o-mini")?.input).toBe(0.15);
    expect(pricing.pricesOf("gpt-4o")?.input).toBe(2.5);
    expect(pricing.pricesOf("gpt-4o-2024-05-13")?.input).toBe(5); // the one snapshot priced apart
  });

  it("has no price for an unknown model", () => {
    const pricing = new Pricing([]);
    for (const model of [
      "",
      "mistral-large",
      "claude-sonnet-4-5-latest-x",
      "gpt-4o-audio-preview",
      "gpt-5.5-x",
    ])
      expect(pricing.pricesOf(model), model).toBeNull();
  });

  it("keeps answering the same past its memo's bound", () => {
    const mine = flat(1);
    const pricing = new Pricing([{ pattern: "m-\\d+", prices: mine }], []);
    for (let round = 0; round < 2; round++)
      for (let i = 0; i < 2500; i++) {
        expect(pricing.pricesOf(`m-${i}`)).toBe(mine);
        expect(pricing.pricesOf(`x-${i}`)).toBeNull();
      }
  });

  it("refuses a pattern that does not compile and a price that is negative or not finite", () => {
    expect(() => new Pricing([{ pattern: "gpt-(", prices: flat(1) }])).toThrow();
    expect(() => new Pricing([{ pattern: "a", prices: { ...flat(1), cacheRead: -1 } }])).toThrow(/cacheRead/);
    expect(() => new Pricing([{ pattern: "a", prices: { ...flat(1), output: Number.NaN } }])).toThrow(
      /output/,
    );
  });
});

describe("the default prices", () => {
  it("list examples for every rule, and no two rules share a pattern", () => {
    const patterns = DEFAULT_PRICING.map((rule) => rule.pattern);
    expect(new Set(patterns).size).toBe(patterns.length);
    expect(Object.keys(EXAMPLES).sort()).toEqual([...patterns].sort());
  });

  it.each(DEFAULT_PRICING.map((rule): [string, PriceRule] => [rule.pattern, rule]))(
    "%s compiles and prices its examples first",
    (_pattern, rule) => {
      const pricing = new Pricing([]);
      const examples = EXAMPLES[rule.pattern] ?? [];
      expect(examples.length).toBeGreaterThan(0);
      for (const model of examples) expect(pricing.pricesOf(model), model).toBe(rule.prices);
    },
  );

  it("are plausible: cache reads cost at most input, cache writes and output at least input", () => {
    for (const { pattern, prices } of DEFAULT_PRICING) {
      expect(prices.cacheRead, pattern).toBeLessThanOrEqual(prices.input);
      expect(prices.cacheWrite, pattern).toBeGreaterThanOrEqual(prices.input);
      expect(prices.output, pattern).toBeGreaterThan(prices.input);
      expect(prices.cacheRead, pattern).toBeGreaterThan(0);
    }
  });
});

describe("costMicroUsd", () => {
  const sonnet: TokenPrices = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };

  it("is tokens × USD per million, in micro-dollars", () => {
    expect(costMicroUsd(usage({ input: M }), sonnet)).toBe(3_000_000);
    expect(costMicroUsd(usage({ output: M }), sonnet)).toBe(15_000_000);
    expect(costMicroUsd(usage({ cacheRead: M }), sonnet)).toBe(300_000);
    expect(costMicroUsd(usage({ cacheWrite: M }), sonnet)).toBe(3_750_000);
    expect(costMicroUsd(usage({ input: M, output: M, cacheRead: M, cacheWrite: M }), sonnet)).toBe(
      22_050_000,
    );
    expect(costMicroUsd(usage({}), sonnet)).toBe(0);
  });

  it("rounds a fraction of a micro-dollar up, and an exact sum not at all", () => {
    expect(costMicroUsd(usage({ input: 1 }), flat(0.075))).toBe(1); // 0.075 micro-USD
    expect(costMicroUsd(usage({ input: 3 }), flat(0.1))).toBe(1); // 0.3
    expect(costMicroUsd(usage({ input: 1, output: 1 }), { ...flat(0.5), output: 0.6 })).toBe(2); // 1.1
    expect(costMicroUsd(usage({ input: 100 }), flat(0.07))).toBe(7); // 100 × 0.07 is 7.000000000000001 in floats
    expect(costMicroUsd(usage({ input: 10, cacheRead: 10 }), { ...flat(0.1), cacheRead: 0.2 })).toBe(3);
  });

  it("does not add reasoning: it is inside output", () => {
    const plain = costMicroUsd(usage({ output: 1000 }), sonnet);
    expect(plain).toBe(15_000);
    expect(costMicroUsd(usage({ output: 1000, reasoning: 800 }), sonnet)).toBe(plain);
  });

  const counts = fc.record({
    input: fc.nat(2_000_000_000),
    output: fc.nat(2_000_000_000),
    cacheRead: fc.nat(2_000_000_000),
    cacheWrite: fc.nat(2_000_000_000),
    reasoning: fc.nat(2_000_000_000),
  });
  const price = fc.oneof(
    fc.integer({ min: 0, max: 1_000_000_000 }).map((n) => n / 1e6), // any price to 10^-6 USD
    fc.constantFrom(...DEFAULT_PRICING.flatMap((rule) => Object.values(rule.prices))),
  );
  const prices = fc.record({ input: price, output: price, cacheRead: price, cacheWrite: price });
  const fields = ["input", "output", "cacheRead", "cacheWrite", "reasoning"] as const;

  it("is a whole number, never negative, and never falls when any count grows", () => {
    fc.assert(
      fc.property(counts, prices, fc.constantFrom(...fields), fc.nat(1_000_000), (tokens, p, field, more) => {
        const cost = costMicroUsd(tokens, p);
        expect(Number.isInteger(cost)).toBe(true);
        expect(cost).toBeGreaterThanOrEqual(0);
        expect(costMicroUsd({ ...tokens, [field]: tokens[field] + more }, p)).toBeGreaterThanOrEqual(cost);
      }),
    );
  });

  it("rounds once: two parts cost at least the whole and at most one micro-dollar more", () => {
    fc.assert(
      fc.property(counts, counts, prices, (a, b, p) => {
        const whole = costMicroUsd(
          usage({
            input: a.input + b.input,
            output: a.output + b.output,
            cacheRead: a.cacheRead + b.cacheRead,
            cacheWrite: a.cacheWrite + b.cacheWrite,
          }),
          p,
        );
        const parts = costMicroUsd(a, p) + costMicroUsd(b, p);
        expect(parts).toBeGreaterThanOrEqual(whole);
        expect(parts).toBeLessThanOrEqual(whole + 1);
      }),
    );
  });
});
