import { describe, expect, it } from "vitest";
import {
  LabelCap,
  MAX_LABEL_LENGTH,
  OTHER_LABEL,
  truncateLabel,
  UNKNOWN_LABEL,
} from "../../adapters/telemetry/label-cap.ts";

describe("LabelCap", () => {
  it("keeps the first `limit` distinct values and folds every later one into other", () => {
    const cap = new LabelCap(2);
    expect(cap.value("a")).toBe("a");
    expect(cap.value("b")).toBe("b");
    expect(cap.value("c")).toBe(OTHER_LABEL);
    // Already kept values stay themselves after the cap is full; folded ones stay folded.
    expect(cap.value("a")).toBe("a");
    expect(cap.value("b")).toBe("b");
    expect(cap.value("c")).toBe(OTHER_LABEL);
    expect(cap.value("d")).toBe(OTHER_LABEL);
  });

  it("reports null and empty as unknown without using a place", () => {
    const cap = new LabelCap(1);
    expect(cap.value(null)).toBe(UNKNOWN_LABEL);
    expect(cap.value("")).toBe(UNKNOWN_LABEL);
    expect(cap.value("first")).toBe("first");
    expect(cap.value("second")).toBe(OTHER_LABEL);
    expect(cap.value("")).toBe(UNKNOWN_LABEL);
  });

  it("truncates before counting, so values equal up to the cut share one place", () => {
    const cap = new LabelCap(1);
    const prefix = "m".repeat(MAX_LABEL_LENGTH);
    expect(cap.value(`${prefix}-one`)).toBe(prefix);
    expect(cap.value(`${prefix}-two`)).toBe(prefix);
    expect(cap.value("short")).toBe(OTHER_LABEL);
  });

  it("folds everything with a cap of 0", () => {
    const cap = new LabelCap(0);
    expect(cap.value("a")).toBe(OTHER_LABEL);
    expect(cap.value(null)).toBe(UNKNOWN_LABEL);
  });

  it("refuses a negative or fractional cap", () => {
    expect(() => new LabelCap(-1)).toThrow(RangeError);
    expect(() => new LabelCap(1.5)).toThrow(RangeError);
  });

  it("known() reports kept values and folds the rest without taking a place", () => {
    const cap = new LabelCap(1);
    expect(cap.known("a")).toBe(OTHER_LABEL);
    expect(cap.known(null)).toBe(UNKNOWN_LABEL);
    expect(cap.value("a")).toBe("a");
    expect(cap.known("a")).toBe("a");
  });
});

describe("truncateLabel", () => {
  it("leaves values up to the maximum alone and cuts longer ones to it", () => {
    const exact = "x".repeat(MAX_LABEL_LENGTH);
    expect(truncateLabel(exact)).toBe(exact);
    expect(truncateLabel(`${exact}y`)).toBe(exact);
    expect(truncateLabel("claude-sonnet-4")).toBe("claude-sonnet-4");
  });

  it("counts code points, never leaving half a surrogate pair", () => {
    const emoji = "😀".repeat(MAX_LABEL_LENGTH + 5);
    const cut = truncateLabel(emoji);
    expect(Array.from(cut)).toHaveLength(MAX_LABEL_LENGTH);
    expect(cut).toBe("😀".repeat(MAX_LABEL_LENGTH));
  });
});
