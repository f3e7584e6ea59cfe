import { describe, expect, it } from "vitest";
import { bridgeHarness, USER_KEY } from "../helpers/bridge-harness.ts";
import { pump, scriptedUpstream, settle } from "./support/scripted-upstream.ts";

const modelsRequest = (): Request =>
  new Request("http://bridge.test/anthropic/v1/models", { headers: { "x-api-key": USER_KEY } });

describe("passthrough bodies", () => {
  it("are relayed as they arrive and cut when the upstream stalls past the idle timeout", async () => {
    const up = scriptedUpstream();
    const h = bridgeHarness(up.upstream, { streamIdleTimeoutMs: 30_000 });
    const pending = h.bridge.handle(modelsRequest());
    await up.firstCall;
    up.openStream({ headers: { "content-type": "application/json" } });
    const response = await pending;
    expect(response.status).toBe(200);
    const reading = pump(response);
    up.push('{"data":[');
    await settle();
    expect(reading.state.text).toBe('{"data":[');
    expect(h.bridge.inFlight).toBe(1);
    h.clock.advance(29_999);
    await settle();
    expect(up.aborted).toBe(false);
    h.clock.advance(1);
    await reading.finished;
    expect(up.aborted).toBe(true);
    expect(reading.state.error).toBeInstanceOf(Error);
    expect(h.bridge.inFlight).toBe(0);
  });

  it("stay tracked until the body ends, so shutdown can end them", async () => {
    const up = scriptedUpstream();
    const h = bridgeHarness(up.upstream);
    const pending = h.bridge.handle(modelsRequest());
    await up.firstCall;
    up.openStream({ headers: { "content-type": "application/json" } });
    const reading = pump(await pending);
    await settle();
    expect(h.bridge.inFlight).toBe(1);
    h.bridge.abortAll();
    await reading.finished;
    expect(up.aborted).toBe(true);
    expect(h.bridge.inFlight).toBe(0);
  });

  it("release the exchange when the body completes", async () => {
    const up = scriptedUpstream();
    const h = bridgeHarness(up.upstream);
    const pending = h.bridge.handle(modelsRequest());
    await up.firstCall;
    up.openStream({ headers: { "content-type": "application/json" } });
    const reading = pump(await pending);
    up.push('{"data":[]}');
    up.close();
    await reading.finished;
    expect(reading.state.text).toBe('{"data":[]}');
    expect(h.bridge.inFlight).toBe(0);
  });
});
