import { describe, expect, it } from "vitest";
import { decodeSse } from "./decoder.ts";
import { encodeSse, encodeSseComment } from "./encoder.ts";

describe("encodeSse", () => {
  it("writes the framing providers use: event line, data lines, blank line", () => {
    expect(encodeSse({ event: "ping", data: '{"type": "ping"}' })).toBe(
      'event: ping\ndata: {"type": "ping"}\n\n',
    );
    expect(encodeSse({ data: "[DONE]" })).toBe("data: [DONE]\n\n");
    expect(encodeSse({ data: "a\r\nb\rc\nd", id: "7" })).toBe(
      "id: 7\ndata: a\ndata: b\ndata: c\ndata: d\n\n",
    );
  });

  it("round-trips an empty data payload and a data line starting with a space", () => {
    for (const data of ["", " leading", "trailing ", ":colon"])
      expect(decodeSse(encodeSse({ event: "x", data }))[0]?.data).toBe(data);
  });

  it("rejects line breaks in names, ids and comments", () => {
    expect(() => encodeSse({ event: "a\nevent: forged", data: "" })).toThrow(TypeError);
    expect(() => encodeSse({ id: "1\r", data: "" })).toThrow(TypeError);
    expect(() => encodeSseComment("x\ny")).toThrow(TypeError);
    expect(encodeSseComment("keep-alive")).toBe(": keep-alive\n\n");
  });
});
