import { describe, expect, it } from "vitest";
import { expectOneTerminalEach } from "../core/support/audit.ts";
import { messagesBody, messagesRequest } from "../core/support/requests.ts";
import { OK_MESSAGE, resilienceHarness } from "./harness.ts";

const POLICY = { failures: 3, windowMs: 10_000, openMs: 30_000 };
const request = (model: string) => messagesRequest({ stream: false, body: messagesBody(false, { model }) });

/** A provider whose model `sick` fails until `healed`, and whose other models answer. */
function sickUpstream() {
  const state = { healed: false };
  const h = resilienceHarness({
    retry: null,
    breaker: POLICY,
    script: (_n, req) =>
      req.headers.get("x-test-model") === "sick" && !state.healed
        ? { status: 529 }
        : { status: 200, body: OK_MESSAGE },
  });
  const call = (model: string) => {
    const r = request(model);
    r.headers.set("x-test-model", model);
    return h.run(r);
  };
  return { h, state, call };
}

describe("circuit breaker per provider × model (UP-10, UP-11)", () => {
  it("opens after `failures` failures in the window: 503 with retry-after, upstream untouched, audited rejected", async () => {
    const { h, call } = sickUpstream();
    for (let i = 0; i < 3; i++) expect((await call("sick")).response.status).toBe(529);
    expect(h.calls).toHaveLength(3);
    const { response } = await call("sick");
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("30");
    expect(await response.json()).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
    expect(h.calls).toHaveLength(3);
    const ends = expectOneTerminalEach(h.recorder, 4);
    expect(ends[3]).toMatchObject({
      status: "rejected",
      httpStatus: 503,
      detail: "circuit breaker open",
      attempts: 0,
    });
    // Another model of the same provider is not affected.
    expect((await call("healthy")).response.status).toBe(200);
    expect(h.bridge.breakerStates()).toEqual([
      { provider: "anthropic", model: "sick", state: "open" },
      { provider: "anthropic", model: "healthy", state: "closed" },
    ]);
    h.clock.advance(30_000);
    expect(h.bridge.breakerStates()[0]?.state).toBe("half-open");
  });

  it("failures spread beyond the window do not open it", async () => {
    const { h, call } = sickUpstream();
    for (let i = 0; i < 6; i++) {
      expect((await call("sick")).response.status).toBe(529);
      h.clock.advance(5_001);
    }
    expect(h.calls).toHaveLength(6);
  });

  it("half-open after open_ms: one probe passes (others wait), its success closes the breaker", async () => {
    const { h, state, call } = sickUpstream();
    for (let i = 0; i < 3; i++) await call("sick");
    h.clock.advance(30_000);
    state.healed = true;
    // Two requests at once: the first is the probe, the second is held back.
    const first = h.bridge.handle(request("sick"));
    const second = await h.bridge.handle(request("sick"));
    expect(second.status).toBe(503);
    expect((await first).status).toBe(200);
    expect(h.calls).toHaveLength(4);
    for (let i = 0; i < 3; i++) expect((await call("sick")).response.status).toBe(200);
  });

  it("a failed probe opens it again for open_ms", async () => {
    const { h, call } = sickUpstream();
    for (let i = 0; i < 3; i++) await call("sick");
    h.clock.advance(30_000);
    expect((await call("sick")).response.status).toBe(529); // the probe
    expect(h.calls).toHaveLength(4);
    expect((await call("sick")).response.status).toBe(503);
    h.clock.advance(29_000);
    expect((await call("sick")).response.status).toBe(503);
    expect(h.calls).toHaveLength(4);
  });

  it("counts what a request ended with, retries spent: blips the retries absorbed are no failures", async () => {
    // Every first attempt fails, every retry succeeds: six requests, no failure, breaker closed.
    const h = resilienceHarness({
      breaker: POLICY,
      script: (n) => (n % 2 === 0 ? { status: 529 } : { status: 200, body: OK_MESSAGE }),
    });
    for (let i = 0; i < 6; i++) expect((await h.run(request("flaky"))).response.status).toBe(200);
    expect(h.calls).toHaveLength(12);
    // Requests whose retries all fail: each counts once (3 attempts, 1 failure).
    const down = resilienceHarness({ breaker: POLICY, script: () => ({ status: 529 }) });
    for (let i = 0; i < 2; i++) expect((await down.run(request("down"))).response.status).toBe(529);
    expect(down.calls).toHaveLength(6);
    expect((await down.run(request("down"))).response.status).toBe(529);
    expect((await down.run(request("down"))).response.status).toBe(503);
    expect(down.calls).toHaveLength(9);
  });
});
