import { describe, expect, it } from "vitest";
import { withIncludeUsage } from "./include-usage.ts";

describe("asking a chat stream for usage (raw body edit)", () => {
  it("leaves every byte outside the edited member alone (numbers, escapes, spacing)", () => {
    const raw =
      '{"model":"gpt-x", "temperature":1.0,"n":1e2,"stream":true,"messages":[{"role":"user","content":"a\\"}b"}]}';
    const edited = withIncludeUsage(raw, JSON.parse(raw));
    expect(edited).toBe(`${raw.slice(0, -1)},"stream_options":{"include_usage":true}}`);
  });

  it("edits the member JSON.parse keeps when a key is duplicated", () => {
    const raw = '{"stream_options":{"include_usage":true},"stream_options":{"x":1}}';
    const edited = withIncludeUsage(raw, JSON.parse(raw))!;
    expect(edited).toBe(
      '{"stream_options":{"include_usage":true},"stream_options":{"x":1,"include_usage":true}}',
    );
    expect(JSON.parse(edited).stream_options).toEqual({ x: 1, include_usage: true });
  });

  it("turns include_usage false, null options and empty options into true", () => {
    for (const [raw, expected] of [
      ['{"stream_options":{"include_usage":false}}', '{"stream_options":{"include_usage":true}}'],
      ['{"stream_options":null}', '{"stream_options":{"include_usage":true}}'],
      ['{"stream_options":{ }}', '{"stream_options":{"include_usage":true }}'],
      ["{}", '{"stream_options":{"include_usage":true}}'],
    ] as const) {
      expect(withIncludeUsage(raw, JSON.parse(raw))).toBe(expected);
    }
  });
});
