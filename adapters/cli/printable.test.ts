import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { safeJson } from "../runtime/safe-json.ts";
import { human, printable } from "./printable.ts";

/** What a terminal would obey or hide: C0, DEL, C1, bidi controls, U+2028-9, lone surrogates. */
const UNSAFE =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** The inverse of printable: that it exists is what makes printable injective. */
function unprintable(text: string): string {
  return text.replace(/\\(\\|n|r|t|x[0-9a-f]{2}|u[0-9a-f]{4})/g, (_, e: string) => {
    if (e === "\\") return "\\";
    if (e === "n") return "\n";
    if (e === "r") return "\r";
    if (e === "t") return "\t";
    return String.fromCharCode(Number.parseInt(e.slice(1), 16));
  });
}

/** Strings rich in the characters that matter, among ordinary ones and whole code points. */
const hostile = fc.string({
  unit: fc.oneof(
    fc.constantFrom("\\", "\x1b", "\n", "\r", "\t", "\x7f", "\x9b", "\u202e", "\u2066", "\u2028", "x", "é"),
    fc.integer({ min: 0, max: 0xffff }).map((code) => String.fromCharCode(code)),
    fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
  ),
});

describe("printable", () => {
  it("shows controls, bidi characters and the backslash as escapes", () => {
    expect(printable("\x1b[2J\nFAKE LINE\r")).toBe("\\x1b[2J\\nFAKE LINE\\r");
    expect(printable("a\tb\\c\x00\x7f\x85")).toBe("a\\tb\\\\c\\x00\\x7f\\x85");
    expect(printable("evil\u202egnp.exe\u2066\u2069\u200f\u061c")).toBe(
      "evil\\u202egnp.exe\\u2066\\u2069\\u200f\\u061c",
    );
    expect(printable("line\u2028para\u2029")).toBe("line\\u2028para\\u2029");
    expect(printable("lone \ud800 and \udc00")).toBe("lone \\ud800 and \\udc00");
  });

  it("leaves ordinary text alone, non-ASCII letters and emoji included", () => {
    expect(printable("alice@example.com claude-sonnet-4 Zoë 東京 🙂")).toBe(
      "alice@example.com claude-sonnet-4 Zoë 東京 🙂",
    );
  });

  it("never lets a control, bidi or separator character through", () => {
    fc.assert(fc.property(hostile, (text) => !UNSAFE.test(printable(text))));
  });

  it("is injective: every output decodes back to its one input", () => {
    fc.assert(fc.property(hostile, (text) => unprintable(printable(text)) === text));
    fc.assert(fc.property(hostile, hostile, (a, b) => a === b || printable(a) !== printable(b)));
  });
});

describe("human", () => {
  it("escapes every interpolated value and none of the template's own text", () => {
    const model = "\x1b[2J\nFAKE LINE\r";
    expect(human`model ${model}\n${3} ${null}`).toBe("model \\x1b[2J\\nFAKE LINE\\r\n3 null");
  });
});

describe("safeJson", () => {
  it("escapes what JSON.stringify leaves raw, and parses back to the same value", () => {
    const value = { model: "a\u202eb\u2028c\x7f\x9b", user: "\x1b[2J\n" };
    const text = safeJson(value);
    expect(text).toBe('{"model":"a\\u202eb\\u2028c\\u007f\\u009b","user":"\\u001b[2J\\n"}');
    expect(JSON.parse(text)).toEqual(value);
  });

  it("is JSON.stringify's value for any input, with no unsafe character in its text", () => {
    fc.assert(
      fc.property(fc.dictionary(hostile, hostile), (value) => {
        const text = safeJson(value, 2);
        return (
          !UNSAFE.test(text.replaceAll("\n", "")) &&
          JSON.stringify(JSON.parse(text)) === JSON.stringify(value)
        );
      }),
    );
  });
});
