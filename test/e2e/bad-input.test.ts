import type { AddressInfo } from "node:net";
import { createServer, type Server, type Socket } from "node:net";
import Anthropic from "@anthropic-ai/sdk";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { anthropicErrorBody, sseEvent, textStreamChunks } from "../helpers/anthropic-wire.ts";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { type CapturedRequest, startUpstream, type UpstreamScript } from "../helpers/upstream-server.ts";

/**
 * The issue's "Bad input" list as real clients see it through the real server: every failure is
 * an Anthropic-shaped error with the right status, carries a request id that matches the audit
 * record when one was written, never a stack trace, and never touches the upstream when the
 * bridge refused the request itself.
 */

const OVERLOADED = anthropicErrorBody("overloaded_error", "Overloaded");
const INVALID = anthropicErrorBody("invalid_request_error", "max_tokens: Field required");

function answer(request: CapturedRequest): UpstreamScript {
  const { model } = JSON.parse(request.body) as { model: string };
  if (model === "claude-overloaded") return { status: 529, body: OVERLOADED };
  if (model === "claude-invalid") return { status: 400, body: INVALID };
  if (model === "claude-silent")
    return {
      chunks: textStreamChunks({ model, parts: ["x"], usage: { input_tokens: 4, output_tokens: 1 } }).slice(
        0,
        1,
      ),
      end: "stall",
    };
  return {
    chunks: textStreamChunks({ model, parts: ["fine"], usage: { input_tokens: 1, output_tokens: 1 } }),
  };
}

