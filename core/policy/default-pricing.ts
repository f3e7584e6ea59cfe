import type { PriceRule } from "./pricing.ts";

/*
 * Default list prices, USD per million tokens: { input, output, cacheRead, cacheWrite }.
 * Checked 2026-12-02 against the providers' own pages (the newest copies available were of
 * October 2026 for the two price tables and of November 2026 for the gpt-6.2-sol page):
 *   Anthropic: https://platform.claude.com/docs/en/about-claude/pricing ("Model pricing"),
 *     model ids from https://platform.claude.com/docs/en/about-claude/models/overview
 *   OpenAI: https://developers.openai.com/api/docs/pricing ("Standard", short context),
 *     https://developers.openai.com/api/docs/models/gpt-6.2-sol, .../gpt-6.1-terra, .../gpt-5-codex
 * Anthropic: cacheWrite is the 5-minute write price; cacheRead the cache hit price.
 * OpenAI: cacheRead is the cached-input price; cacheWrite is the published cache-write price
 *   (GPT-5.6 and later), else the input price. A model without a cached-input price has
 *   cacheRead = input. Models priced by context length (over 272K input tokens) are listed at
 *   their short-context rates.
 * Left out (no price confirmed on the provider's page, or not expressible as one flat price):
 *   claude-haiku-5-5 (priced by prompt length, 5x over 100K tokens), claude-fable-5-2,
 *   claude-mythos-5-2, gpt-6.2-astra (cache prices not confirmed), gpt-5.6-sol (its promotional
 *   price was promised only to 2026-11-21; today's price not confirmed), gpt-5.1-codex.
 * Patterns match the whole name; an optional date suffix covers the dated snapshots.
 */
