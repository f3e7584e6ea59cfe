import { describe, expect, it } from "vitest";
import { REQUEST_ID_HEADER } from "../../core/http/headers.ts";
import { MemoryToolProvider } from "../../core/ports/tool-provider.ts";
import { bridgeHarness } from "../helpers/bridge-harness.ts";
import { onlyTerminal, tokensOf } from "./support/audit.ts";
import { MESSAGE_END, MESSAGE_START, messagesRequest, TEXT_DELTA } from "./support/requests.ts";
import { pump, scriptedUpstream, settle } from "./support/scripted-upstream.ts";

const LIMITS = {
  firstByteTimeoutMs: 60_000,
  blockingTimeoutMs: 600_000,
  pingIntervalMs: 10_000,
  streamIdleTimeoutMs: 30_000,
};

describe("first-byte timeout (UP-06)", () => {
  it("answers 504 in Anthropic's shape when the upstream sends no headers in time, and aborts it", async () => {
    const up = scriptedUpstream();
    const h = bridgeHarness(up.upstream, LIMITS);
    const pending = h.bridge.handle(messagesRequest({ stream: true }));
    await up.firstCall;
    h.clock.advance(59_999);
    await settle();
    expect(up.aborted).toBe(false);
    h.clock.advance(1);
    const response = await pending;
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ type: "error", error: { type: "timeout_error" } });
    expect(up.aborted).toBe(true);
    const end = onlyTerminal(h.recorder);
    expect(end).toMatchObject({ status: "timeout", httpStatus: 504 });
    expect(response.headers.get(REQUEST_ID_HEADER)).toBe(end.interceptionId);
  });

  it("bounds a blocking call by the blocking timeout instead", async () => {
    const up = scriptedUpstream();
    const h = bridgeHarness(up.upstream, LIMITS);
    const pending = h.bridge.handle(messagesRequest({ stream: false }));
    await up.firstCall;
    h.clock.advance(60_000);
    await settle();
    expect(up.aborted).toBe(false);
    h.clock.advance(540_000);
    const response = await pending;
    expect(response.status).toBe(504);
    expect(onlyTerminal(h.recorder)).toMatchObject({ status: "timeout", httpStatus: 504 });
  });
});

describe("blocking timeout covers the whole response (UP-14)", () => {
  it("counts the time spent waiting for headers: headers at 590 s, body stalls, 504 at 600 s", async () => {
    const up = scriptedUpstream();
    const h = bridgeHarness(up.upstream, LIMITS);
    const pending = h.bridge.handle(messagesRequest({ stream: false }));
    await up.firstCall;
    h.clock.advance(590_000);
    up.openStream({ headers: { "content-type": "application/json" } });
    up.push('{"type":"message","content":[');
    await settle();
    h.clock.advance(9_999);
    await settle();
    expect(up.aborted).toBe(false);
    h.clock.advance(1);
    const response = await pending;
    expect(up.aborted).toBe(true);
    expect(response.status).toBe(504);
    expect(await response.json()).toMatchObject({ type: "error", error: { type: "timeout_error" } });
    expect(onlyTerminal(h.recorder)).toMatchObject({ status: "timeout", httpStatus: 504 });
  });
});

describe("blocking timeout with injected tools", () => {
  it("also counts the wait for headers: headers at 590 s, body stalls, 504 at 600 s", async () => {
    const up = scriptedUpstream();
    const tools = new MemoryToolProvider(
      [{ server: "docs", name: "search", description: "Search", inputSchema: { type: "object" } }],
      async () => ({ content: [{ type: "text", text: "found" }], isError: false }),
    );
    const h = bridgeHarness(up.upstream, LIMITS, { tools });
    const pending = h.bridge.handle(messagesRequest({ stream: false }));
    await up.firstCall;
    expect(await up.calls[0]!.clone().text()).toContain("cw__docs__search");
    h.clock.advance(590_000);
    up.openStream({ headers: { "content-type": "application/json" } });
    up.push('{"type":"message","content":[');
    await settle();
    h.clock.advance(9_999);
    await settle();
    expect(up.aborted).toBe(false);
    h.clock.advance(1);
    const response = await pending;
    expect(up.aborted).toBe(true);
    expect(response.status).toBe(504);
    expect(onlyTerminal(h.recorder)).toMatchObject({ status: "timeout", httpStatus: 504 });
  });
});

describe("idle timeout between events (UP-07)", () => {
  it("cuts a silent stream with an in-band Anthropic error event, aborts upstream, status timeout", async () => {
    const up = scriptedUpstream();
    const h = bridgeHarness(up.upstream, LIMITS);
    const pending = h.bridge.handle(messagesRequest());
    await up.firstCall;
    up.openStream();
    const client = pump(await pending);
    up.push(MESSAGE_START + TEXT_DELTA);
    await settle();
    h.clock.advance(29_999);
    await settle();
    expect(up.aborted).toBe(false);
    h.clock.advance(1);
    await client.finished;
    expect(up.aborted).toBe(true);
    expect(client.state.done).toBe(true);
    const text = client.state.text;
    expect(text.startsWith(MESSAGE_START + TEXT_DELTA)).toBe(true);
    const tail = text
      .slice((MESSAGE_START + TEXT_DELTA).length)
      .replaceAll('event: ping\ndata: {"type": "ping"}\n\n', "");
    expect(tail).toMatch(/^event: error\ndata: \{.*"type":"error".*\}\n\n$/);
    expect(JSON.parse(tail.split("\n")[1]!.slice("data: ".length))).toMatchObject({
      type: "error",
      error: { type: expect.any(String), message: expect.any(String) },
    });
    const end = onlyTerminal(h.recorder);
    expect(end).toMatchObject({ status: "timeout", httpStatus: 200 });
    expect(tokensOf(h.recorder, end.interceptionId).input).toBe(25);
    expect(up.calls).toHaveLength(1);
  });

  it("does not cut a stream that keeps sending events within the idle limit", async () => {
    const up = scriptedUpstream();
    const h = bridgeHarness(up.upstream, LIMITS);
    const pending = h.bridge.handle(messagesRequest());
    await up.firstCall;
    up.openStream();
    const client = pump(await pending);
    up.push(MESSAGE_START);
    for (let i = 0; i < 5; i++) {
      await settle();
      h.clock.advance(25_000);
      up.push(TEXT_DELTA);
    }
    await settle();
    expect(up.aborted).toBe(false);
    up.push(MESSAGE_END);
    up.close();
    await client.finished;
    expect(client.state.text).not.toContain("event: error");
    expect(onlyTerminal(h.recorder).status).toBe("completed");
  });

  it("cuts a stream at its maximum duration even while events keep flowing", async () => {
    const up = scriptedUpstream();
    const h = bridgeHarness(up.upstream, { ...LIMITS, maxStreamDurationMs: 60_000 });
    const pending = h.bridge.handle(messagesRequest());
    await up.firstCall;
    up.openStream();
    const client = pump(await pending);
    up.push(MESSAGE_START);
    for (let i = 0; i < 3; i++) {
      await settle();
      h.clock.advance(20_000);
      if (!up.aborted) up.push(TEXT_DELTA);
    }
    await client.finished;
    expect(up.aborted).toBe(true);
    expect(client.state.text).toContain("event: error");
    expect(onlyTerminal(h.recorder).status).toBe("timeout");
  });
});
