import { describe, expect, it } from "vitest";
import { bridgeHarness, sseResponse } from "../helpers/bridge-harness.ts";
import { expectOneTerminalEach, onlyTerminal } from "./support/audit.ts";
import { MESSAGE_START, messagesBody, messagesRequest } from "./support/requests.ts";

const LIMIT = 1_000;
const OK_STREAM = `${MESSAGE_START}event: message_stop\ndata: {"type":"message_stop"}\n\n`;

/** A valid request body of exactly `size` bytes (padded with JSON whitespace). */
function bodyOfSize(size: number): Uint8Array<ArrayBuffer> {
  const json = messagesBody(true);
  if (json.length > size) throw new Error("size too small");
  return new TextEncoder().encode(json + " ".repeat(size - json.length));
}

/** A body that hands out `chunk`-byte pieces on demand and counts how often it was pulled. */
function countingBody(bytes: Uint8Array, chunk: number) {
  let offset = 0;
  const counter = { pulls: 0, sent: 0 };
  const stream = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        counter.pulls++;
        if (offset >= bytes.length) return controller.close();
        const piece = bytes.slice(offset, offset + chunk);
        offset += piece.length;
        counter.sent += piece.length;
        controller.enqueue(piece);
      },
    },
    { highWaterMark: 0 },
  );
  return { stream, counter };
}

describe("request body limit (INP-04)", () => {
  it("refuses an oversized chunked body with 413 in Anthropic's shape after reading just past the limit", async () => {
    const h = bridgeHarness(async () => sseResponse(OK_STREAM), { maxBodyBytes: LIMIT });
    const { stream, counter } = countingBody(bodyOfSize(100_000), 100);
    const response = await h.bridge.handle(messagesRequest({ body: stream }));
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ type: "error", error: { type: "request_too_large" } });
    expect(counter.sent).toBeLessThanOrEqual(LIMIT + 100);
    expect(counter.pulls).toBeLessThanOrEqual(LIMIT / 100 + 2);
    expect(h.seen).toHaveLength(0);
    expect(onlyTerminal(h.recorder)).toMatchObject({ status: "rejected", httpStatus: 413 });
  });

  it("refuses a declared Content-Length over the limit without reading the body at all", async () => {
    const h = bridgeHarness(async () => sseResponse(OK_STREAM), { maxBodyBytes: LIMIT });
    const { stream, counter } = countingBody(bodyOfSize(5_000), 100);
    const response = await h.bridge.handle(
      messagesRequest({ body: stream, headers: { "content-length": "5000" } }),
    );
    expect(response.status).toBe(413);
    expect(counter.sent).toBe(0);
    expect(h.seen).toHaveLength(0);
    onlyTerminal(h.recorder);
  });

  for (const [size, status] of [
    [LIMIT - 1, 200],
    [LIMIT, 200],
    [LIMIT + 1, 413],
  ] as const) {
    for (const framing of ["chunked", "content-length", "single buffer"] as const) {
      it(`${size} bytes (${framing}) → ${status}`, async () => {
        const h = bridgeHarness(async () => sseResponse(OK_STREAM), { maxBodyBytes: LIMIT });
        const bytes = bodyOfSize(size);
        const request =
          framing === "single buffer"
            ? messagesRequest({ body: bytes })
            : messagesRequest({
                body: countingBody(bytes, 64).stream,
                ...(framing === "content-length" ? { headers: { "content-length": String(size) } } : {}),
              });
        const response = await h.bridge.handle(request);
        expect(response.status).toBe(status);
        await response.arrayBuffer();
        expect(h.seen).toHaveLength(status === 200 ? 1 : 0);
        if (status === 200) expect(new Uint8Array(await h.seen[0]!.arrayBuffer())).toEqual(bytes);
        expectOneTerminalEach(h.recorder, 1);
      });
    }
  }
});

describe("request body idle bound (issue 17.7: every runtime, not only Bun's timer)", () => {
  /** A body that sends `pieces` on the test's command, then nothing (or its end). */
  function heldBody() {
    let controller!: ReadableStreamDefaultController<Uint8Array>;
    const stream = new ReadableStream<Uint8Array>({
      start(c) {
        controller = c;
      },
    });
    return {
      stream,
      send: (text: string) => controller.enqueue(new TextEncoder().encode(text)),
      end: () => controller.close(),
    };
  }
  const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

  it("a body silent for body_idle_timeout_ms gets 400 with connection: close; upstream never called", async () => {
    const h = bridgeHarness(async () => sseResponse(OK_STREAM), { bodyIdleTimeoutMs: 2_000 });
    const body = heldBody();
    const pending = h.bridge.handle(messagesRequest({ body: body.stream }));
    body.send(messagesBody(true).slice(0, 10));
    await settle();
    h.clock.advance(1_999);
    await settle();
    h.clock.advance(1);
    const response = await pending;
    expect(response.status).toBe(400);
    expect(response.headers.get("connection")).toBe("close");
    expect(((await response.json()) as { error: { message: string } }).error.message).toBe(
      "The request body stalled: no byte for 2 s.",
    );
    expect(h.seen).toHaveLength(0);
    expect(onlyTerminal(h.recorder).status).toBe("rejected");
  });

  it("a slow body that keeps moving is never cut, however long it takes in all", async () => {
    const h = bridgeHarness(async () => sseResponse(OK_STREAM), { bodyIdleTimeoutMs: 2_000 });
    const body = heldBody();
    const pending = h.bridge.handle(messagesRequest({ body: body.stream }));
    const text = messagesBody(true);
    for (const piece of text.match(/.{1,8}/g)!) {
      body.send(piece);
      await settle();
      h.clock.advance(1_900);
    }
    body.end();
    const response = await pending;
    expect(response.status).toBe(200);
    await response.text();
    expect(await h.seen[0]!.text()).toBe(text);
  });

  it("a small declared body must arrive whole within one idle period", async () => {
    const h = bridgeHarness(async () => sseResponse(OK_STREAM), { bodyIdleTimeoutMs: 2_000 });
    const body = heldBody();
    const text = messagesBody(true);
    const request = new Request("http://bridge.test/anthropic/v1/messages", {
      method: "POST",
      headers: {
        "x-api-key": "cw_test_alice_key",
        "content-type": "application/json",
        "content-length": String(text.length),
      },
      body: body.stream,
      duplex: "half",
    } as RequestInit);
    const pending = h.bridge.handle(request);
    body.send(text.slice(0, 5));
    await settle();
    h.clock.advance(2_000);
    expect((await pending).status).toBe(400);
    expect(h.seen).toHaveLength(0);
  });
});
