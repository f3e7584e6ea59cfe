import { describe, expect, it } from "vitest";
import { bridgeHarness } from "../helpers/bridge-harness.ts";
import { onlyTerminal, tokensOf } from "./support/audit.ts";
import { MESSAGE_START, messagesRequest, TEXT_DELTA } from "./support/requests.ts";
import { pump, scriptedUpstream, settle } from "./support/scripted-upstream.ts";

describe("client cancel", () => {
  it("cancelling the response body mid-stream aborts the upstream and records client_cancelled with usage so far (CLI-01)", async () => {
    const up = scriptedUpstream();
    const h = bridgeHarness(up.upstream);
    const pending = h.bridge.handle(messagesRequest());
    await up.firstCall;
    up.openStream();
    const client = pump(await pending);
    up.push(MESSAGE_START);
    up.push(TEXT_DELTA);
    await settle();
    expect(client.state.text).toBe(MESSAGE_START + TEXT_DELTA);
    expect(up.aborted).toBe(false);

    await client.reader.cancel();
    await settle();
    expect(up.aborted).toBe(true);
    const end = onlyTerminal(h.recorder);
    expect(end.status).toBe("client_cancelled");
    expect(tokensOf(h.recorder, end.interceptionId)).toMatchObject({ input: 25, output: 1 });
    expect(h.bridge.inFlight).toBe(0);
  });

  it("a client that disconnects while the upstream is still thinking aborts it (CLI-02)", async () => {
    const up = scriptedUpstream();
    const h = bridgeHarness(up.upstream);
    const controller = new AbortController();
    const pending = h.bridge.handle(messagesRequest({ signal: controller.signal }));
    await up.firstCall;
    controller.abort();
    await pending;
    await settle();
    expect(up.aborted).toBe(true);
    expect(onlyTerminal(h.recorder).status).toBe("client_cancelled");
    expect(h.bridge.inFlight).toBe(0);
  });

  it("a client that drops a blocking request aborts the upstream call (CLI-03)", async () => {
    const up = scriptedUpstream();
    const h = bridgeHarness(up.upstream);
    const controller = new AbortController();
    const pending = h.bridge.handle(messagesRequest({ stream: false, signal: controller.signal }));
    await up.firstCall;
    controller.abort();
    await pending;
    expect(up.aborted).toBe(true);
    expect(onlyTerminal(h.recorder).status).toBe("client_cancelled");
  });

  it("a cancel after the stream completed leaves the completed record alone", async () => {
    const up = scriptedUpstream();
    const h = bridgeHarness(up.upstream);
    const pending = h.bridge.handle(messagesRequest());
    await up.firstCall;
    up.openStream();
    const client = pump(await pending);
    up.push(`${MESSAGE_START}event: message_stop\ndata: {"type":"message_stop"}\n\n`);
    up.close();
    await client.finished;
    await client.reader.cancel().catch(() => {});
    expect(onlyTerminal(h.recorder).status).toBe("completed");
  });

  it("a client whose connection drops mid-stream (request signal) aborts the upstream (CLI-01)", async () => {
    const up = scriptedUpstream();
    const h = bridgeHarness(up.upstream);
    const controller = new AbortController();
    const pending = h.bridge.handle(messagesRequest({ signal: controller.signal }));
    await up.firstCall;
    up.openStream();
    const client = pump(await pending);
    up.push(MESSAGE_START);
    await settle();
    controller.abort();
    await settle();
    expect(up.aborted).toBe(true);
    const end = onlyTerminal(h.recorder);
    expect(end.status).toBe("client_cancelled");
    expect(tokensOf(h.recorder, end.interceptionId).input).toBe(25);
    await client.reader.cancel();
    onlyTerminal(h.recorder);
  });

  it("a body upload that breaks half way never reaches the upstream and is not recorded as a success (CLI-10)", async () => {
    const up = scriptedUpstream();
    const h = bridgeHarness(up.upstream);
    let sent = false;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent) return controller.error(new TypeError("connection reset"));
        sent = true;
        controller.enqueue(new TextEncoder().encode('{"model":"claude-x","messa'));
      },
    });
    const response = await h.bridge.handle(messagesRequest({ body }));
    expect(response.status).toBe(400);
    expect(up.calls).toHaveLength(0);
    expect(onlyTerminal(h.recorder)).toMatchObject({ status: "rejected", httpStatus: 400 });
  });
});
