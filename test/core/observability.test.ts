import { describe, expect, it } from "vitest";
import { DEFAULT_RETRY } from "../../core/config.ts";
import type { MemoryAuth } from "../../core/ports/auth.ts";
import { MemoryLogger } from "../../core/ports/logger.ts";
import { MemoryObserver } from "../../core/ports/observer.ts";
import { MemoryToolProvider } from "../../core/ports/tool-provider.ts";
import { bridgeHarness, sseResponse, USER_KEY } from "../helpers/bridge-harness.ts";
import { blockingTurn, streamTurn } from "../mcp/anthropic-script.ts";
import { MESSAGE_END, MESSAGE_START, messagesRequest, TEXT_DELTA } from "./support/requests.ts";

const STREAM = MESSAGE_START + TEXT_DELTA + MESSAGE_END;
const CLIENT_TRACE = "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
const SERVER_TIMING = /^causeway;dur=\d+(\.\d+)?, upstream;dur=\d+(\.\d+)?$/;

describe("the observer sees each interception once, with its upstream calls", () => {
  it("streaming: start with the client's traceparent, one call, its usage, one end", async () => {
    const observer = new MemoryObserver();
    const h = bridgeHarness(async () => sseResponse(STREAM), {}, { observer });
    const response = await h.bridge.handle(messagesRequest({ headers: { traceparent: CLIENT_TRACE } }));
    await response.text();

    expect(interceptionEvents(observer)).toEqual([
      "interception",
      "upstream-call",
      "responded",
      "upstream-end",
      "end",
    ]);
    expect(observer.of("interception")[0]!.traceparent).toBe(CLIENT_TRACE);
    const call = observer.of("upstream-call")[0]!;
    // The bridge's own span goes upstream in place of the client's.
    expect(h.seen[0]!.headers.get("traceparent")).toBe(call.traceparent);
    expect(observer.of("responded")[0]!.status).toBe(200);
    const tokens = { input: 25, output: 9, cacheRead: 0, cacheWrite: 0, reasoning: 0 };
    expect(observer.of("upstream-end")[0]).toMatchObject({ turn: 0, tokens });
    const end = observer.of("end")[0]!;
    expect(end).toMatchObject({ status: "completed", httpStatus: 200, attempts: 1, tokens });
    expect(end.responseModel).toBe("claude-x");
    expect(end.ttfbMs).not.toBeNull();
    expect(end.id).toBe(response.headers.get("x-causeway-request-id"));
  });

  it("a retried attempt is its own call, ended as retried; the summary counts both attempts", async () => {
    const observer = new MemoryObserver();
    let n = 0;
    const h = bridgeHarness(
      async () =>
        n++ === 0
          ? new Response('{"type":"error"}', { status: 529, headers: { "retry-after": "0" } })
          : sseResponse(STREAM),
      {},
      { observer, anthropic: { retry: DEFAULT_RETRY } },
    );
    await (await h.bridge.handle(messagesRequest())).text();
    expect(observer.of("responded").map((e) => e.status)).toEqual([529, 200]);
    const ends = observer.of("upstream-end");
    expect(ends[0]).toMatchObject({ turn: 0, error: "retried" });
    expect(ends[1]).toMatchObject({ turn: 0, tokens: { input: 25, output: 9 } });
    expect(new Set(h.seen.map((r) => r.headers.get("traceparent"))).size).toBe(2);
    expect(observer.of("end")[0]).toMatchObject({ status: "completed", attempts: 2 });
  });

  it("a connection that fails ends its call with the error; the interception ends upstream-side", async () => {
    const observer = new MemoryObserver();
    const h = bridgeHarness(
      async () => {
        throw new TypeError("fetch failed");
      },
      {},
      { observer },
    );
    const response = await h.bridge.handle(messagesRequest());
    expect(response.status).toBe(502);
    expect(observer.of("responded")).toEqual([]);
    expect(observer.of("upstream-end")[0]!.error).toEqual(expect.any(String));
    expect(observer.of("end")[0]).toMatchObject({ httpStatus: 502, ttfbMs: null, attempts: 1 });
  });

  it("a request refused before the upstream ends with no call and no traceparent sent", async () => {
    const observer = new MemoryObserver();
    const h = bridgeHarness(async () => sseResponse(STREAM), {}, { observer });
    const response = await h.bridge.handle(messagesRequest({ body: "{" }));
    expect(response.status).toBe(400);
    expect(interceptionEvents(observer)).toEqual(["interception", "end"]);
    expect(observer.of("end")[0]).toMatchObject({ status: "rejected", httpStatus: 400, attempts: 0 });
  });

  it("a tool loop: one call per turn, each injected tool call, tokens summed over turns", async () => {
    const tools = new MemoryToolProvider(
      [{ server: "srv", name: "echo", description: "Echoes", inputSchema: { type: "object" } }],
      async () => ({ content: [{ type: "text", text: "hi" }], isError: false }),
    );
    const turns = [
      { calls: [{ id: "toolu_1", name: "cw__srv__echo", input: { message: "hi" } }], input: 10, output: 5 },
      { text: "done", input: 20, output: 7 },
    ];
    for (const stream of [true, false]) {
      const observer = new MemoryObserver();
      let n = 0;
      const h = bridgeHarness(
        async () => {
          const turn = turns[n++]!;
          return stream
            ? sseResponse(streamTurn(turn))
            : new Response(blockingTurn(turn), { headers: { "content-type": "application/json" } });
        },
        {},
        { observer, tools },
      );
      const body = JSON.stringify({
        model: "claude-test",
        max_tokens: 100,
        stream,
        messages: [{ role: "user", content: "say hi via echo" }],
      });
      await (await h.bridge.handle(messagesRequest({ body }))).text();
      expect(observer.of("upstream-call").map((e) => e.turn)).toEqual([0, 1]);
      expect(observer.of("upstream-end").map((e) => e.tokens?.input)).toEqual([10, 20]);
      expect(observer.of("tool-call")).toMatchObject([
        { server: "srv", name: "echo", callId: "toolu_1", error: null },
      ]);
      expect(observer.of("end")).toHaveLength(1);
      expect(observer.of("end")[0]!.tokens).toMatchObject({ input: 30, output: 12 });
    }
  });

  it("without an observer, the client's traceparent passes through untouched", async () => {
    const h = bridgeHarness(async () => sseResponse(STREAM));
    await (await h.bridge.handle(messagesRequest({ headers: { traceparent: CLIENT_TRACE } }))).text();
    expect(h.seen[0]!.headers.get("traceparent")).toBe(CLIENT_TRACE);
  });
});

