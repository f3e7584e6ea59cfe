import { describe, expect, it } from "vitest";
import { bridgeHarness } from "../helpers/bridge-harness.ts";
import { onlyTerminal } from "./support/audit.ts";
import { MESSAGE_END, MESSAGE_START, messagesRequest, TEXT_DELTA } from "./support/requests.ts";
import { pump, scriptedUpstream, settle } from "./support/scripted-upstream.ts";

const PING = 'event: ping\ndata: {"type": "ping"}\n\n';

async function openStream(limits = { pingIntervalMs: 10_000, streamIdleTimeoutMs: 300_000 }) {
  const up = scriptedUpstream();
  const h = bridgeHarness(up.upstream, limits);
  const pending = h.bridge.handle(messagesRequest());
  await up.firstCall;
  up.openStream();
  const response = await pending;
  const client = pump(response);
  return { up, h, response, client };
}

describe("keep-alive pings while the upstream is silent (CLI-08)", () => {
  it("sends an Anthropic ping after each configured interval of silence, and none before", async () => {
    const { up, h, client } = await openStream();
    up.push(MESSAGE_START);
    await settle();
    expect(client.state.text).toBe(MESSAGE_START);

    h.clock.advance(9_999);
    await settle();
    expect(client.state.text).toBe(MESSAGE_START);

    h.clock.advance(1);
    await settle();
    expect(client.state.text).toBe(MESSAGE_START + PING);

    h.clock.advance(10_000);
    await settle();
    expect(client.state.text).toBe(MESSAGE_START + PING + PING);

    up.push(TEXT_DELTA + MESSAGE_END);
    up.close();
    await client.finished;
    expect(client.state.text).toBe(MESSAGE_START + PING + PING + TEXT_DELTA + MESSAGE_END);
    expect(onlyTerminal(h.recorder)).toMatchObject({ status: "completed", httpStatus: 200 });
  });

  it("restarts the silence count whenever upstream bytes arrive", async () => {
    const { up, h, client } = await openStream();
    up.push(MESSAGE_START);
    await settle();
    h.clock.advance(6_000);
    up.push(TEXT_DELTA);
    await settle();
    h.clock.advance(6_000);
    await settle();
    expect(client.state.text).toBe(MESSAGE_START + TEXT_DELTA);
    h.clock.advance(4_000);
    await settle();
    expect(client.state.text).toBe(MESSAGE_START + TEXT_DELTA + PING);
    up.push(MESSAGE_END);
    up.close();
    await client.finished;
    onlyTerminal(h.recorder);
  });

  it("never inserts a ping inside an event: it waits for the event boundary", async () => {
    const { up, h, client } = await openStream();
    const half = 'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,';
    const rest = '"delta":{"type":"text_delta","text":"x"}}\n\n';
    up.push(MESSAGE_START + half);
    await settle();
    h.clock.advance(30_000);
    await settle();
    expect(client.state.text).toBe(MESSAGE_START + half);

    up.push(rest);
    await settle();
    h.clock.advance(10_000);
    await settle();
    expect(client.state.text).toBe(MESSAGE_START + half + rest + PING);

    up.push(MESSAGE_END);
    up.close();
    await client.finished;
    expect(onlyTerminal(h.recorder).status).toBe("completed");
  });

  it("treats a CRLF blank line as an event boundary too", async () => {
    const { up, h, client } = await openStream();
    const crlfEvent =
      'event: message_start\r\ndata: {"type":"message_start","message":{"usage":{"input_tokens":1}}}\r\n\r\n';
    up.push(crlfEvent);
    await settle();
    h.clock.advance(10_000);
    await settle();
    expect(client.state.text).toBe(crlfEvent + PING);
    up.push(MESSAGE_END);
    up.close();
    await client.finished;
    onlyTerminal(h.recorder);
  });
});
