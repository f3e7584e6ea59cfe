import { describe, expect, it } from "vitest";
import { jsonLogger } from "./system-ports.ts";

describe("jsonLogger", () => {
  const lines = (level?: "info" | "warn" | "error") => {
    const out: string[] = [];
    const logger = jsonLogger((line) => out.push(line), level);
    logger.info("i");
    logger.warn("w");
    logger.error("e");
    return out.map((line) => (JSON.parse(line) as { message: string }).message);
  };

  it("keeps the level's own lines and the more severe ones", () => {
    expect(lines()).toEqual(["i", "w", "e"]);
    expect(lines("info")).toEqual(["i", "w", "e"]);
    expect(lines("warn")).toEqual(["w", "e"]);
    expect(lines("error")).toEqual(["e"]);
  });

  it("writes one JSON object per line with time, level and message first", () => {
    const out: string[] = [];
    jsonLogger((line) => out.push(line)).info("interception", { id: "int_1" });
    expect(out).toHaveLength(1);
    expect(out[0]!.endsWith("\n")).toBe(true);
    expect(Object.keys(JSON.parse(out[0]!) as object)).toEqual(["time", "level", "message", "id"]);
  });
});