describe("passthrough requests are observed once they end, under their route's template", () => {
  const get = (path: string): Request =>
    new Request(`http://bridge.test${path}`, { headers: { "x-api-key": USER_KEY } });

  it("counts the status the client got, after the body; ids never reach the route", async () => {
    const observer = new MemoryObserver();
    const h = bridgeHarness(async () => Response.json({ id: "claude-x" }), {}, { observer });
    const response = await h.bridge.handle(get("/anthropic/v1/models/claude-secret-finetune"));
    expect(observer.of("passthrough")).toEqual([]);
    await response.text();
    expect(observer.of("passthrough")).toMatchObject([
      { provider: "anthropic", route: "/v1/models/{id}", method: "GET", status: 200 },
    ]);
    await (await h.bridge.handle(get("/openai/v1/responses/resp_123/input_items"))).text();
    await (await h.bridge.handle(get("/openai/v1/models"))).text();
    expect(observer.of("passthrough").map((e) => e.route)).toEqual([
      "/v1/models/{id}",
      "/v1/responses/{id}/input_items",
      "/v1/models",
    ]);
  });

  it("an unreachable upstream is counted with the bridge's error status", async () => {
    const observer = new MemoryObserver();
    const h = bridgeHarness(
      async () => {
        throw new TypeError("fetch failed");
      },
      {},
      { observer },
    );
    const response = await h.bridge.handle(get("/anthropic/v1/models"));
    expect(observer.of("passthrough")).toMatchObject([{ route: "/v1/models", status: response.status }]);
    expect(response.status).toBe(502);
  });
});

describe("one info line per interception", () => {
  it("names who, what, how it ended and how long, never the prompt", async () => {
    const logger = new MemoryLogger();
    const h = bridgeHarness(async () => sseResponse(STREAM), {}, { logger });
    const response = await h.bridge.handle(messagesRequest());
    await response.text();
    const lines = logger.lines.filter((l) => l.message === "interception");
    expect(lines).toHaveLength(1);
    expect(lines[0]!.level).toBe("info");
    expect(lines[0]!.fields).toMatchObject({
      id: response.headers.get("x-causeway-request-id"),
      user: "alice",
      provider: "anthropic",
      api: "anthropic.messages",
      model: "claude-x",
      response_model: "claude-x",
      status: "completed",
      http_status: 200,
      duration_ms: expect.any(Number),
      ttfb_ms: expect.any(Number),
      tokens: { input: 25, output: 9, cache_read: 0, cache_write: 0, reasoning: 0 },
    });
    expect(JSON.stringify(lines[0])).not.toContain("hello");
  });
});