// biome-ignore format: one line per family
export const DEFAULT_PRICING: readonly PriceRule[] = [
  // Anthropic
  { pattern: String.raw`claude-fable-5-1(?:-\d{8})?`, prices: { input: 10, output: 50, cacheRead: 0.25, cacheWrite: 12.5 } },
  { pattern: String.raw`claude-mythos-5-1(?:-\d{8})?`, prices: { input: 10, output: 50, cacheRead: 0.25, cacheWrite: 12.5 } },
  { pattern: String.raw`claude-fable-5(?:-\d{8})?`, prices: { input: 10, output: 50, cacheRead: 1, cacheWrite: 12.5 } },
  { pattern: String.raw`claude-mythos-5(?:-\d{8})?`, prices: { input: 10, output: 50, cacheRead: 1, cacheWrite: 12.5 } },
  { pattern: String.raw`claude-opus-5-5(?:-\d{8})?`, prices: { input: 4, output: 20, cacheRead: 0.2, cacheWrite: 5 } },
  { pattern: String.raw`claude-opus-5(?:-\d{8})?`, prices: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 } },
  { pattern: String.raw`claude-opus-4-[5-8](?:-\d{8})?`, prices: { input: 5, output: 25, cacheRead: 0.5, cacheWrite: 6.25 } },
  { pattern: String.raw`claude-opus-4(?:-[01])?(?:-\d{8})?`, prices: { input: 15, output: 75, cacheRead: 1.5, cacheWrite: 18.75 } },
  { pattern: String.raw`claude-sonnet-5-5(?:-\d{8})?`, prices: { input: 2, output: 10, cacheRead: 0.1, cacheWrite: 2.5 } },
  { pattern: String.raw`claude-sonnet-5(?:-\d{8})?`, prices: { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 } },
  { pattern: String.raw`claude-sonnet-4(?:-[056])?(?:-\d{8})?`, prices: { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 } },
  { pattern: String.raw`claude-haiku-4-5(?:-\d{8})?`, prices: { input: 1, output: 5, cacheRead: 0.1, cacheWrite: 1.25 } },
  { pattern: String.raw`claude-3-5-haiku(?:-\d{8})?`, prices: { input: 0.8, output: 4, cacheRead: 0.08, cacheWrite: 1 } },
  // OpenAI
  { pattern: String.raw`gpt-6-astra(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 10, output: 50, cacheRead: 1, cacheWrite: 12.5 } },
  { pattern: String.raw`gpt-6\.2-sol(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 2, output: 10, cacheRead: 0.1, cacheWrite: 2.5 } },
  { pattern: String.raw`gpt-6\.1-sol(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 2, output: 10, cacheRead: 0.1, cacheWrite: 2.5 } },
  { pattern: String.raw`gpt-6-sol(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 2, output: 10, cacheRead: 0.2, cacheWrite: 2.5 } },
  { pattern: String.raw`gpt-6\.1-terra(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 1, output: 5, cacheRead: 0.05, cacheWrite: 1.25 } },
  { pattern: String.raw`gpt-6-luna(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 0.1, output: 0.5, cacheRead: 0.01, cacheWrite: 0.125 } },
  { pattern: String.raw`gpt-5\.6-terra(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 2, output: 12, cacheRead: 0.2, cacheWrite: 2.5 } },
  { pattern: String.raw`gpt-5\.6-luna(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 0.2, output: 1.2, cacheRead: 0.02, cacheWrite: 0.25 } },
  { pattern: String.raw`gpt-5\.5-pro(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 30, output: 180, cacheRead: 30, cacheWrite: 30 } },
  { pattern: String.raw`gpt-5\.5(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 5, output: 30, cacheRead: 0.5, cacheWrite: 5 } },
  { pattern: String.raw`gpt-5\.4-pro(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 30, output: 180, cacheRead: 30, cacheWrite: 30 } },
  { pattern: String.raw`gpt-5\.4-mini(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 0.75, output: 4.5, cacheRead: 0.075, cacheWrite: 0.75 } },
  { pattern: String.raw`gpt-5\.4-nano(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 0.2, output: 1.25, cacheRead: 0.02, cacheWrite: 0.2 } },
  { pattern: String.raw`gpt-5\.4(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 2.5, output: 15, cacheRead: 0.25, cacheWrite: 2.5 } },
  { pattern: String.raw`gpt-5\.2-pro(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 21, output: 168, cacheRead: 21, cacheWrite: 21 } },
  { pattern: String.raw`gpt-5\.2(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 1.75, output: 14, cacheRead: 0.175, cacheWrite: 1.75 } },
  { pattern: String.raw`gpt-5\.1(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 1.25 } },
  { pattern: String.raw`gpt-5-codex(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 1.25 } },
  { pattern: String.raw`gpt-5-pro(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 15, output: 120, cacheRead: 15, cacheWrite: 15 } },
  { pattern: String.raw`gpt-5-mini(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 0.25, output: 2, cacheRead: 0.025, cacheWrite: 0.25 } },
  { pattern: String.raw`gpt-5-nano(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 0.05, output: 0.4, cacheRead: 0.005, cacheWrite: 0.05 } },
  { pattern: String.raw`gpt-5(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 1.25, output: 10, cacheRead: 0.125, cacheWrite: 1.25 } },
  { pattern: String.raw`gpt-4\.1-mini(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 0.4, output: 1.6, cacheRead: 0.1, cacheWrite: 0.4 } },
  { pattern: String.raw`gpt-4\.1-nano(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 0.1, output: 0.4, cacheRead: 0.025, cacheWrite: 0.1 } },
  { pattern: String.raw`gpt-4\.1(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 2, output: 8, cacheRead: 0.5, cacheWrite: 2 } },
  { pattern: String.raw`gpt-4o-mini(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 0.15, output: 0.6, cacheRead: 0.075, cacheWrite: 0.15 } },
  { pattern: "gpt-4o-2024-05-13", prices: { input: 5, output: 15, cacheRead: 5, cacheWrite: 5 } },
  { pattern: String.raw`gpt-4o(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 2.5, output: 10, cacheRead: 1.25, cacheWrite: 2.5 } },
  { pattern: String.raw`o1-pro(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 150, output: 600, cacheRead: 150, cacheWrite: 150 } },
  { pattern: String.raw`o1(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 15, output: 60, cacheRead: 7.5, cacheWrite: 15 } },
  { pattern: String.raw`o3-pro(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 20, output: 80, cacheRead: 20, cacheWrite: 20 } },
  { pattern: String.raw`o3-mini(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 1.1, output: 4.4, cacheRead: 0.55, cacheWrite: 1.1 } },
  { pattern: String.raw`o3(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 2, output: 8, cacheRead: 0.5, cacheWrite: 2 } },
  { pattern: String.raw`o4-mini(?:-\d{4}-\d{2}-\d{2})?`, prices: { input: 1.1, output: 4.4, cacheRead: 0.275, cacheWrite: 1.1 } },
];
