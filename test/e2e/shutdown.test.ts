import { afterEach, describe, expect, it } from "vitest";
import { sseEvent, textStreamChunks } from "../helpers/anthropic-wire.ts";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { type CapturedRequest, startUpstream, type UpstreamScript } from "../helpers/upstream-server.ts";

/**
 * Graceful shutdown of the real server process: on SIGTERM it stops taking new work, lets an
 * in-flight stream finish within server.shutdown_grace_ms, ends it with an in-band error after
 * that, leaves every interception with a terminal status, and exits 0.
 */

const TERMINAL = ["completed", "upstream_error", "client_cancelled", "timeout", "rejected", "failed"];
const PARTS = ["one ", "two ", "three ", "four ", "five"];

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  for (const cleanup of cleanups.splice(0)) await cleanup();
});

/** Starts a fake upstream and a server with the given grace period; both are cleaned up after the test. */
async function setup(graceMs: number, script: (request: CapturedRequest) => UpstreamScript) {
  const upstream = await startUpstream(script);
  const server = await startServer({
    env: { ANTHROPIC_API_KEY: "sk-ant-enterprise-shutdown", CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url },
    config: `server:\n  shutdown_grace_ms: ${graceMs}\n`,
  });
  cleanups.push(
    () => server.stop("SIGKILL"),
    () => upstream.close(),
  );
  return { upstream, server, key: await server.createUser("sleepy") };
}

