import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CapturedRequest, startUpstream, type UpstreamScript } from "../helpers/upstream-server.ts";
import { RUNTIMES, type ServerOn, serveOn } from "./runtimes.ts";
import { FIRST_EVENT } from "./sse.ts";

/** Half of an SSE event: the bridge cannot end the client's stream cleanly after it. */
const HALF_EVENT = 'event: content_block_delta\ndata: {"type":"content_block_delta","ind';
/** Lets what was written reach the bridge before the connection is reset. */
const PAUSE = { delayMs: 100, data: "" };

/**
 * Issue 17 (B): "no stack trace reaches a log except as one JSON line". Each runtime's real
 * `causeway serve` meets an upstream that breaks mid-event on a stream and mid-body on a
 * passthrough route (the core then errors the client's response stream); everything the process
 * wrote to stdout and stderr must still be JSON lines, with no stack frame among them.
 */
describe.each(RUNTIMES)("causeway serve on $name logs only JSON lines", (runtime) => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: ServerOn;
  let key = "";

  const script = (request: CapturedRequest): UpstreamScript => {
    if (request.url.includes("/models"))
      return {
        headers: { "content-type": "application/json" },
        chunks: ['{"data":[{"id":"claude', PAUSE],
        end: "reset",
      };
    return { chunks: [FIRST_EVENT, { delayMs: 50, data: HALF_EVENT }, PAUSE], end: "reset" };
  };

  beforeAll(async () => {
    upstream = await startUpstream(script);
    server = await serveOn(runtime, {
      env: {
        ANTHROPIC_API_KEY: "sk-ant-logs",
        CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url,
      },
    });
    key = await server.createUser(`logs-${runtime.name}`);
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  /** Reads a body to its end; a broken one rejects, which is what these upstreams cause. */
  const drain = async (response: Response): Promise<"ended" | "broken"> => {
    try {
      await response.text();
      return "ended";
    } catch {
      return "broken";
    }
  };

  it("a stream whose upstream breaks mid-event reaches the client broken, and the log stays JSON", async () => {
    const response = await fetch(`${server.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", "x-api-key": key },
      body: JSON.stringify({
        model: "claude-logs",
        max_tokens: 16,
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(response.status).toBe(200);
    expect(await drain(response)).toBe("broken");
  });

  it("a passthrough body whose upstream breaks reaches the client broken, and the log stays JSON", async () => {
    const response = await fetch(`${server.url}/anthropic/v1/models`, { headers: { "x-api-key": key } });
    expect(response.status).toBe(200);
    expect(await drain(response)).toBe("broken");
  });

  it("wrote nothing but JSON lines, and no stack frame, up to a clean shutdown", async () => {
    // A runtime that reports an errored stream does so asynchronously: give it the time.
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(await server.stop()).toBe(0);
    const lines = server
      .logs()
      .split("\n")
      .filter((line) => line !== "");
    expect(lines.length).toBeGreaterThan(1);
    for (const line of lines) {
      expect(line, "a stack frame").not.toMatch(/^\s+at /);
      expect(() => JSON.parse(line), `not a JSON line: ${line}`).not.toThrow();
    }
  });
});
