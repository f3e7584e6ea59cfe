import { describe, expect, it } from "vitest";
import { InflightSlots } from "./inflight-slots.ts";

describe("in-flight slots", () => {
  it("refuses past the maximum and frees a slot when its last holder lets go", () => {
    const slots = new InflightSlots(2);
    const a = slots.take()!;
    const b = slots.take()!;
    expect(slots.take()).toBeNull();
    // A stream: the exchange holds on after the handler returned.
    const releaseExchange = a.hold();
    a.release();
    expect(slots.taken).toBe(2);
    releaseExchange();
    releaseExchange();
    expect(slots.taken).toBe(1);
    b.release();
    expect(slots.taken).toBe(0);
    expect(slots.take()).not.toBeNull();
  });
});
