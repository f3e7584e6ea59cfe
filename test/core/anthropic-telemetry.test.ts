import { describe, expect, it } from "vitest";
import { REQUEST_ID_HEADER } from "../../core/http/headers.ts";
import { bridgeHarness, ENTERPRISE_ANTHROPIC_KEY, USER_KEY } from "../helpers/bridge-harness.ts";

/** A Claude Code telemetry batch as it posts it to `${ANTHROPIC_BASE_URL}/api/event_logging/batch`. */
const BATCH = JSON.stringify({
  events: [
    {
      event_type: "ClaudeCodeInternalEvent",
      event_data: {
        event_name: "tengu_init",
        client_timestamp: "2026-01-05T10:00:00.000Z",
        model: "claude-sonnet-4-5",
        session_id: "5f2c0e1a-0000-4000-8000-000000000001",
        device_id: "d3v1c3",
        env: { platform: "linux", arch: "x64", version: "2.1.332" },
      },
    },
  ],
});

function telemetryRequest(
  headers: Record<string, string> = { "x-api-key": USER_KEY },
  method = "POST",
): Request {
  return new Request("http://bridge.test/anthropic/api/event_logging/batch", {
    method,
    headers: {
      "content-type": "application/json",
      "user-agent": "claude-cli/2.1.332 (external, cli)",
      "x-service-name": "claude-code",
      ...headers,
    },
    ...(method === "POST" ? { body: BATCH } : {}),
  });
}

const upstreamOk = async (): Promise<Response> =>
  new Response('{"accepted":1}', { status: 200, headers: { "content-type": "application/json" } });

describe("Claude Code telemetry, default (drop)", () => {
  it("is answered 200 {} by the bridge; the upstream is never called and nothing is audited", async () => {
    const h = bridgeHarness(upstreamOk);
    const response = await h.bridge.handle(telemetryRequest());
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("application/json");
    expect(response.headers.get(REQUEST_ID_HEADER)).toBeTruthy();
    expect(await response.json()).toEqual({});
    expect(h.seen).toHaveLength(0);
    expect(h.recorder.entries).toEqual([]);
  });

  it("accepts the credential as a Bearer token too (ANTHROPIC_AUTH_TOKEN), and drops explicitly set", async () => {
    const h = bridgeHarness(upstreamOk, {}, { anthropic: { telemetry: "drop" } });
    const response = await h.bridge.handle(telemetryRequest({ authorization: `Bearer ${USER_KEY}` }));
    expect(response.status).toBe(200);
    expect(h.seen).toHaveLength(0);
  });

  it("needs a valid credential: 401 in Anthropic's shape", async () => {
    const h = bridgeHarness(upstreamOk);
    for (const headers of [{}, { "x-api-key": "cw_wrong" }]) {
      const response = await h.bridge.handle(telemetryRequest(headers));
      expect(response.status).toBe(401);
      expect(await response.json()).toMatchObject({
        type: "error",
        error: { type: "authentication_error" },
      });
    }
    expect(h.seen).toHaveLength(0);
  });

  it("is only the POST batch route of an anthropic instance", async () => {
    const h = bridgeHarness(upstreamOk);
    expect((await h.bridge.handle(telemetryRequest({ "x-api-key": USER_KEY }, "GET"))).status).toBe(404);
    const onOpenAI = await h.bridge.handle(
      new Request("http://bridge.test/openai/api/event_logging/batch", {
        method: "POST",
        headers: { authorization: `Bearer ${USER_KEY}` },
        body: BATCH,
      }),
    );
    expect(onOpenAI.status).toBe(404);
    expect(h.seen).toHaveLength(0);
  });
});

describe("Claude Code telemetry with `telemetry: forward`", () => {
  it("passes through to the upstream with the enterprise key, not audited", async () => {
    const h = bridgeHarness(upstreamOk, {}, { anthropic: { telemetry: "forward" } });
    const response = await h.bridge.handle(telemetryRequest());
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('{"accepted":1}');
    expect(h.seen).toHaveLength(1);
    const sent = h.seen[0]!;
    expect(sent.method).toBe("POST");
    expect(sent.url).toBe("http://upstream.test/api/event_logging/batch");
    expect(sent.headers.get("x-api-key")).toBe(ENTERPRISE_ANTHROPIC_KEY);
    expect(sent.headers.get("x-service-name")).toBe("claude-code");
    expect(await sent.text()).toBe(BATCH);
    expect(h.recorder.entries).toEqual([]);
  });

  it("still needs a credential: 401, the upstream untouched", async () => {
    const h = bridgeHarness(upstreamOk, {}, { anthropic: { telemetry: "forward" } });
    const response = await h.bridge.handle(telemetryRequest({}));
    expect(response.status).toBe(401);
    expect(h.seen).toHaveLength(0);
  });
});
