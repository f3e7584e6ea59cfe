import type { Adjustment, LimitName } from "../ports/usage-ledger.ts";
import type { SpendRow } from "../store/views.ts";
import { costMicroUsd, type Pricing } from "./pricing.ts";

export type { SpendRow };

import { windowOf } from "./windows.ts";

/** A user's use of one limit in its current window. */
export interface WindowUse {
  readonly userId: string;
  readonly userName: string;
  readonly limit: LimitName;
  readonly windowStart: number;
  readonly windowEnd: number;
  /** Tokens, or micro-dollars. */
  readonly used: number;
}

/** Where to start reading the audit so that every day and month window open at `now` is covered. */
export function auditedSpendSince(now: number): number {
  return windowOf("usd_per_month", now).start;
}

/**
 * The day and month windows' use per user, from the audit: what a restarted single-instance
 * bridge seeds its ledger with, and what `causeway usage --budgets` reports. Minute windows are
 * not rebuilt: they are over by the time anyone reads them. Rows must start at
 * `auditedSpendSince(now)`.
 */
export function auditedSpend(rows: readonly SpendRow[], pricing: Pricing, now: number): WindowUse[] {
  const day = windowOf("tokens_per_day", now);
  const month = windowOf("usd_per_month", now);
  const today = new Date(day.start).toISOString().slice(0, 10);
  const byUser = new Map<
    string,
    { userName: string; tokensToday: number; usdToday: number; usdMonth: number }
  >();
  for (const row of rows) {
    let use = byUser.get(row.userId);
    if (use === undefined) {
      use = { userName: row.userName, tokensToday: 0, usdToday: 0, usdMonth: 0 };
      byUser.set(row.userId, use);
    }
    const prices = pricing.pricesOf(row.model);
    const usd = prices === null ? 0 : costMicroUsd(row.tokens, prices);
    use.usdMonth += usd;
    if (row.day === today) {
      const t = row.tokens;
      use.tokensToday += t.input + t.output + t.cacheRead + t.cacheWrite;
      use.usdToday += usd;
    }
  }
  return [...byUser].flatMap(([userId, use]) => [
    {
      userId,
      userName: use.userName,
      limit: "tokens_per_day",
      windowStart: day.start,
      windowEnd: day.end,
      used: use.tokensToday,
    },
    {
      userId,
      userName: use.userName,
      limit: "usd_per_day",
      windowStart: day.start,
      windowEnd: day.end,
      used: use.usdToday,
    },
    {
      userId,
      userName: use.userName,
      limit: "usd_per_month",
      windowStart: month.start,
      windowEnd: month.end,
      used: use.usdMonth,
    },
  ]);
}

/** The same, as ledger corrections: what a fresh `MemoryUsageLedger` is seeded with. */
export function asSeed(uses: readonly WindowUse[]): Adjustment[] {
  return uses
    .filter((u) => u.used > 0)
    .map((u) => ({ subject: u.userId, limit: u.limit, windowStart: u.windowStart, delta: u.used }));
}
