import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { bytes, type ConformanceCase, type ModeCase } from "./case.ts";
import { asRecorded, oneByte } from "./chunkings.ts";
import { fixtureCase } from "./fixture-cases.ts";
import { runCase } from "./runner.ts";

const text = readFileSync(
  fileURLToPath(new URL("../fixtures/anthropic-messages/text.txtar", import.meta.url)),
  "utf8",
);
const base = fixtureCase("anthropic-messages/text", "anthropic-messages", text);
const streaming = base.modes.find((m) => m.mode === "streaming") as ModeCase;

function variant(change: Partial<ModeCase>, api = "anthropic-messages"): ConformanceCase {
  return { id: "variant", api, modes: [{ ...streaming, ...change }] };
}

const fast = () => [asRecorded, oneByte];

/** The runner must be able to fail: each tampered expectation is reported. */
describe("conformance runner", () => {
  it("passes the untouched fixture under as-recorded and one-byte chunkings", async () => {
    expect(await runCase(variant({}), fast)).toEqual([]);
  });

  it("reports client bytes that differ from expect/client", async () => {
    const mismatches = await runCase(variant({ expectClient: bytes("event: nope\n\n") }), fast);
    expect(mismatches.map((m) => m.message).join("\n")).toMatch(/client bytes differ at byte 7/);
  });

  it("reports a wrong status and wrong records", async () => {
    const mismatches = await runCase(
      variant({ expectStatus: 201, expect: { records: { status: "timeout", tokens: { input: 1 } } } }),
      fast,
    );
    const messages = mismatches.map((m) => m.message).join("\n");
    expect(messages).toContain("status: expected 201, got 200");
    expect(messages).toContain('records.status: expected "timeout", got "completed"');
    expect(messages).toContain("records.tokens");
  });

  it("reports a missing end marker and all-zero usage", async () => {
    const body = bytes('event: message_start\ndata: {"type":"message_start","message":{"usage":{}}}\n\n');
    const responses = [
      { status: 200, headers: [["content-type", "text/event-stream"]] as [string, string][], body },
    ];
    const mismatches = await runCase(
      variant({ responses, expectClient: body, expect: { completed: true, nonZeroTokens: true } }),
      fast,
    );
    const messages = mismatches.map((m) => m.message).join("\n");
    expect(messages).toContain("expected completed, got failed");
    expect(messages).toContain("all zero");
  });

  it("fails loudly, never skips, when the API's route is not served", async () => {
    const mismatches = await runCase({ ...variant({}), api: "openai-nonexistent" }, fast);
    expect(mismatches[0]?.message).toMatch(/unknown API folder/);
  });

  it("accepts a raw HTTP error answer relayed with its status, body and retry-after", async () => {
    const responses = [
      { status: 429, headers: [["retry-after", "7"]] as [string, string][], body: bytes("{}") },
    ];
    const good = await runCase(
      variant({ responses, expectStatus: 429, expectClient: bytes("{}"), expect: { completed: false } }),
      fast,
    );
    expect(good).toEqual([]);
  });
});
