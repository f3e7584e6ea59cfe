import { describe, expect, it } from "vitest";
import {
  bridgeHarness,
  ENTERPRISE_ANTHROPIC_KEY,
  sseResponse,
  USER_KEY,
} from "../../../test/helpers/bridge-harness.ts";

const STREAM = [
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-x","usage":{"input_tokens":12,"cache_read_input_tokens":3,"cache_creation_input_tokens":4,"output_tokens":1}}}\n\n',
  'event: content_block_start\ndata: {"type":"content_block_start","index":0,"content_block":{"type":"text","text":""}}\n\n',
  'event: ping\ndata: {"type": "ping"}\n\n',
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n',
  'event: content_block_stop\ndata: {"type":"content_block_stop","index":0}\n\n',
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}\n\n',
  'event: message_stop\ndata: {"type":"message_stop"}\n\n',
].join("");

function messagesRequest(body: object, headers: Record<string, string> = {}): Request {
  return new Request("http://bridge.test/anthropic/v1/messages?beta=true", {
    method: "POST",
    headers: {
      "x-api-key": USER_KEY,
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
      ...headers,
    },
    body: JSON.stringify(body),
  });
}

describe("anthropic messages through the bridge", () => {
  it("relays the stream byte for byte, swaps the key and records usage", async () => {
    const h = bridgeHarness(async () => sseResponse(STREAM));
    const response = await h.bridge.handle(
      messagesRequest(
        { model: "claude-x", stream: true, max_tokens: 5, messages: [{ role: "user", content: "hello" }] },
        {
          "anthropic-beta": "b1,b2",
          "user-agent": "claude-cli/2.1.332 (external, sdk-cli)",
          "x-claude-code-session-id": "s-1",
        },
      ),
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(STREAM);
    const sent = h.seen[0]!;
    expect(sent.url).toBe("http://upstream.test/v1/messages?beta=true");
    expect(sent.headers.get("x-api-key")).toBe(ENTERPRISE_ANTHROPIC_KEY);
    expect(sent.headers.get("anthropic-beta")).toBe("b1,b2");
    await h.recorder.flush();
    const end = h.recorder.entries.find((e) => e.kind === "interception-end");
    expect(end).toMatchObject({ status: "completed", httpStatus: 200 });
    const usage = h.recorder.entries.find((e) => e.kind === "token-usage");
    expect(usage).toMatchObject({
      tokens: { input: 12, output: 7, cacheRead: 3, cacheWrite: 4, reasoning: 0 },
    });
    expect(h.recorder.entries[0]).toMatchObject({
      kind: "interception-start",
      client: "claude-code",
      sessionId: "s-1",
    });
    expect(h.recorder.entries.find((e) => e.kind === "prompt")).toMatchObject({ text: "hello" });
  });

  it("refuses a missing key with 401 in Anthropic's shape and never calls upstream", async () => {
    const h = bridgeHarness(async () => sseResponse(STREAM));
    const response = await h.bridge.handle(
      new Request("http://bridge.test/anthropic/v1/messages", { method: "POST", body: "{}" }),
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ type: "error", error: { type: "authentication_error" } });
    expect(h.seen).toHaveLength(0);
  });
});

describe("recorded prompt", () => {
  it("is the typed text, without Claude Code's system-reminder blocks", async () => {
    const h = bridgeHarness(async () => sseResponse(STREAM));
    const content = [
      { type: "text", text: "<system-reminder>\nAttribution notes\n</system-reminder>\n" },
      { type: "text", text: "hello" },
    ];
    await (
      await h.bridge.handle(
        messagesRequest({ model: "m", stream: true, messages: [{ role: "user", content }] }),
      )
    ).text();
    expect(
      h.recorder.entries.filter((e) => e.kind === "prompt").map((e) => (e as { text: string }).text),
    ).toEqual(["hello"]);
  });
});
