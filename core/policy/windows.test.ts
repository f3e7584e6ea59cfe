import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LIMIT_NAMES } from "./policy.ts";
import { windowOf } from "./windows.ts";

describe("limit windows", () => {
  it("hold `now`, and the next window starts where this one ends", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Date.UTC(2100, 0, 1) }),
        fc.constantFrom(...LIMIT_NAMES),
        (now, limit) => {
          const window = windowOf(limit, now);
          expect(window.start).toBeLessThanOrEqual(now);
          expect(window.end).toBeGreaterThan(now);
          expect(windowOf(limit, window.end).start).toBe(window.end);
          expect(windowOf(limit, window.end - 1).start).toBe(window.start);
        },
      ),
    );
  });

  it("are the UTC minute, day and calendar month", () => {
    const now = Date.UTC(2024, 1, 29, 23, 59, 30, 500);
    expect(windowOf("requests_per_minute", now)).toEqual({
      start: Date.UTC(2024, 1, 29, 23, 59),
      end: Date.UTC(2024, 2, 1, 0, 0),
    });
    expect(windowOf("usd_per_day", now)).toEqual({ start: Date.UTC(2024, 1, 29), end: Date.UTC(2024, 2, 1) });
    expect(windowOf("usd_per_month", now)).toEqual({
      start: Date.UTC(2024, 1, 1),
      end: Date.UTC(2024, 2, 1),
    });
    expect(windowOf("usd_per_month", Date.UTC(2026, 11, 31, 12))).toEqual({
      start: Date.UTC(2026, 11, 1),
      end: Date.UTC(2027, 0, 1),
    });
  });
});
