import { describe, expect, it } from "vitest";
import { decodeSse, SseDecoder } from "./decoder.ts";

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);

function decodePieces(pieces: readonly (string | Uint8Array)[]) {
  const decoder = new SseDecoder();
  const events = pieces.flatMap((p) => decoder.push(typeof p === "string" ? bytes(p) : p));
  return [...events, ...decoder.end()];
}

describe("SseDecoder", () => {
  it("reads LF, CR and CRLF line ends alike", () => {
    for (const br of ["\n", "\r", "\r\n"]) {
      expect(decodeSse(`event: a${br}data: 1${br}${br}data: 2${br}${br}`)).toEqual([
        { event: "a", data: "1", id: undefined },
        { event: undefined, data: "2", id: undefined },
      ]);
    }
  });

  it("handles a CRLF split between two chunks as one line end", () => {
    expect(decodePieces(["data: a\r", "\ndata: b\r\n\r", "\n"])).toEqual([
      { event: undefined, data: "a\nb", id: undefined },
    ]);
  });

  it("reassembles a multi-byte character split across chunks", () => {
    const wire = bytes("data: 日本🚀\n\n");
    const pieces = Array.from(wire, (_, i) => wire.subarray(i, i + 1));
    expect(decodePieces(pieces).map((e) => e.data)).toEqual(["日本🚀"]);
  });

  it("joins multiple data lines with LF and keeps leading spaces after the first", () => {
    expect(decodeSse("data:a\ndata:  b\ndata\n\n")[0]?.data).toBe("a\n b\n");
  });

  it("skips a BOM at the very start and counts comments without emitting them", () => {
    const decoder = new SseDecoder();
    const events = [...decoder.push(bytes("\uFEFF: hello\ndata: x\n\n: bye\n\n")), ...decoder.end()];
    expect(events.map((e) => e.data)).toEqual(["x"]);
    expect(decoder.commentCount).toBe(2);
  });

  it("passes unknown event names through and ignores unknown fields", () => {
    expect(decodeSse("event: brand_new\nretry-ish: 3\nfoo: bar\ndata: {}\n\n")).toEqual([
      { event: "brand_new", data: "{}", id: undefined },
    ]);
  });

  it("end() flushes a trailing event whose blank line never came (as documented)", () => {
    expect(decodeSse('event: message_stop\ndata: {"type":"message_stop"}\n').map((e) => e.event)).toEqual([
      "message_stop",
    ]);
    expect(decodeSse("data: [DONE]").map((e) => e.data)).toEqual(["[DONE]"]);
    expect(decodePieces(["data: a\r"]).map((e) => e.data)).toEqual(["a"]);
  });

  it("end() invents nothing after a cleanly ended stream", () => {
    const decoder = new SseDecoder();
    expect(decoder.push(bytes("data: a\n\n"))).toHaveLength(1);
    expect(decoder.end()).toEqual([]);
    expect(new SseDecoder().end()).toEqual([]);
  });
});
