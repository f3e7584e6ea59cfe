import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatTxtar, parseTxtar, section } from "./txtar.ts";

describe("txtar", () => {
  it("splits comment and sections and keeps section bytes exactly", () => {
    const text =
      "about\n-- request --\n{}\n-- streaming --\nevent: a\r\ndata: 1\r\n\r\n-- last --\nno newline";
    const archive = parseTxtar(text);
    expect(archive.comment).toBe("about\n");
    expect(archive.files.map((f) => f.name)).toEqual(["request", "streaming", "last"]);
    expect(section(archive, "streaming")).toBe("event: a\r\ndata: 1\r\n\r\n");
    expect(section(archive, "last")).toBe("no newline");
    expect(formatTxtar(archive)).toBe(text);
  });

  it("does not take a marker-looking line inside data for a marker unless it is a whole line", () => {
    const archive = parseTxtar("-- a --\nx -- b --\n--c--\n");
    expect(archive.files).toEqual([{ name: "a", data: "x -- b --\n--c--\n" }]);
  });

  it("refuses duplicate section names", () => {
    expect(() => section(parseTxtar("-- a --\n1\n-- a --\n2\n"), "a")).toThrow(/2 times/);
  });

  it("round-trips any archive whose sections end in a newline", () => {
    const line = fc
      .string({ unit: fc.constantFrom("a", " ", "-", "\r", "é", "x", "😀") })
      .filter((s) => !s.includes("\n"));
    const data = fc.array(line, { maxLength: 5 }).map((lines) => lines.map((l) => `${l}\n`).join(""));
    const name = fc.stringMatching(/^[a-z][a-z/-]{0,10}[a-z]$/);
    fc.assert(
      fc.property(data, fc.array(fc.record({ name, data }), { maxLength: 4 }), (comment, files) => {
        const safe = (d: string) => !d.split("\n").some((l) => /^-- .* --$/.test(l));
        fc.pre(safe(comment) && files.every((f) => safe(f.data)));
        const text = formatTxtar({ comment, files });
        expect(parseTxtar(text)).toEqual({ comment, files });
        expect(formatTxtar(parseTxtar(text))).toBe(text);
      }),
      { numRuns: 150, seed: 42 },
    );
  });
});
