import { describe, expect, it } from "vitest";
import { REQUEST_ID_HEADER } from "../../core/http/headers.ts";
import { bridgeHarness, sseResponse, USER_KEY } from "../helpers/bridge-harness.ts";
import { expectOneTerminalEach, onlyTerminal } from "./support/audit.ts";
import { messagesRequest } from "./support/requests.ts";

const never = async (): Promise<Response> => sseResponse("");

describe("malformed request bodies (INP-06)", () => {
  const cases: [string, BodyInit][] = [
    ["truncated JSON", '{"model":"claude-x","messages":[{"role":"user","content":"hi"'],
    ["not JSON at all", "model=claude-x"],
    ["invalid UTF-8", new Uint8Array([0x7b, 0x22, 0x61, 0x22, 0x3a, 0x22, 0xff, 0xfe, 0x22, 0x7d])],
    ["a JSON array", "[1,2,3]"],
    ["a JSON string", '"hello"'],
    ["an empty body", ""],
    ["no model", '{"messages":[{"role":"user","content":"hi"}]}'],
    ["messages not an array", '{"model":"claude-x","messages":"hi"}'],
  ];
  for (const [name, body] of cases) {
    it(`${name} → 400 invalid_request_error, audited as rejected, upstream untouched`, async () => {
      const h = bridgeHarness(never);
      const response = await h.bridge.handle(messagesRequest({ body }));
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(JSON.parse(text)).toMatchObject({
        type: "error",
        error: { type: "invalid_request_error", message: expect.any(String) },
      });
      expect(text).not.toMatch(/at .*\.ts:\d+|SyntaxError|stack/);
      expect(h.seen).toHaveLength(0);
      const end = onlyTerminal(h.recorder);
      expect(end).toMatchObject({ status: "rejected", httpStatus: 400 });
      expect(response.headers.get(REQUEST_ID_HEADER)).toBe(end.interceptionId);
    });
  }

  it("answers a deeply nested body quickly and without a crash", async () => {
    const h = bridgeHarness(never);
    const deep = `{"model":"claude-x","messages":[],"x":${"[".repeat(100_000)}${"]".repeat(100_000)}}`;
    const started = performance.now();
    const response = await h.bridge.handle(messagesRequest({ body: deep }));
    expect([200, 400]).toContain(response.status);
    await response.arrayBuffer();
    expect(performance.now() - started).toBeLessThan(2_000);
    expectOneTerminalEach(h.recorder, 1);
  });
});

describe("unknown routes → 404 in the provider's shape, nothing audited or forwarded", () => {
  const routes: [string, string, "anthropic" | "openai"][] = [
    ["POST", "/anthropic/v1/nope", "anthropic"],
    ["GET", "/anthropic/v1/messages", "anthropic"],
    ["POST", "/anthropic/v1/messages/", "anthropic"],
    ["POST", "/openai/v1/nope", "openai"],
    ["POST", "/nowhere/v1/messages", "openai"],
    ["GET", "/", "openai"],
  ];
  for (const [method, path, shape] of routes) {
    it(`${method} ${path}`, async () => {
      const h = bridgeHarness(never);
      const response = await h.bridge.handle(
        new Request(`http://bridge.test${path}`, {
          method,
          headers: { "x-api-key": USER_KEY, authorization: `Bearer ${USER_KEY}` },
          ...(method === "POST" ? { body: "{}" } : {}),
        }),
      );
      expect(response.status).toBe(404);
      const body = (await response.json()) as Record<string, unknown>;
      if (shape === "anthropic")
        expect(body).toMatchObject({ type: "error", error: { type: "not_found_error" } });
      else expect(body).toMatchObject({ error: { message: expect.any(String) } });
      expect(response.headers.get(REQUEST_ID_HEADER)).toBeTruthy();
      expect(h.seen).toHaveLength(0);
      expectOneTerminalEach(h.recorder, 0);
    });
  }
});
