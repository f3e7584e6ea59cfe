import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY } from "../../core/config.ts";
import { expectOneTerminalEach, onlyTerminal } from "../core/support/audit.ts";
import { MESSAGE_START, messagesRequest, TEXT_DELTA } from "../core/support/requests.ts";
import { type Fault, OK_MESSAGE, resilienceHarness } from "./harness.ts";

const OVERLOADED: Fault = { status: 529 };
const blocking = () => messagesRequest({ stream: false });

describe("retries before the first byte (UP-01, UP-03, UP-13)", () => {
  it("529 twice then success: one client request, three upstream calls, one audit record", async () => {
    const h = resilienceHarness({ script: (n) => (n < 2 ? OVERLOADED : { status: 200, body: OK_MESSAGE }) });
    const { response, elapsed } = await h.run(blocking());
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(OK_MESSAGE);
    expect(h.calls).toHaveLength(3);
    // Jittered back-off (random 0.5): 250 ms, then 500 ms.
    expect(h.calls.map((c) => c.at - h.calls[0]!.at)).toEqual([0, 250, 750]);
    expect(elapsed).toBeGreaterThanOrEqual(750);
    expect(onlyTerminal(h.recorder)).toMatchObject({
      status: "completed",
      httpStatus: 200,
      attempts: 3,
      keyIndex: 0,
    });
  });

  it("a connection reset before the headers is retried", async () => {
    const h = resilienceHarness({ script: (n) => (n === 0 ? "reset" : { status: 200, body: OK_MESSAGE }) });
    const { response } = await h.run(blocking());
    expect(response.status).toBe(200);
    expect(h.calls).toHaveLength(2);
    expect(onlyTerminal(h.recorder)).toMatchObject({ status: "completed", attempts: 2 });
  });

  it("a stream cut after its first events is not retried: the client gets an in-band error", async () => {
    const h = resilienceHarness({ script: () => ({ stream: [MESSAGE_START, TEXT_DELTA], cut: true }) });
    const { response } = await h.run(messagesRequest({ stream: true }));
    expect(response.status).toBe(200);
    const text = await response.text();
    expect(text).toContain("message_start");
    expect(text).toContain("event: error");
    expect(h.calls).toHaveLength(1);
    expect(onlyTerminal(h.recorder)).toMatchObject({ attempts: 1 });
  });

  it("a 400 is relayed as sent, at once, and not retried", async () => {
    const invalid =
      '{"type":"error","error":{"type":"invalid_request_error","message":"prompt is too long"}}';
    const h = resilienceHarness({ script: () => ({ status: 400, body: invalid }) });
    const { response } = await h.run(blocking());
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(invalid);
    expect(response.headers.get("x-should-retry")).toBeNull();
    expect(h.calls).toHaveLength(1);
    expect(onlyTerminal(h.recorder)).toMatchObject({
      status: "upstream_error",
      httpStatus: 400,
      attempts: 1,
    });
  });

  it("honours retry-after (and OpenAI's retry-after-ms)", async () => {
    const h = resilienceHarness({
      script: (n) =>
        n === 0
          ? { status: 429, headers: { "retry-after": "2" } }
          : n === 1
            ? { status: 503, headers: { "retry-after-ms": "1250" } }
            : { status: 200, body: OK_MESSAGE },
    });
    const { response } = await h.run(blocking());
    expect(response.status).toBe(200);
    expect(h.calls.map((c) => c.at - h.calls[0]!.at)).toEqual([0, 2000, 3250]);
  });

  it("a retry-after beyond the cap, or a 429 without one (a spend limit), goes to the client at once", async () => {
    for (const fault of [
      { status: 429, headers: { "retry-after": "120" } },
      {
        status: 429,
        body: '{"type":"error","error":{"type":"rate_limit_error","message":"spend limit reached"}}',
      },
    ]) {
      const h = resilienceHarness({ script: () => fault });
      const { response, elapsed } = await h.run(blocking());
      expect(response.status).toBe(429);
      expect(elapsed).toBeLessThan(100);
      expect(h.calls).toHaveLength(1);
      // The bridge is the one retry loop: the client is told not to add its own (UP-12).
      expect(response.headers.get("x-should-retry")).toBe("false");
      if (fault.headers) expect(response.headers.get("retry-after")).toBe("120");
    }
  });

  it("gives up after `attempts` retries, relaying the last error with x-should-retry: false", async () => {
    const h = resilienceHarness({ script: () => ({ status: 503 }) });
    const { response } = await h.run(blocking());
    expect(response.status).toBe(503);
    expect(response.headers.get("x-should-retry")).toBe("false");
    expect(await response.json()).toMatchObject({ error: { type: "overloaded_error" } });
    expect(h.calls).toHaveLength(1 + DEFAULT_RETRY.attempts);
    expect(onlyTerminal(h.recorder)).toMatchObject({
      status: "upstream_error",
      httpStatus: 503,
      attempts: 3,
    });
  });

  it("the upstream's own x-should-retry: false is respected", async () => {
    const h = resilienceHarness({ script: () => ({ status: 503, headers: { "x-should-retry": "false" } }) });
    await h.run(blocking());
    expect(h.calls).toHaveLength(1);
  });

  it("never retries past the first-byte timeout: a wait that would cross it is not taken", async () => {
    const h = resilienceHarness({
      limits: { firstByteTimeoutMs: 1_500 },
      script: () => ({ status: 503, headers: { "retry-after": "2" } }),
    });
    const { response, elapsed } = await h.run(messagesRequest({ stream: true }));
    expect(response.status).toBe(503);
    expect(h.calls).toHaveLength(1);
    expect(elapsed).toBeLessThan(100);
  });

  it("never retries for a client that left during the back-off", async () => {
    const h = resilienceHarness({ script: () => ({ status: 503, headers: { "retry-after": "5" } }) });
    const client = new AbortController();
    const pending = h.run(messagesRequest({ stream: false, signal: client.signal }), 2_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    client.abort();
    await pending.catch(() => {});
    h.clock.advance(10_000);
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(h.calls).toHaveLength(1);
    expect(onlyTerminal(h.recorder)).toMatchObject({ status: "client_cancelled" });
  });

  it("property: whatever the faults, at most attempts + 1 calls and exactly one terminal status", async () => {
    const fault = fc.oneof(
      fc.constantFrom<Fault>("reset", { status: 200, body: OK_MESSAGE }, { status: 400 }, { status: 401 }),
      fc.record({
        status: fc.constantFrom(429, 500, 502, 503, 504, 529),
        headers: fc.option(fc.record({ "retry-after": fc.constantFrom("0", "1", "3", "90", "soon") }), {
          nil: undefined,
        }),
      }) as fc.Arbitrary<Fault>,
      fc.constant<Fault>({ stream: [MESSAGE_START], cut: true }),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fault, { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 3 }),
        fc.boolean(),
        async (faults, attempts, stream) => {
          const h = resilienceHarness({
            retry: { ...DEFAULT_RETRY, attempts },
            script: (n) => faults[Math.min(n, faults.length - 1)]!,
          });
          const { response } = await h.run(messagesRequest({ stream }));
          await response.arrayBuffer().catch(() => {});
          expect(h.calls.length).toBeLessThanOrEqual(attempts + 1);
          const [end] = expectOneTerminalEach(h.recorder, 1);
          expect(end!.attempts).toBe(h.calls.length);
        },
      ),
      { numRuns: 60 },
    );
  });
});
