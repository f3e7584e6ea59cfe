import type { Socket } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { WHOLE_READ_BYTES } from "../../core/http/body.ts";
import { startUpstream } from "../helpers/upstream-server.ts";
import { postHead, rawExchange } from "./raw-http.ts";
import { RUNTIMES, type ServerOn, serveOn } from "./runtimes.ts";
import { BLOCKING_BODY } from "./sse.ts";

const IDLE_S = 2;
/** Over the Bun adapter's guard threshold, sent in 20 pieces 300 ms apart: 6 s in all, never idle. */
const BODY = JSON.stringify({
  model: "slow-upload",
  max_tokens: 8,
  messages: [{ role: "user", content: "x".repeat(WHOLE_READ_BYTES + 1000) }],
});
const PIECE = Math.ceil(BODY.length / 20);
const EVERY_MS = 300;

/** Writes `body` in PIECE-byte pieces, EVERY_MS apart, framed by `frame`; then `end`. */
function trickle(socket: Socket, body: string, frame: (piece: string) => string, end = ""): void {
  let offset = 0;
  const timer = setInterval(() => {
    if (socket.destroyed) return clearInterval(timer);
    socket.write(frame(body.slice(offset, offset + PIECE)));
    offset += PIECE;
    if (offset < body.length) return;
    clearInterval(timer);
    socket.write(end);
  }, EVERY_MS);
}

/**
 * Issue 17 (7): `server.idle_timeout_s` must only cut real inactivity. Bun did not reset its idle
 * timer on request-body bytes, so any upload longer than the timeout was cut, however steady.
 */
describe.each(RUNTIMES)("request bodies on $name with idle_timeout_s: 2", (runtime) => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: ServerOn;
  let key = "";
  const head = (framing: Record<string, string>) =>
    postHead("/anthropic/v1/messages", {
      "x-api-key": key,
      "anthropic-version": "2023-06-01",
      "content-type": "application/json",
      ...framing,
    });

  beforeAll(async () => {
    upstream = await startUpstream(() => ({ body: BLOCKING_BODY }));
    server = await serveOn(runtime, {
      env: {
        ANTHROPIC_API_KEY: "sk-ant-slow-upload",
        CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url,
      },
      config: [
        `server: { idle_timeout_s: ${IDLE_S} }`,
        "providers:",
        "  - { name: anthropic, kind: anthropic }",
      ].join("\n"),
    });
    key = await server.createUser(`slow-${runtime.name}`);
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it("takes a slow but moving upload with a declared Content-Length", async () => {
    const before = upstream.requests.length;
    const exchange = await rawExchange(
      server.url,
      (socket) => {
        socket.write(head({ "content-length": String(Buffer.byteLength(BODY)) }));
        trickle(socket, BODY, (piece) => piece);
      },
      7_500,
    );
    expect(exchange.statuses).toEqual([200]);
    expect(upstream.requests.slice(before).map((r) => r.body)).toEqual([BODY]);
  }, 20_000);

  it("takes a slow but moving chunked upload", async () => {
    const before = upstream.requests.length;
    const exchange = await rawExchange(
      server.url,
      (socket) => {
        socket.write(head({ "transfer-encoding": "chunked" }));
        trickle(
          socket,
          BODY,
          (piece) => `${Buffer.byteLength(piece).toString(16)}\r\n${piece}\r\n`,
          "0\r\n\r\n",
        );
      },
      7_500,
    );
    expect(exchange.statuses).toEqual([200]);
    expect(upstream.requests.slice(before).map((r) => r.body)).toEqual([BODY]);
  }, 20_000);

  // The bridge's own body read bounds the silence on every runtime (Node's requestTimeout is 300 s
  // in all, Deno has no body timeout); Bun's adapter also closes the connection.
  it("cuts a stalled upload after idle_timeout_s with a 400 in the provider's shape", async () => {
    const before = upstream.requests.length;
    const exchange = await rawExchange(
      server.url,
      (socket) => socket.write(head({ "content-length": String(BODY.length) }) + BODY.slice(0, PIECE)),
      // Deno answers with `connection: close` but leaves closing to the client.
      runtime.name === "deno" ? 4_000 : 10_000,
    );
    expect(exchange.statuses).toEqual([400]);
    expect(exchange.text).toContain('"type":"error"');
    expect(exchange.text).toContain("invalid_request_error");
    expect(exchange.text.toLowerCase()).toContain("connection: close");
    // The bound is the body read's own: idle_timeout_s after the last byte.
    expect(exchange.firstByteMs).toBeGreaterThanOrEqual(IDLE_S * 1000 - 100);
    expect(exchange.firstByteMs).toBeLessThan(IDLE_S * 1000 + 1500);
    if (runtime.name !== "deno") expect(exchange.closedByServerMs).not.toBeNull();
    expect(upstream.requests.length).toBe(before);
  }, 20_000);
});
