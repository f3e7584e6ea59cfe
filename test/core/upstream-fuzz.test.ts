import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MemoryLogger } from "../../core/ports/logger.ts";
import { MemoryToolProvider } from "../../core/ports/tool-provider.ts";
import { bridgeHarness, USER_KEY } from "../helpers/bridge-harness.ts";
import { expectOneTerminalEach } from "./support/audit.ts";

/**
 * Issue 17: whatever an upstream sends back (any status, content type, bytes and chunking, a
 * connection that breaks, a body that stalls), on every intercepted API, streaming or not, with
 * and without the tool loop: the bridge answers, the client's body ends (cleanly or broken), the
 * upstream is released, and the interception ends with exactly one terminal status.
 */
const RUNS = { numRuns: 400, seed: 20261202 };

const ROUTES = [
  {
    path: "/anthropic/v1/messages",
    body: (stream: boolean) => ({
      model: "claude-x",
      max_tokens: 8,
      stream,
      messages: [{ role: "user", content: "hi" }],
    }),
  },
  {
    path: "/openai/v1/chat/completions",
    body: (stream: boolean) => ({ model: "gpt-x", stream, messages: [{ role: "user", content: "hi" }] }),
  },
  { path: "/openai/v1/responses", body: (stream: boolean) => ({ model: "gpt-x", stream, input: "hi" }) },
] as const;

/** Upstream payloads: random bytes, and text built from the SSE and JSON pieces providers send. */
const piece = fc.oneof(
  fc.constantFrom(
    "event: message_start\n",
    "event: error\n",
    "event: response.completed\n",
    "data: [DONE]\n",
    'data: {"type":"message_stop"}\n',
    'data: {"type":"content_block_start","index":0,"content_block":{"type":"tool_use","id":"t","name":"cw__docs__search","input":{}}}\n',
    'data: {"type":"message_delta","delta":{"stop_reason":"tool_use"},"usage":{"output_tokens":1}}\n',
    'data: {"choices":[{"index":0,"delta":{"tool_calls":[{"index":0,"id":"c","function":{"name":"cw__docs__search","arguments":"{}"}}]},"finish_reason":"tool_calls"}]}\n',
    'data: {"type":"response.completed","response":{"status":"completed","output":[],"usage":{"input_tokens":1}}}\n',
    '{"usage":{"input_tokens":1e999}}',
    "\n",
    "\r",
    ": comment\n",
    "retry: x\n",
    "\u0000\uFFFF\uD800",
  ),
  fc.string({ maxLength: 40 }),
);
const payload = fc.oneof(
  fc.array(piece, { maxLength: 30 }).map((parts) => new TextEncoder().encode(parts.join(""))),
  fc.uint8Array({ maxLength: 400 }),
);

const answer = fc.record({
  status: fc.constantFrom(200, 200, 200, 201, 204, 400, 401, 404, 429, 500, 502, 529),
  contentType: fc.constantFrom("text/event-stream", "application/json", "text/plain", ""),
  body: payload,
  cuts: fc.array(fc.nat({ max: 400 }), { maxLength: 6 }),
  end: fc.constantFrom("close", "close", "error"),
});

type Answer = typeof answer extends fc.Arbitrary<infer T> ? T : never;

function upstreamResponse(a: Answer): Response {
  const cuts = [...new Set(a.cuts.map((n) => n % Math.max(a.body.length, 1)))].sort((x, y) => x - y);
  const chunks: Uint8Array[] = [];
  let at = 0;
  for (const cut of [...cuts, a.body.length]) {
    if (cut > at) chunks.push(a.body.subarray(at, cut));
    at = cut;
  }
  let next = 0;
  const body = new ReadableStream<Uint8Array>({
    pull(controller) {
      if (next < chunks.length) controller.enqueue(chunks[next++]!);
      else if (a.end === "error") controller.error(new TypeError("terminated"));
      else controller.close();
    },
  });
  const headers: Record<string, string> = a.contentType ? { "content-type": a.contentType } : {};
  // 204 may have no body.
  return new Response(a.status === 204 ? null : body, { status: a.status, headers });
}

async function drain(response: Response): Promise<void> {
  try {
    await response.arrayBuffer();
  } catch {
    // A broken stream is an allowed ending; a hang is not (the test would time out).
  }
}

describe("any upstream answer ends every interception exactly once (issue 17 property)", () => {
  for (const withTools of [false, true]) {
    it(`three APIs, streaming and blocking${withTools ? ", tool loop on" : ""}`, {
      timeout: 60_000,
    }, async () => {
      await fc.assert(
        fc.asyncProperty(
          fc.constantFrom(...ROUTES),
          fc.boolean(),
          fc.array(answer, { minLength: 1, maxLength: 3 }),
          async (route, stream, answers) => {
            const tools = withTools
              ? new MemoryToolProvider(
                  [
                    {
                      server: "docs",
                      name: "search",
                      description: "Search",
                      inputSchema: { type: "object" },
                    },
                  ],
                  async () => ({ content: [{ type: "text", text: "found" }], isError: false }),
                )
              : undefined;
            let call = 0;
            const logger = new MemoryLogger();
            const h = bridgeHarness(
              async () => upstreamResponse(answers[Math.min(call++, answers.length - 1)]!),
              { maxEventBytes: 256, maxResponseBytes: 300 },
              tools ? { tools, logger } : { logger },
            );
            const response = await h.bridge.handle(
              new Request(`http://bridge.test${route.path}`, {
                method: "POST",
                headers: { authorization: `Bearer ${USER_KEY}`, "content-type": "application/json" },
                body: JSON.stringify(route.body(stream)),
              }),
            );
            expect(response.status).toBeGreaterThanOrEqual(200);
            await drain(response);
            expect(h.bridge.inFlight).toBe(0);
            expectOneTerminalEach(h.recorder, 1);
            // The bridge's own failures (an exception caught at the top) log an error line.
            expect(logger.lines.filter((line) => line.level === "error")).toEqual([]);
          },
        ),
        RUNS,
      );
    });
  }
});
