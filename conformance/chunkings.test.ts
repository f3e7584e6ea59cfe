import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { asRecorded, chunkingsFor, crlfSplit, oneByte, randomSplits, utf8Split } from "./chunkings.ts";
import { parseResponseSection, replayUpstream } from "./replay-upstream.ts";

const enc = new TextEncoder();
const join = (pieces: Uint8Array[]): number[] => pieces.flatMap((p) => [...p]);

describe("chunkings", () => {
  it("every strategy re-assembles to the original bytes, with no empty piece", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary" }), fc.nat(), (text, seed) => {
        const bytes = enc.encode(text);
        for (const chunking of [asRecorded, oneByte, crlfSplit, utf8Split, randomSplits(seed)]) {
          const pieces = chunking.split(bytes);
          expect(join(pieces)).toEqual([...bytes]);
          expect(pieces.every((p) => p.length > 0)).toBe(true);
        }
      }),
      { numRuns: 100, seed: 7 },
    );
  });

  it("cr-lf splits between CR and LF, or inside blank lines when there is no CRLF", () => {
    expect(crlfSplit.split(enc.encode("a\r\nb\r\n\r\n")).map((p) => new TextDecoder().decode(p))).toEqual([
      "a\r",
      "\nb\r",
      "\n\r",
      "\n",
    ]);
    expect(crlfSplit.split(enc.encode("a\n\nb\n\n")).map((p) => new TextDecoder().decode(p))).toEqual([
      "a\n",
      "\nb\n",
      "\n",
    ]);
  });

  it("utf8-inside cuts every multi-byte character after its lead byte", () => {
    const pieces = utf8Split.split(enc.encode("é🚀"));
    // C3|A9 F0|9F 9A 80: both characters are cut in two.
    expect(pieces.map((p) => p.length)).toEqual([1, 2, 3]);
  });

  it("seeded random splits are reproducible, and one-byte only applies to small bodies", () => {
    const bytes = enc.encode("x".repeat(500));
    expect(
      randomSplits(3)
        .split(bytes)
        .map((p) => p.length),
    ).toEqual(
      randomSplits(3)
        .split(bytes)
        .map((p) => p.length),
    );
    expect(chunkingsFor(100).map((c) => c.name)).toContain("one-byte");
    expect(chunkingsFor(1_000_000).map((c) => c.name)).not.toContain("one-byte");
  });
});

describe("replay upstream", () => {
  it("parses raw HTTP sections with LF or CRLF heads and keeps the body bytes", () => {
    for (const br of ["\n", "\r\n"]) {
      const parsed = parseResponseSection(
        `HTTP/1.1 429 Too Many Requests${br}Retry-After: 2${br}content-type: application/json${br}${br}{"a":1}\n`,
        "x",
      );
      expect(parsed.status).toBe(429);
      expect(parsed.headers).toEqual([
        ["retry-after", "2"],
        ["content-type", "application/json"],
      ]);
      expect(new TextDecoder().decode(parsed.body)).toBe('{"a":1}\n');
    }
    expect(parseResponseSection("event: a\ndata: 1\n\n", "text/event-stream")).toMatchObject({
      status: 200,
      headers: [["content-type", "text/event-stream"]],
    });
  });

  it("answers calls in order with the chunks it was given, and errors the body on abort", async () => {
    const body = enc.encode("data: 1\n\ndata: 2\n\n");
    const { upstream, requests } = replayUpstream(
      [{ status: 200, headers: [["content-type", "text/event-stream"]], body }],
      oneByte,
    );
    const controller = new AbortController();
    const response = await upstream(
      new Request("http://u.test/v1/messages", { method: "POST", body: "{}", signal: controller.signal }),
    );
    const reader = response.body!.getReader();
    const first = await reader.read();
    expect(first.value).toEqual(body.subarray(0, 1));
    controller.abort();
    await expect(reader.read()).rejects.toBeDefined();
    expect(requests).toHaveLength(1);
    expect((await upstream(new Request("http://u.test/", { method: "POST", body: "{}" }))).status).toBe(599);
  });
});
