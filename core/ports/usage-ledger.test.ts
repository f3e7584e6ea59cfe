import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Charge, type LimitName, MemoryUsageLedger } from "./usage-ledger.ts";

const charge = (
  limit: LimitName,
  windowStart: number,
  amount: number,
  max: number,
  subject = "u1",
): Charge => ({
  subject,
  limit,
  windowStart,
  amount,
  max,
});

describe("the in-memory usage ledger", () => {
  it("admits while the window is below its limit, so the last request may pass it by its own use", async () => {
    const ledger = new MemoryUsageLedger();
    expect((await ledger.reserve([charge("tokens_per_day", 0, 70, 100)])).ok).toBe(true);
    expect((await ledger.reserve([charge("tokens_per_day", 0, 70, 100)])).ok).toBe(true);
    expect(ledger.used("u1", "tokens_per_day", 0)).toBe(140);
    expect(await ledger.reserve([charge("tokens_per_day", 0, 1, 100)])).toEqual({
      ok: false,
      refused: charge("tokens_per_day", 0, 1, 100),
    });
  });

  it("reserves all charges or none", async () => {
    const ledger = new MemoryUsageLedger();
    await ledger.reserve([charge("requests_per_minute", 0, 1, 1)]);
    const outcome = await ledger.reserve([
      charge("usd_per_day", 0, 500, 10_000),
      charge("requests_per_minute", 0, 1, 1),
    ]);
    expect(outcome.ok).toBe(false);
    expect(ledger.used("u1", "usd_per_day", 0)).toBe(0);
  });

  it("a zero limit refuses at once; a new window starts from zero and drops the old one", async () => {
    const ledger = new MemoryUsageLedger();
    expect((await ledger.reserve([charge("requests_per_minute", 0, 1, 0)])).ok).toBe(false);
    await ledger.reserve([charge("requests_per_minute", 0, 1, 1)]);
    expect((await ledger.reserve([charge("requests_per_minute", 60_000, 1, 1)])).ok).toBe(true);
    expect(ledger.used("u1", "requests_per_minute", 0)).toBe(0);
    // A late settlement of the closed window changes nothing.
    await ledger.settle([{ subject: "u1", limit: "requests_per_minute", windowStart: 0, delta: 5 }]);
    expect(ledger.used("u1", "requests_per_minute", 60_000)).toBe(1);
  });

  it("property: use never goes negative, and each window's use is its reservations plus their corrections", async () => {
    const op = fc.oneof(
      fc.record({
        kind: fc.constant("reserve" as const),
        amount: fc.nat(1000),
        max: fc.nat(3000),
        window: fc.nat(2),
      }),
      fc.record({
        kind: fc.constant("settle" as const),
        delta: fc.integer({ min: -2000, max: 2000 }),
        window: fc.nat(2),
      }),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(op, { maxLength: 60 }), async (ops) => {
        const ledger = new MemoryUsageLedger();
        let window = 0;
        let expected = 0;
        for (const o of ops) {
          // Windows only move forward, as time does.
          if (o.window > window) {
            window = o.window;
            expected = 0;
          }
          if (o.kind === "reserve") {
            const outcome = await ledger.reserve([charge("tokens_per_day", window, o.amount, o.max)]);
            expect(outcome.ok).toBe(expected < o.max);
            if (outcome.ok) expected += o.amount;
          } else {
            await ledger.settle([
              { subject: "u1", limit: "tokens_per_day", windowStart: window, delta: o.delta },
            ]);
            expected = Math.max(0, expected + o.delta);
          }
          const used = ledger.used("u1", "tokens_per_day", window);
          expect(used).toBeGreaterThanOrEqual(0);
          expect(used).toBe(expected);
        }
      }),
    );
  });
});
