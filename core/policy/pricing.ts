import { modelScope } from "../auth/model-scopes.ts";
import type { PriceRule, TokenPrices } from "../config.ts";
import type { TokenUsage } from "../ports/recorder.ts";
import { DEFAULT_PRICING } from "./default-pricing.ts";

export type { PriceRule, TokenPrices };

/** Model names are chosen by callers: past this many, the memo starts over instead of growing. */
const MEMO_LIMIT = 1000;

/**
 * The price of a model, by rule. Rules are tried in order and the first whole-name match wins
 * (anchored like key model scopes: `gpt-4o` does not price `gpt-4o-mini`). The operator's rules
 * come first, then the defaults, so an operator entry overrides a default for the names it
 * matches.
 */
export class Pricing {
  private readonly compiled: readonly { readonly regex: RegExp; readonly prices: TokenPrices }[];
  private readonly memo = new Map<string, TokenPrices | null>();

  /** Throws on a pattern that does not compile or a price that is negative or not finite. */
  constructor(rules: readonly PriceRule[], defaults: readonly PriceRule[] = DEFAULT_PRICING) {
    this.compiled = [...rules, ...defaults].map((rule) => {
      for (const [field, value] of Object.entries(rule.prices))
        if (!Number.isFinite(value) || value < 0)
          throw new Error(`pricing: ${rule.pattern}: ${field} must be a non-negative number`);
      return { regex: modelScope(rule.pattern), prices: rule.prices };
    });
  }

  /** null when no rule matches. */
  pricesOf(model: string): TokenPrices | null {
    const known = this.memo.get(model);
    if (known !== undefined) return known;
    const prices = this.compiled.find((rule) => rule.regex.test(model))?.prices ?? null;
    if (this.memo.size >= MEMO_LIMIT) this.memo.clear();
    this.memo.set(model, prices);
    return prices;
  }
}

/**
 * Cost in micro-dollars (USD × 10^6), rounded up to a whole number. Tokens × USD-per-million is
 * exactly micro-USD; the sum is taken in integers (prices to 10^-6 USD per million tokens) so
 * that a price like 0.075 adds no floating-point dust before the rounding. `reasoning` is not
 * added: it is already inside `output` (docs/tokens.md).
 */
export function costMicroUsd(tokens: TokenUsage, prices: TokenPrices): number {
  const picoUsd =
    count(tokens.input) * perMillionth(prices.input) +
    count(tokens.output) * perMillionth(prices.output) +
    count(tokens.cacheRead) * perMillionth(prices.cacheRead) +
    count(tokens.cacheWrite) * perMillionth(prices.cacheWrite);
  return Number((picoUsd + PICO_PER_MICRO - 1n) / PICO_PER_MICRO);
}

const PICO_PER_MICRO = 1_000_000n;

/** A token count as a whole number: a fraction is rounded up; a negative or non-finite count is 0. */
function count(tokens: number): bigint {
  return Number.isFinite(tokens) && tokens > 0 ? BigInt(Math.ceil(tokens)) : 0n;
}

/** USD per million tokens as pico-USD per token (10^-12 USD), rounded to the nearest. */
function perMillionth(usdPerMillion: number): bigint {
  return Number.isFinite(usdPerMillion) && usdPerMillion > 0 ? BigInt(Math.round(usdPerMillion * 1e6)) : 0n;
}