/** Accepts connections and never answers: an upstream that hangs before its headers. */
async function blackHole(): Promise<{
  url: string;
  accepted: () => number;
  open: () => number;
  close: () => Promise<void>;
}> {
  const sockets = new Set<Socket>();
  let accepted = 0;
  const server: Server = createServer((socket) => {
    accepted++;
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => {});
    socket.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    accepted: () => accepted,
    open: () => sockets.size,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

const NO_STACK = /\n\s+at |\.ts:\d+|node_modules/;

describe("bad input through the real server", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let hole: Awaited<ReturnType<typeof blackHole>>;
  let server: RunningServer;
  let key: string;
  const sdk = (provider = "anthropic") =>
    new Anthropic({ apiKey: key, baseURL: `${server.url}/${provider}`, maxRetries: 0 });

  beforeAll(async () => {
    upstream = await startUpstream(answer);
    hole = await blackHole();
    const provider = (name: string, url: string) => [
      `  - name: ${name}`,
      "    kind: anthropic",
      `    api_key: sk-ant-${name}`,
      `    base_url: ${url}`,
    ];
    server = await startServer({
      config: [
        "limits:",
        "  max_body_bytes: 65536",
        "  first_byte_timeout_ms: 800",
        "  blocking_timeout_ms: 800",
        "  stream_idle_timeout_ms: 1200",
        "  ping_interval_ms: 300",
        "providers:",
        ...provider("anthropic", upstream.url),
        ...provider("dead", `http://127.0.0.1:${await closedPort()}`),
        ...provider("slow", hole.url),
        "",
      ].join("\n"),
    });
    key = await server.createUser("clumsy");
  });
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
    await hole?.close();
  });

  /** Sends a raw request; returns status, parsed body and the request id header. */
  async function raw(path: string, init: RequestInit) {
    const response = await fetch(`${server.url}${path}`, init);
    const text = await response.text();
    expect(text).not.toMatch(NO_STACK);
    return { status: response.status, text, requestId: response.headers.get("x-causeway-request-id") };
  }

  async function sdkError(call: () => Promise<unknown>): Promise<InstanceType<typeof Anthropic.APIError>> {
    const error = await call().then(
      () => null,
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(Anthropic.APIError);
    return error as InstanceType<typeof Anthropic.APIError>;
  }

  /** Audit expectations gathered during a test, checked with one CLI call at its end. */
  const pending: [string | null, Record<string, unknown>][] = [];
  const expectAudit = (requestId: string | null, expected: Record<string, unknown>): void => {
    expect(requestId).toMatch(/^int_/);
    pending.push([requestId, expected]);
  };
  afterEach(async () => {
    if (pending.length === 0) return;
    const rows = await server.interceptions("--limit", "1000");
    for (const [id, expected] of pending.splice(0))
      expect(rows.find((row) => row.id === id)).toMatchObject(expected);
  });

  it("missing or unknown key: 401 authentication_error, upstream untouched", async () => {
    const before = upstream.requests.length;
    const body = JSON.stringify({
      model: "claude-x",
      max_tokens: 5,
      messages: [{ role: "user", content: "hi" }],
    });
    for (const headers of [
      {},
      { "x-api-key": "" },
      { authorization: "Basic Zm9vOmJhcg==" },
      { authorization: "Bearer cw_nope" },
      { "x-api-key": "x".repeat(4000) },
    ]) {
      const res = await raw("/anthropic/v1/messages", {
        method: "POST",
        headers: { ...headers, "content-type": "application/json" },
        body,
      });
      expect(res.status).toBe(401);
      expect(JSON.parse(res.text)).toMatchObject({ type: "error", error: { type: "authentication_error" } });
      expect(res.requestId).toMatch(/^int_/);
    }
    const stranger = new Anthropic({
      apiKey: "cw_unknown",
      baseURL: `${server.url}/anthropic`,
      maxRetries: 0,
    });
    const error = await sdkError(() =>
      stranger.messages.create({
        model: "claude-x",
        max_tokens: 5,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(error).toBeInstanceOf(Anthropic.AuthenticationError);
    expect(upstream.requests.length).toBe(before);
  });

  it("malformed JSON and invalid requests: 400 invalid_request_error, audited as rejected", async () => {
    const before = upstream.requests.length;
    const bodies = [
      '{"model": "claude-x", "messages": [',
      "[1,2,3]",
      "\xff\xfe",
      '{"model": 42, "messages": []}',
      '{"model": "claude-x", "messages": "hi"}',
    ];
    for (const body of bodies) {
      const res = await raw("/anthropic/v1/messages", {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body,
      });
      expect(res.status, body).toBe(400);
      expect(JSON.parse(res.text)).toMatchObject({
        type: "error",
        error: { type: "invalid_request_error", message: expect.any(String) },
      });
      expectAudit(res.requestId, {
        user: "clumsy",
        status: "rejected",
        http_status: 400,
      });
    }
    const error = await sdkError(() =>
      sdk().messages.create({ model: "", max_tokens: 5, messages: [{ role: "user", content: "hi" }] }),
    );
    expect(error).toBeInstanceOf(Anthropic.BadRequestError);
    expect(error.error).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(upstream.requests.length).toBe(before);
  });

  it("unknown routes: 404 not_found_error", async () => {
    const error = await sdkError(() => sdk().get("/v1/no-such-thing"));
    expect(error).toBeInstanceOf(Anthropic.NotFoundError);
    expect(error.error).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    for (const [method, path] of [
      ["GET", "/anthropic/v1/messages"],
      ["POST", "/anthropic/v1/messages/"],
      ["POST", "/anthropic/v2/messages"],
      ["POST", "/nowhere/v1/messages"],
      ["GET", "/"],
    ] as const) {
      const res = await raw(path, {
        method,
        headers: { "x-api-key": key },
        ...(method === "POST" ? { body: "{}" } : {}),
      });
      expect(res.status, `${method} ${path}`).toBe(404);
      expect(res.requestId).toMatch(/^int_/);
    }
  });

  it("a body over the limit: 413 request_too_large, with or without Content-Length", async () => {
    const before = upstream.requests.length;
    const big = JSON.stringify({
      model: "claude-x",
      max_tokens: 5,
      messages: [{ role: "user", content: "y".repeat(70_000) }],
    });
    const declared = await raw("/anthropic/v1/messages", {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: big,
    });
    expect(declared.status).toBe(413);
    expect(JSON.parse(declared.text)).toMatchObject({ type: "error", error: { type: "request_too_large" } });
    expectAudit(declared.requestId, { status: "rejected", http_status: 413 });

    const bytes = new TextEncoder().encode(big);
    const chunked = new ReadableStream<Uint8Array>({
      start(controller) {
        for (let i = 0; i < bytes.length; i += 8192) controller.enqueue(bytes.slice(i, i + 8192));
        controller.close();
      },
    });
    const streamed = await raw("/anthropic/v1/messages", {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: chunked,
      duplex: "half",
    } as RequestInit);
    expect(streamed.status).toBe(413);
    expect(JSON.parse(streamed.text)).toMatchObject({ error: { type: "request_too_large" } });

    const error = await sdkError(() =>
      sdk().messages.countTokens({
        model: "claude-x",
        messages: [{ role: "user", content: "z".repeat(70_000) }],
      }),
    );
    expect(error.status).toBe(413);
    expect(upstream.requests.length).toBe(before);
  });

  it("upstream errors before the stream keep their status and body (400, 529)", async () => {
    for (const [model, status, body] of [
      ["claude-invalid", 400, INVALID],
      ["claude-overloaded", 529, OVERLOADED],
    ] as const) {
      for (const stream of [false, true]) {
        const res = await raw("/anthropic/v1/messages", {
          method: "POST",
          headers: { "x-api-key": key, "content-type": "application/json" },
          body: JSON.stringify({ model, max_tokens: 5, stream, messages: [{ role: "user", content: "hi" }] }),
        });
        expect(res.status).toBe(status);
        expect(res.text).toBe(body);
        expectAudit(res.requestId, {
          model,
          status: "upstream_error",
          http_status: status,
        });
      }
    }
    const error = await sdkError(() =>
      sdk().messages.create({
        model: "claude-overloaded",
        max_tokens: 5,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(error.status).toBe(529);
    expect(error.error).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
  });

  it("upstream unreachable: 502, audited", async () => {
    for (const stream of [false, true]) {
      const res = await raw("/dead/v1/messages", {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body: JSON.stringify({
          model: "claude-dead",
          max_tokens: 5,
          stream,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
      expect(res.status).toBe(502);
      expect(JSON.parse(res.text)).toMatchObject({ type: "error", error: { type: "api_error" } });
      expect(res.text).not.toContain("sk-ant-dead");
      expectAudit(res.requestId, {
        model: "claude-dead",
        status: "upstream_error",
        http_status: 502,
      });
    }
    const error = await sdkError(() =>
      sdk("dead").messages.create({
        model: "claude-dead",
        max_tokens: 5,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(error.status).toBe(502);
  });

  it("upstream silent before its headers: 504 timeout_error, audited as timeout, upstream request aborted", async () => {
    for (const stream of [false, true]) {
      const res = await raw("/slow/v1/messages", {
        method: "POST",
        headers: { "x-api-key": key, "content-type": "application/json" },
        body: JSON.stringify({
          model: "claude-slow",
          max_tokens: 5,
          stream,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
      expect(res.status).toBe(504);
      expect(JSON.parse(res.text)).toMatchObject({ type: "error", error: { type: "timeout_error" } });
      expectAudit(res.requestId, {
        model: "claude-slow",
        status: "timeout",
        http_status: 504,
      });
    }
    const error = await sdkError(() =>
      sdk("slow").messages.create({
        model: "claude-slow",
        max_tokens: 5,
        messages: [{ role: "user", content: "hi" }],
      }),
    );
    expect(error.status).toBe(504);
    // The bridge gave up on each upstream connection instead of leaving it hanging.
    expect(hole.accepted()).toBeGreaterThanOrEqual(1);
    for (let i = 0; i < 50 && hole.open() > 0; i++) await new Promise((r) => setTimeout(r, 100));
    expect(hole.open()).toBe(0);
  });

  it("an upstream stream that goes silent gets pings, then an in-band error, and is audited as timeout", async () => {
    const response = await fetch(`${server.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-silent",
        max_tokens: 5,
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    expect(response.status).toBe(200);
    const body = await response.text();
    expect(
      body.startsWith(
        textStreamChunks({
          model: "claude-silent",
          parts: [],
          usage: { input_tokens: 4, output_tokens: 1 },
        })[0]!,
      ),
    ).toBe(true);
    expect(body).toContain(sseEvent("ping", {}).replace('{"type":"ping"}', '{"type": "ping"}'));
    expect(body).toMatch(
      /event: error\ndata: \{"type":"error","error":\{"type":"[a-z_]+","message":"[^"]+"\}\}\n\n$/,
    );
    expectAudit(response.headers.get("x-causeway-request-id"), {
      status: "timeout",
      tokens: { input: 4 },
    });
    for (let i = 0; i < 50 && !upstream.aborted.includes("/v1/messages"); i++)
      await new Promise((r) => setTimeout(r, 50));
    expect(upstream.aborted).toContain("/v1/messages");
  });
});
