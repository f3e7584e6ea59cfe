import type { LimitName } from "../ports/usage-ledger.ts";

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

/**
 * The window a limit counts in at `now`: fixed, aligned windows in UTC (the minute, the day, the
 * calendar month). Fixed windows need one counter per user and limit, which a database can
 * update atomically; the price is that a burst straddling a boundary can get up to twice a
 * per-minute limit through.
 */
export function windowOf(limit: LimitName, now: number): { start: number; end: number } {
  switch (limit) {
    case "requests_per_minute":
    case "tokens_per_minute": {
      const start = now - (now % MINUTE);
      return { start, end: start + MINUTE };
    }
    case "tokens_per_day":
    case "usd_per_day": {
      const start = now - (now % DAY);
      return { start, end: start + DAY };
    }
    case "usd_per_month": {
      const date = new Date(now);
      const year = date.getUTCFullYear();
      const month = date.getUTCMonth();
      return { start: Date.UTC(year, month, 1), end: Date.UTC(year, month + 1, 1) };
    }
  }
}
