import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../core/config.ts";
import { MemoryToolProvider } from "../../core/ports/tool-provider.ts";
import { bridgeHarness, sseResponse } from "../helpers/bridge-harness.ts";
import { onlyTerminal } from "./support/audit.ts";
import { MESSAGE_START, messagesRequest } from "./support/requests.ts";

const MiB = 1024 * 1024;
const encoder = new TextEncoder();

/** An upstream body that never ends: `head`, then `chunk` for as long as it is read. */
function endless(head: string, chunk: Uint8Array) {
  const state = { pulled: 0, cancelled: false };
  let started = false;
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        if (!started) {
          started = true;
          controller.enqueue(encoder.encode(head));
          return;
        }
        state.pulled += chunk.byteLength;
        controller.enqueue(chunk);
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { body, state };
}

/** Reads a client body to its end or its error, keeping only its last bytes. */
async function drain(response: Response): Promise<{ tail: string; bytes: number; failed: boolean }> {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let tail = "";
  let bytes = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return { tail, bytes, failed: false };
      bytes += value.byteLength;
      tail = (tail + decoder.decode(value, { stream: true })).slice(-4096);
    }
  } catch {
    return { tail, bytes, failed: true };
  }
}

describe("an upstream SSE event past limits.max_event_bytes (issue 17.1)", () => {
  it("relay: a 64 MiB+ line ends the stream, closes the upstream, one upstream_error; memory stays bounded", async () => {
    const { body, state } = endless(`${MESSAGE_START}data: `, new Uint8Array(MiB).fill(0x78));
    const h = bridgeHarness(async () => sseResponse(body));
    const before = process.memoryUsage().rss;
    const response = await h.bridge.handle(messagesRequest());
    expect(response.status).toBe(200);
    const seen = await drain(response);
    // Mid-line: nothing can be appended, so the client sees a broken stream, never a clean end.
    expect(seen.failed).toBe(true);
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeGreaterThanOrEqual(DEFAULT_LIMITS.maxEventBytes);
    expect(state.pulled).toBeLessThanOrEqual(DEFAULT_LIMITS.maxEventBytes + 2 * MiB);
    const end = onlyTerminal(h.recorder);
    expect(end.status).toBe("upstream_error");
    expect(end.detail).toContain("max_event_bytes");
    expect(h.bridge.inFlight).toBe(0);
    // The parser holds at most the limit (Latin-1 text: a byte a character) plus a join.
    expect(process.memoryUsage().rss - before).toBeLessThan(600 * MiB);
  });

  it("relay: an event of many small data lines counts as a whole", async () => {
    const { body, state } = endless("data: ", encoder.encode(`${"y".repeat(1000)}\ndata: `));
    const h = bridgeHarness(async () => sseResponse(body), { maxEventBytes: 64 * 1024 });
    const seen = await drain(await h.bridge.handle(messagesRequest()));
    expect(seen.failed).toBe(true);
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThan(128 * 1024);
    expect(onlyTerminal(h.recorder).status).toBe("upstream_error");
  });

  it("tool loop (the bridge re-frames events): in-band error at the boundary, one upstream_error", async () => {
    const tools = new MemoryToolProvider(
      [{ server: "docs", name: "search", description: "Search", inputSchema: { type: "object" } }],
      async () => ({ content: [{ type: "text", text: "found" }], isError: false }),
    );
    const { body, state } = endless(`${MESSAGE_START}data: `, new Uint8Array(16 * 1024).fill(0x78));
    const h = bridgeHarness(async () => sseResponse(body), { maxEventBytes: 256 * 1024 }, { tools });
    const seen = await drain(await h.bridge.handle(messagesRequest()));
    expect(seen.failed).toBe(false);
    expect(seen.tail).toContain("event: error");
    expect(seen.tail).toContain("exceeded the bridge's size limit");
    expect(state.cancelled).toBe(true);
    expect(onlyTerminal(h.recorder).status).toBe("upstream_error");
  });
});

describe("a blocking upstream body past limits.max_response_bytes (issue 17.6)", () => {
  it("a 300 MiB body without a length: 502 in Anthropic's shape after the limit, never buffered whole", async () => {
    const { body, state } = endless("{", new Uint8Array(MiB).fill(0x20));
    const h = bridgeHarness(
      async () => new Response(body, { headers: { "content-type": "application/json" } }),
    );
    const before = process.memoryUsage().rss;
    const response = await h.bridge.handle(messagesRequest({ stream: false }));
    expect(response.status).toBe(502);
    const error = (await response.json()) as { type: string; error: { type: string; message: string } };
    expect(error.type).toBe("error");
    expect(error.error.message).toBe("The upstream's answer exceeded the bridge's size limit.");
    expect(state.cancelled).toBe(true);
    expect(state.pulled).toBeLessThanOrEqual(DEFAULT_LIMITS.maxResponseBytes + MiB);
    expect(onlyTerminal(h.recorder).status).toBe("upstream_error");
    expect(h.bridge.inFlight).toBe(0);
    expect(process.memoryUsage().rss - before).toBeLessThan(400 * MiB);
  });

  it("a declared length above the limit is refused unread; an error body is bounded too", async () => {
    for (const status of [200, 500]) {
      const h = bridgeHarness(
        async () =>
          new Response("x".repeat(4096), {
            status,
            headers: { "content-type": "application/json", "content-length": "4096" },
          }),
        { maxResponseBytes: 1024, firstByteTimeoutMs: 1 },
        { anthropic: { retry: { ...NO_RETRY } } },
      );
      const response = await h.bridge.handle(messagesRequest({ stream: false }));
      expect(response.status, `upstream ${status}`).toBe(502);
      expect(onlyTerminal(h.recorder).status).toBe("upstream_error");
    }
  });

  it("an OpenAI chat answer under the limit passes unchanged", async () => {
    const answer = JSON.stringify({ id: "c1", object: "chat.completion", choices: [] });
    const h = bridgeHarness(async () => Response.json(JSON.parse(answer)), {
      maxResponseBytes: answer.length,
    });
    const response = await h.bridge.handle(
      new Request("http://bridge.test/openai/v1/chat/completions", {
        method: "POST",
        headers: { authorization: "Bearer cw_test_alice_key", "content-type": "application/json" },
        body: JSON.stringify({ model: "gpt-x", messages: [{ role: "user", content: "hi" }] }),
      }),
    );
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(answer);
  });
});

const NO_RETRY = {
  attempts: 0,
  statuses: new Set<number>(),
  connect: false,
  maxWaitMs: 0,
  baseDelayMs: 0,
  maxDelayMs: 0,
};
