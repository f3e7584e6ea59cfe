import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startUpstream } from "../helpers/upstream-server.ts";
import { postHead, rawExchange } from "./raw-http.ts";
import { RUNTIMES, type ServerOn, serveOn } from "./runtimes.ts";
import { BLOCKING_BODY } from "./sse.ts";

/** A test that applies to some runtimes only: defined where it applies, absent (not skipped) elsewhere. */
const where = (applies: boolean): typeof it => (applies ? it : ((() => {}) as unknown as typeof it));

const HEALTHZ = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";

/**
 * Issue 17 (8): HTTP/1.1 pipelining, several complete requests in one write. Node and Deno answer
 * them in order. Bun 1.4.5's Bun.serve closes the connection without a byte when a request is
 * parsed while an earlier response is still pending (oven-sh/bun#38128, not released; no
 * workaround inside Bun.serve): docs/runtimes.md, "Pipelining", and bench/repro/bun-pipelining.ts.
 */
describe.each(RUNTIMES)("pipelined requests on $name", (runtime) => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: ServerOn;
  let key = "";
  /** A complete Messages call for `model`; the fake provider echoes the model in its answer. */
  const call = (model: string, apiKey = key) => {
    const body = JSON.stringify({ model, max_tokens: 8, messages: [{ role: "user", content: "hi" }] });
    const head = postHead("/anthropic/v1/messages", {
      "x-api-key": apiKey,
      "anthropic-version": "2023-06-01",
      "content-type": "application/json",
      "content-length": String(Buffer.byteLength(body)),
    });
    return head + body;
  };

  beforeAll(async () => {
    upstream = await startUpstream((request) => {
      const { model } = JSON.parse(request.body) as { model: string };
      return { body: BLOCKING_BODY.replace("claude-behaviour", model) };
    });
    server = await serveOn(runtime, {
      env: {
        ANTHROPIC_API_KEY: "sk-ant-pipelining",
        CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url,
      },
      config: ["providers:", "  - { name: anthropic, kind: anthropic }"].join("\n"),
    });
    key = await server.createUser(`pipe-${runtime.name}`);
  });
  afterAll(async () => {
    await server?.close();
    await upstream?.close();
  });

  it("answers pipelined requests whose answers need no I/O, in order", async () => {
    const exchange = await rawExchange(
      server.url,
      (s) => s.write(HEALTHZ + call("m", "wrong") + HEALTHZ),
      1_500,
    );
    expect(exchange.statuses).toEqual([200, 401, 200]);
  });

  where(runtime.name !== "bun")(
    "answers pipelined Messages calls in order, each upstream call once",
    async () => {
      const before = upstream.requests.length;
      const exchange = await rawExchange(
        server.url,
        (s) => s.write(call("pipe-a") + call("pipe-b") + HEALTHZ),
        2_000,
      );
      expect(exchange.statuses).toEqual([200, 200, 200]);
      expect(exchange.text.indexOf("pipe-a")).toBeLessThan(exchange.text.indexOf("pipe-b"));
      expect(upstream.requests.slice(before).map((r) => JSON.parse(r.body).model)).toEqual([
        "pipe-a",
        "pipe-b",
      ]);
    },
  );

  // Pins Bun 1.4.5's behaviour: when this fails, Bun answers pipelined requests; update the docs.
  where(runtime.name === "bun")(
    "closes at once without an answer behind a pending call, and stays up for the next connection",
    async () => {
      const before = upstream.requests.length;
      const exchange = await rawExchange(server.url, (s) => s.write(call("pipe-a") + call("pipe-b")), 2_000);
      expect(exchange.statuses).toEqual([]);
      expect(exchange.closedByServerMs).not.toBeNull();
      expect(exchange.closedByServerMs!).toBeLessThan(1_000);
      // The first call still ran (its answer was thrown away); the second never did.
      await new Promise((r) => setTimeout(r, 300));
      expect(upstream.requests.slice(before).map((r) => JSON.parse(r.body).model)).toEqual(["pipe-a"]);

      expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
      const next = await rawExchange(server.url, (s) => s.write(call("after")), 1_500);
      expect(next.statuses).toEqual([200]);
      expect(next.text).toContain("after");
    },
  );
});
