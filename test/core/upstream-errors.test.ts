import { describe, expect, it } from "vitest";
import { REQUEST_ID_HEADER } from "../../core/http/headers.ts";
import { decodeSse } from "../../core/sse/decoder.ts";
import { bridgeHarness, sseResponse } from "../helpers/bridge-harness.ts";
import { onlyTerminal, tokensOf } from "./support/audit.ts";
import { MESSAGE_START, messagesRequest, TEXT_DELTA } from "./support/requests.ts";
import { pump, scriptedUpstream, settle } from "./support/scripted-upstream.ts";

describe("upstream unreachable (UP-09)", () => {
  for (const stream of [true, false]) {
    it(`answers 502 in Anthropic's shape, records upstream_error and no usage (stream: ${stream})`, async () => {
      const h = bridgeHarness(async () => {
        throw new TypeError("fetch failed: connect ECONNREFUSED 127.0.0.1:1");
      });
      const response = await h.bridge.handle(messagesRequest({ stream }));
      expect(response.status).toBe(502);
      const body = await response.text();
      expect(JSON.parse(body)).toMatchObject({ type: "error", error: { type: "api_error" } });
      expect(body).not.toContain("ECONNREFUSED");
      const end = onlyTerminal(h.recorder);
      expect(end).toMatchObject({ status: "upstream_error", httpStatus: 502 });
      expect(h.recorder.of(end.interceptionId).filter((e) => e.kind === "token-usage")).toEqual([]);
    });
  }
});

const ERRORS = [
  { status: 400, type: "invalid_request_error", headers: {} },
  { status: 429, type: "rate_limit_error", headers: { "retry-after": "2", "x-should-retry": "true" } },
  { status: 529, type: "overloaded_error", headers: {} },
] as const;

describe("upstream errors before the stream (UP-13, UP-01 relay part, UP-03 relay part)", () => {
  for (const { status, type, headers } of ERRORS) {
    for (const stream of [true, false]) {
      it(`relays ${status} ${type} with its body and headers, once, no retry (stream: ${stream})`, async () => {
        const body = JSON.stringify({
          type: "error",
          error: { type, message: `upstream says ${status}` },
          request_id: "req_up_1",
        });
        const h = bridgeHarness(
          async () =>
            new Response(body, {
              status,
              headers: { "content-type": "application/json", "request-id": "req_up_1", ...headers },
            }),
        );
        const response = await h.bridge.handle(messagesRequest({ stream }));
        expect(response.status).toBe(status);
        expect(await response.text()).toBe(body);
        expect(response.headers.get("request-id")).toBe("req_up_1");
        for (const [name, value] of Object.entries(headers)) expect(response.headers.get(name)).toBe(value);
        expect(h.seen).toHaveLength(1);
        const end = onlyTerminal(h.recorder);
        expect(end).toMatchObject({ status: "upstream_error", httpStatus: status });
        expect(response.headers.get(REQUEST_ID_HEADER)).toBe(end.interceptionId);
      });
    }
  }
});

describe("mid-stream failures", () => {
  it("relays a mid-stream `event: error` in-band, unchanged, with partial usage (UP-04)", async () => {
    const error =
      'event: error\ndata: {"type": "error", "error": {"type": "overloaded_error", "message": "Overloaded"}}\n\n';
    const h = bridgeHarness(async () => sseResponse(MESSAGE_START + TEXT_DELTA + error));
    const response = await h.bridge.handle(messagesRequest());
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(MESSAGE_START + TEXT_DELTA + error);
    expect(h.seen).toHaveLength(1);
    const end = onlyTerminal(h.recorder);
    expect(end).toMatchObject({ status: "upstream_error", httpStatus: 200 });
    expect(end.detail).toContain("overloaded_error");
    expect(tokensOf(h.recorder, end.interceptionId)).toMatchObject({ input: 25, output: 1 });
  });

  it("tells the client when the connection breaks between events: in-band error, status failed (UP-08)", async () => {
    const up = scriptedUpstream();
    const h = bridgeHarness(up.upstream);
    const pending = h.bridge.handle(messagesRequest());
    await up.firstCall;
    up.openStream();
    const client = pump(await pending);
    up.push(MESSAGE_START);
    await settle();
    up.reset();
    await client.finished;
    expect(client.state.text.startsWith(MESSAGE_START)).toBe(true);
    expect(client.state.text.slice(MESSAGE_START.length)).toMatch(/^event: error\ndata: .*\n\n$/);
    const end = onlyTerminal(h.recorder);
    expect(end.status).toBe("failed");
    expect(tokensOf(h.recorder, end.interceptionId).input).toBe(25);
  });

  it("errors the client stream when the connection breaks inside an event, never appending to it (UP-08)", async () => {
    const up = scriptedUpstream();
    const h = bridgeHarness(up.upstream);
    const pending = h.bridge.handle(messagesRequest());
    await up.firstCall;
    up.openStream();
    const client = pump(await pending);
    const half = 'event: content_block_delta\ndata: {"type":"content_bl';
    up.push(MESSAGE_START + half);
    await settle();
    up.reset();
    await client.finished;
    expect(client.state.error).not.toBeNull();
    expect(client.state.text).toBe(MESSAGE_START + half);
    expect(onlyTerminal(h.recorder).status).toBe("failed");
  });

  it("tells the client, in-band, that a stream ended without message_stop; audit failed (UP-08)", async () => {
    const h = bridgeHarness(async () => sseResponse(MESSAGE_START + TEXT_DELTA));
    const response = await h.bridge.handle(messagesRequest());
    const text = await response.text();
    expect(text.startsWith(MESSAGE_START + TEXT_DELTA)).toBe(true);
    const added = decodeSse(text.slice((MESSAGE_START + TEXT_DELTA).length));
    expect(added).toHaveLength(1);
    expect(added[0]!.event).toBe("error");
    expect(JSON.parse(added[0]!.data).error.message).toBe("The upstream stream ended before its end marker.");
    expect(onlyTerminal(h.recorder).status).toBe("failed");
  });

  it("errors the client stream when a stream ends mid-event without its end marker (issue 17.10)", async () => {
    const half = 'event: content_block_delta\ndata: {"type":"content_block_delta","ind';
    const h = bridgeHarness(async () => sseResponse(MESSAGE_START + half));
    const response = await h.bridge.handle(messagesRequest());
    const reader = response.body!.getReader();
    let text = "";
    let failure: unknown = null;
    try {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        text += new TextDecoder().decode(value);
      }
    } catch (error) {
      failure = error;
    }
    // Never a clean end, and nothing appended to the half event.
    expect(failure).not.toBeNull();
    expect(text).toBe(MESSAGE_START + half);
    expect(onlyTerminal(h.recorder).status).toBe("failed");
  });

  it("names a connection reset mid-stream as a break, not as an unreachable upstream (issue 17.10)", async () => {
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        controller.enqueue(new TextEncoder().encode(MESSAGE_START));
        controller.error(new TypeError("socket hang up"));
      },
    });
    const h = bridgeHarness(async () => sseResponse(body));
    const response = await h.bridge.handle(messagesRequest());
    const text = await response.text();
    expect(text).toContain("The upstream connection broke mid-answer.");
    expect(text).not.toContain("could not be reached");
    const end = onlyTerminal(h.recorder);
    expect(end.status).toBe("failed");
    expect(end.detail).toBe("the upstream connection broke mid-stream");
  });
});
