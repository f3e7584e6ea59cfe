import { createServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CapturedRequest, startUpstream, type UpstreamScript } from "../helpers/upstream-server.ts";
import { RUNTIMES, type ServerOn, serveOn } from "./runtimes.ts";
import { BLOCKING_BODY, deferred, FIRST_EVENT, REST_EVENTS, readUntil } from "./sse.ts";

const ENTERPRISE_KEY = "sk-ant-behaviour-CANARY";
const MAX_BODY = 4096;

/** A port nothing listens on: the "dead" provider points at it (connection refused). */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const { port } = server.address() as { port: number };
  await new Promise<void>((r) => server.close(() => r()));
  return port;
}

/**
 * The HTTP-level contract, the same on every runtime: each runtime's real `causeway serve`
 * process (separate processes), a real fake provider on 127.0.0.1, and the CLI on the same store.
 */
describe.each(RUNTIMES)("causeway serve on $name", (runtime) => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: ServerOn;
  let key = "";
  // The scripted stream's gate for the current test: the upstream holds its second event until it opens.
  let gate = deferred();

  const script = (request: CapturedRequest): UpstreamScript => {
    const model = (JSON.parse(request.body) as { model?: string }).model;
    if (model === "gated") return { chunks: [FIRST_EVENT, { until: gate.promise, data: REST_EVENTS }] };
    if (model === "stall") return { chunks: [FIRST_EVENT], end: "stall" };
    return { body: BLOCKING_BODY };
  };

  /** A Messages call; `credential` replaces the user's key header (none, another key, another style). */
  const messages = (
    body: unknown,
    credential: Record<string, string> = { "x-api-key": key },
    path = "/anthropic/v1/messages",
  ) =>
    fetch(`${server.url}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", "anthropic-version": "2023-06-01", ...credential },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
  const ask = (model: string, stream = false) => ({
    model,
    max_tokens: 16,
    stream,
    messages: [{ role: "user", content: `hi ${model}` }],
  });
  const auditRow = async (id: string | null) => (await server.interceptions()).find((row) => row.id === id);

  beforeAll(async () => {
    upstream = await startUpstream(script);
    server = await serveOn(runtime, {
      env: {
        ANTHROPIC_API_KEY: ENTERPRISE_KEY,
        CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url,
      },
      config: [
        `limits: { max_body_bytes: ${MAX_BODY} }`,
        "providers:",
        "  - { name: anthropic, kind: anthropic }",
        `  - { name: dead, kind: anthropic, base_url: "http://127.0.0.1:${await closedPort()}", api_key: sk-dead }`,
      ].join("\n"),
    });
    key = await server.createUser(`alice-${runtime.name}`);
  });
  afterAll(async () => {
    gate.resolve();
    await server?.close();
    await upstream?.close();
  });

  it("reports the runtime it runs on", () => {
    expect(server.logs()).toContain(`"runtime":"${runtime.name}"`);
  });

  it("answers /healthz without auth, with a request id", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
    expect(response.headers.get("x-causeway-request-id")).toMatch(/^int_[0-9a-f]{32}$/);
  });

  it("answers unknown routes with 404 in the provider's error shape and never calls the upstream", async () => {
    const before = upstream.requests.length;
    const unknown = await fetch(`${server.url}/nowhere`);
    expect(unknown.status).toBe(404);
    expect(((await unknown.json()) as { error: { type: string } }).error.type).toBeTruthy();
    const noRoute = await fetch(`${server.url}/anthropic/v1/nothing`, { headers: { "x-api-key": key } });
    expect(noRoute.status).toBe(404);
    expect(await noRoute.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    expect(noRoute.headers.get("x-causeway-request-id")).toMatch(/^int_/);
    // OpenAI has no key configured, so the provider is disabled: its routes do not exist.
    const disabled = await fetch(`${server.url}/openai/v1/chat/completions`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}` },
    });
    expect(disabled.status).toBe(404);
    expect(upstream.requests.length).toBe(before);
  });

  it("refuses missing, unknown and revoked keys with the same 401, without calling the upstream", async () => {
    const revokedKey = await server.createUser(`revoked-${runtime.name}`);
    await server.cli("users", "revoke", `revoked-${runtime.name}`);
    const before = upstream.requests.length;
    const bodies: unknown[] = [];
    const credentials = [
      {},
      { "x-api-key": "cw_unknown_key_0000" },
      { "x-api-key": revokedKey },
      { authorization: `Bearer ${revokedKey}` },
    ];
    for (const credential of credentials) {
      const response = await messages(ask("blocking"), credential);
      expect(response.status).toBe(401);
      const body = (await response.json()) as { error: { type: string; message: string } };
      expect(body.error.type).toBe("authentication_error");
      bodies.push(body.error);
      expect(JSON.stringify(body)).not.toContain(revokedKey);
    }
    expect(new Set(bodies.map((b) => JSON.stringify(b))).size).toBe(1);
    expect(upstream.requests.length).toBe(before);
  });

  it("proxies a blocking call with the enterprise key and audits it under the response's request id", async () => {
    const response = await messages(ask("blocking"));
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ id: "msg_b2", content: [{ type: "text", text: "hi" }] });
    const seen = upstream.requests.at(-1)!;
    expect(seen.headers["x-api-key"]).toBe(ENTERPRISE_KEY);
    expect(seen.headers["anthropic-version"]).toBe("2023-06-01");
    const row = await auditRow(response.headers.get("x-causeway-request-id"));
    expect(row).toMatchObject({
      user: `alice-${runtime.name}`,
      model: "blocking",
      status: "completed",
      http_status: 200,
    });
    expect(row?.tokens).toMatchObject({ input: 3, output: 4 });
  });

  it("streams without buffering: the client has the first event before the upstream sends the second", async () => {
    gate = deferred();
    const response = await messages(ask("gated", true));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toContain("text/event-stream");
    const reader = response.body!.getReader();
    // The upstream is holding everything after message_start until the gate opens.
    const first = await readUntil(reader, "message_start");
    expect(first).not.toContain("content_block_start");
    gate.resolve();
    const rest = await readUntil(reader, "message_stop");
    expect(rest).toContain('"text":"hello"');
    const row = await auditRow(response.headers.get("x-causeway-request-id"));
    expect(row).toMatchObject({ model: "gated", streaming: true, status: "completed" });
    expect(row?.tokens).toMatchObject({ input: 11, output: 7 });
  });

  it("passes a client abort mid-stream to the upstream within 1 s and audits client_cancelled", async () => {
    const response = await messages(ask("stall", true));
    const id = response.headers.get("x-causeway-request-id");
    const reader = response.body!.getReader();
    await readUntil(reader, "message_start");
    const abortedBefore = upstream.aborted.length;
    const at = Date.now();
    // Cancelling the body makes the client (undici) drop the connection: a real disconnect.
    await reader.cancel();
    while (upstream.aborted.length === abortedBefore && Date.now() - at < 1_000)
      await new Promise((r) => setTimeout(r, 20));
    expect(upstream.aborted.length, "the upstream saw the abort within 1 s").toBe(abortedBefore + 1);
    const row = await auditRow(id);
    expect(row).toMatchObject({ model: "stall", status: "client_cancelled" });
  });

  it("refuses a body over the configured limit with 413, declared or chunked, without calling the upstream", async () => {
    const before = upstream.requests.length;
    const big = JSON.stringify({ ...ask("big"), padding: "x".repeat(MAX_BODY) });
    const declared = await messages(big);
    expect(declared.status).toBe(413);
    expect(await declared.json()).toMatchObject({ type: "error", error: { type: "request_too_large" } });
    const bytes = new TextEncoder().encode(big);
    const chunked = await fetch(`${server.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < bytes.length; i += 1024) controller.enqueue(bytes.slice(i, i + 1024));
          controller.close();
        },
      }),
      duplex: "half",
    } as RequestInit);
    expect(chunked.status).toBe(413);
    const fits = await messages(JSON.stringify({ ...ask("blocking"), padding: "x".repeat(MAX_BODY - 200) }));
    expect(fits.status).toBe(200);
    expect(upstream.requests.length).toBe(before + 1);
  });

  it("answers malformed JSON with 400 in the provider's shape, without calling the upstream", async () => {
    const before = upstream.requests.length;
    const response = await messages('{"model": "x", "messages": [');
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: "error", error: { type: "invalid_request_error" } });
    expect(response.headers.get("x-causeway-request-id")).toMatch(/^int_/);
    expect(upstream.requests.length).toBe(before);
  });

  it("answers 502 when the upstream is unreachable, and audits the failure", async () => {
    const response = await messages(ask("blocking"), { "x-api-key": key }, "/dead/v1/messages");
    expect(response.status).toBe(502);
    const body = JSON.stringify(await response.json());
    expect(body).toContain('"type":"error"');
    expect(body).not.toContain("sk-dead");
    const row = await auditRow(response.headers.get("x-causeway-request-id"));
    expect(row).toMatchObject({ provider: "dead", http_status: 502 });
    expect(["upstream_error", "failed"]).toContain(row?.status);
  });

  it("shuts down cleanly on SIGTERM with exit code 0", async () => {
    const response = await messages(ask("last-before-shutdown"));
    expect(response.status).toBe(200);
    expect(await server.stop("SIGTERM")).toBe(0);
    expect(server.logs()).toContain('"message":"stopped"');
  });
});