describe("Server-Timing and the request id on every response", () => {
  it("streaming, blocking, refused, unknown route and health each carry both", async () => {
    const h = bridgeHarness(async (request) =>
      (await request.clone().json()).stream
        ? sseResponse(STREAM)
        : Response.json({ type: "message", content: [], usage: { input_tokens: 1, output_tokens: 1 } }),
    );
    const requests = [
      messagesRequest(),
      messagesRequest({ stream: false }),
      new Request("http://bridge.test/anthropic/v1/messages", { method: "POST", body: "{}" }),
      new Request("http://bridge.test/nowhere"),
      new Request("http://bridge.test/healthz"),
    ];
    for (const request of requests) {
      const response = await h.bridge.handle(request);
      await response.text();
      expect(response.headers.get("server-timing"), request.url).toMatch(SERVER_TIMING);
      expect(response.headers.get("x-causeway-request-id"), request.url).toMatch(/^int_/);
    }
  });

  it("upstream is the wait for the upstream's headers; causeway the rest", async () => {
    let clock: { advance(ms: number): void } | null = null;
    const h = bridgeHarness(async () => {
      clock!.advance(250);
      return sseResponse(STREAM);
    });
    clock = h.clock;
    const response = await h.bridge.handle(messagesRequest());
    expect(response.headers.get("server-timing")).toBe("causeway;dur=0, upstream;dur=250");
    await response.text();
  });

  it("a blocking answer's upstream time includes reading its body", async () => {
    let clock: { advance(ms: number): void } | null = null;
    const h = bridgeHarness(async () => {
      clock!.advance(100);
      const body = new ReadableStream<Uint8Array>({
        pull(controller) {
          clock!.advance(40);
          controller.enqueue(new TextEncoder().encode('{"type":"message","content":[]}'));
          controller.close();
        },
      });
      return new Response(body, { headers: { "content-type": "application/json" } });
    });
    clock = h.clock;
    const response = await h.bridge.handle(messagesRequest({ stream: false }));
    expect(response.headers.get("server-timing")).toBe("causeway;dur=0, upstream;dur=140");
  });
});

describe("GET /metrics on the main listener", () => {
  const metrics = (key?: string): Request =>
    new Request("http://bridge.test/metrics", key ? { headers: { authorization: `Bearer ${key}` } } : {});
  const page = async (): Promise<Response> =>
    new Response("causeway_up 1\n", { headers: { "content-type": "text/plain; version=0.0.4" } });

  it("is not served when metrics have their own listener (or are off)", async () => {
    const h = bridgeHarness(async () => sseResponse(STREAM));
    expect((await h.bridge.handle(metrics(USER_KEY))).status).toBe(404);
  });

  it("needs a credential (401) of an admin (403)", async () => {
    const h = bridgeHarness(async () => sseResponse(STREAM), {}, { metricsPage: page });
    (h.auth as MemoryAuth).add("cw_admin", { userId: "u0", name: "root", roles: ["admin"] });
    expect((await h.bridge.handle(metrics())).status).toBe(401);
    expect((await h.bridge.handle(metrics(USER_KEY))).status).toBe(403);
    const response = await h.bridge.handle(metrics("cw_admin"));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe("causeway_up 1\n");
    expect(response.headers.get("server-timing")).toMatch(SERVER_TIMING);
  });
});

describe("credential checks are observed; an outage is logged once per 10 s", () => {
  const models = (key?: string): Request =>
    new Request("http://bridge.test/anthropic/v1/models", key ? { headers: { "x-api-key": key } } : {});

  it("accepted, refused and unavailable", async () => {
    const observer = new MemoryObserver();
    const h = bridgeHarness(async () => Response.json({ data: [] }), {}, { observer });
    (h.auth as MemoryAuth).add("cw_jwt_user", {
      userId: "u2",
      name: "bob",
      roles: [],
      auth: { method: "jwt", keyId: null },
    });
    await (await h.bridge.handle(models(USER_KEY))).text();
    await (await h.bridge.handle(models("cw_jwt_user"))).text();
    await (await h.bridge.handle(models())).text();
    await (await h.bridge.handle(models("cw_nobody"))).text();
    h.auth.authenticate = async () => {
      throw new Error("store down");
    };
    expect((await h.bridge.handle(models(USER_KEY))).status).toBe(503);
    expect(observer.of("authentication").map((e) => [e.outcome, e.method])).toEqual([
      ["accepted", null],
      ["accepted", "jwt"],
      ["refused", null],
      ["refused", null],
      ["unavailable", null],
    ]);
  });

  it("an identity provider outage is one error line per 10 s, then one saying how many were held back", async () => {
    const logger = new MemoryLogger();
    const h = bridgeHarness(async () => Response.json({ data: [] }), {}, { logger });
    h.auth.authenticate = async () => {
      throw new Error("idp down");
    };
    for (let i = 0; i < 5; i++) expect((await h.bridge.handle(models(USER_KEY))).status).toBe(503);
    h.clock.advance(10_000);
    await h.bridge.handle(models(USER_KEY));
    const lines = logger.lines.filter((l) => l.message === "authentication unavailable");
    expect(lines.map((l) => l.fields?.suppressed)).toEqual([undefined, 4]);
    expect(lines.every((l) => l.level === "error")).toBe(true);
  });
});

/** The event types of interceptions, without the credential checks before them. */
function interceptionEvents(observer: MemoryObserver): string[] {
  return observer.events.filter((e) => e.type !== "authentication").map((e) => e.type);
}