function streamRequest(server: RunningServer, key: string, model = "claude-slow"): Promise<Response> {
  return fetch(`${server.url}/anthropic/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": key, "content-type": "application/json" },
    body: JSON.stringify({
      model,
      max_tokens: 64,
      stream: true,
      messages: [{ role: "user", content: "count slowly" }],
    }),
  });
}

/** Reads the body until `marker` has been seen; returns the reader and the text so far. */
async function readUntil(response: Response, marker: string) {
  const reader = response.body!.getReader();
  const decoder = new TextDecoder();
  let text = "";
  while (!text.includes(marker)) {
    const { done, value } = await reader.read();
    if (done) throw new Error(`stream ended before ${marker}: ${text}`);
    text += decoder.decode(value, { stream: true });
  }
  const rest = async (): Promise<string> => {
    let more = "";
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return more;
      more += decoder.decode(value, { stream: true });
    }
  };
  return { text, rest };
}

function exitOf(server: RunningServer): Promise<number | null> {
  if (server.child.exitCode !== null) return Promise.resolve(server.child.exitCode);
  return new Promise((resolve) => server.child.once("exit", (code) => resolve(code)));
}

/** A new request after SIGTERM: refused at the socket, or answered 503 in Anthropic's shape. */
async function newRequestIsTurnedAway(server: RunningServer, key: string): Promise<void> {
  const outcome = await fetch(`${server.url}/anthropic/v1/messages`, {
    method: "POST",
    headers: { "x-api-key": key, "content-type": "application/json", connection: "close" },
    body: JSON.stringify({
      model: "claude-late",
      max_tokens: 5,
      messages: [{ role: "user", content: "too late" }],
    }),
  }).then(
    async (response) => ({ status: response.status, body: await response.text() }),
    (error: unknown) => ({ status: 0, body: String(error) }),
  );
  if (outcome.status !== 0) {
    expect(outcome.status).toBe(503);
    expect(JSON.parse(outcome.body)).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
  }
}

describe("graceful shutdown", () => {
  it("an idle server exits 0 on SIGTERM and on SIGINT", async () => {
    for (const signal of ["SIGTERM", "SIGINT"] as const) {
      const { server } = await setup(1000, () => ({ body: "{}" }));
      const exited = exitOf(server);
      server.child.kill(signal);
      expect(await exited).toBe(0);
      expect(server.logs()).toContain('"message":"stopped"');
    }
  });

  it("lets an in-flight stream finish within the grace period, turns new requests away, exits 0", async () => {
    const chunks = textStreamChunks({
      model: "claude-slow",
      parts: PARTS,
      usage: { input_tokens: 5, output_tokens: 6 },
    });
    // message_start, content_block_start, ping, then each delta after a pause.
    const paced = chunks.map((data, i) => (i >= 4 ? { delayMs: 250, data } : data));
    const { upstream, server, key } = await setup(10_000, () => ({ chunks: paced }));

    const response = await streamRequest(server, key);
    expect(response.status).toBe(200);
    const { text, rest } = await readUntil(response, "content_block_delta");
    const exited = exitOf(server);
    server.child.kill("SIGTERM");
    await new Promise((r) => setTimeout(r, 100));
    await newRequestIsTurnedAway(server, key);

    const body = text + (await rest());
    expect(body).toBe(chunks.join(""));
    expect(body).not.toContain("event: error");
    expect(await exited).toBe(0);
    expect(upstream.requests.map((r) => JSON.parse(r.body).model)).toEqual(["claude-slow"]);

    const rows = await server.interceptions();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: "completed", http_status: 200, tokens: { input: 5, output: 6 } });
    expect(server.logs()).not.toContain("grace period over");
  });

  it("ends a stream that outlives the grace period with an in-band error, records it, exits 0", async () => {
    const start = textStreamChunks({
      model: "claude-stuck",
      parts: ["partial "],
      usage: { input_tokens: 3, output_tokens: 1 },
    }).slice(0, 4);
    const { upstream, server, key } = await setup(800, () => ({ chunks: start, end: "stall" }));

    const response = await streamRequest(server, key, "claude-stuck");
    const { text, rest } = await readUntil(response, "content_block_delta");
    const exited = exitOf(server);
    const signalledAt = Date.now();
    server.child.kill("SIGTERM");
    const tail = await rest();
    const body = text + tail;
    expect(body.startsWith(start.join(""))).toBe(true);
    expect(body).not.toContain("message_stop");
    // The in-band error Anthropic itself sends mid-stream, at an event boundary.
    expect(
      tail.endsWith(
        sseEvent("error", { error: { type: "api_error", message: "The bridge is shutting down." } }),
      ),
    ).toBe(true);
    expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(700);

    expect(await exited).toBe(0);
    for (let i = 0; i < 50 && upstream.aborted.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(upstream.aborted).toHaveLength(1);
    expect(server.logs()).toContain("grace period over");
    const rows = await server.interceptions();
    expect(rows).toHaveLength(1);
    expect(TERMINAL).toContain(rows[0]!.status);
    expect(rows[0]!.status).not.toBe("completed");
    expect(rows[0]!.ended_at).not.toBeNull();
    expect(rows[0]).toMatchObject({ tokens: { input: 3 } });
  });

  it("with several streams in flight, each interception gets exactly one terminal status", async () => {
    const slow = textStreamChunks({
      model: "claude-a",
      parts: PARTS,
      usage: { input_tokens: 2, output_tokens: 2 },
    }).map((data, i) => (i >= 4 ? { delayMs: 150, data } : data));
    const stuck = textStreamChunks({
      model: "claude-b",
      parts: ["x"],
      usage: { input_tokens: 2, output_tokens: 1 },
    }).slice(0, 4);
    const { server, key } = await setup(1500, (request) =>
      (JSON.parse(request.body) as { model: string }).model === "claude-a"
        ? { chunks: slow }
        : { chunks: stuck, end: "stall" },
    );
    const streams = await Promise.all([
      streamRequest(server, key, "claude-a"),
      streamRequest(server, key, "claude-b"),
      streamRequest(server, key, "claude-a"),
    ]);
    const readers = await Promise.all(streams.map((response) => readUntil(response, "content_block_delta")));
    const exited = exitOf(server);
    server.child.kill("SIGTERM");
    const bodies = await Promise.all(readers.map(async ({ text, rest }) => text + (await rest())));
    expect(bodies[0]).toContain("event: message_stop");
    expect(bodies[2]).toContain("event: message_stop");
    expect(bodies[1]).toContain("event: error");
    expect(await exited).toBe(0);

    const rows = await server.interceptions();
    expect(rows).toHaveLength(3);
    const byModel = rows.map((row) => `${row.model}:${row.status}`).sort();
    expect(byModel).toEqual([
      "claude-a:completed",
      "claude-a:completed",
      expect.stringMatching(/^claude-b:(failed|timeout|upstream_error)$/),
    ]);
    for (const row of rows) expect(row.ended_at).not.toBeNull();
  });
});
