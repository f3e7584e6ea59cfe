import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { blockingMessage, modelsList, textStreamChunks } from "../helpers/anthropic-wire.ts";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { type CapturedRequest, startUpstream, type UpstreamScript } from "../helpers/upstream-server.ts";

/**
 * What reaches the upstream through the real server: the client's credential replaced by the
 * enterprise key, the query string and version/beta headers as sent, the body byte for byte,
 * passthrough routes with their responses' credential/cookie headers filtered out, and none of
 * the provider variables that happen to be set in the bridge's own environment (SEC-02).
 */

const ENTERPRISE_KEY = "sk-ant-enterprise-forwarding";
const OPENAI_ENTERPRISE_KEY = "sk-openai-enterprise-forwarding";
/** Set in the bridge's environment; none of them may reach an upstream. */
const STRAY_ENV: Record<string, string> = {
  ANTHROPIC_AUTH_TOKEN: "stray-anthropic-auth-token-0c1d",
  ANTHROPIC_BASE_URL: "http://127.0.0.1:9/stray-anthropic-base-url",
  ANTHROPIC_BETA: "stray-anthropic-beta-5e6f",
  ANTHROPIC_CUSTOM_HEADERS: "x-stray: stray-custom-header-7a8b",
  OPENAI_ORG_ID: "org-stray-openai-org-2b3c",
  OPENAI_ORGANIZATION: "org-stray-openai-organization-4d5e",
  OPENAI_PROJECT: "proj_stray-openai-project-6f7a",
  OPENAI_BASE_URL: "http://127.0.0.1:9/stray-openai-base-url",
};

const LEAKY_HEADERS = {
  "set-cookie": "session=upstream-cookie-9f8e; Path=/; HttpOnly",
  "x-api-key": "upstream-echoed-credential-1a2b",
  "request-id": "req_upstream_passthrough",
  "anthropic-organization-id": "org-upstream-visible",
};

/** A client body with everything a re-serialisation would change. */
const RAW_BODY = `{
  "max_tokens" : 32,   "model":"claude-raw",
  "messages": [ {"role":"user","content":[{"type":"text","text":"caf\\u00e9 \\ud83d\\ude00 \\"quoted\\"","cache_control":{"type":"ephemeral"}}]},
                {"role":"system","content":"mid-conversation system"} ],
  "temperature": 1.0, "top_k": 1e1, "metadata": {"user_id": "{\\"session_id\\":\\"abc\\"}"},
  "future_field": {"nested": [1, 2.50, -0.0, 12345678901234567890]},
  "thinking": {"type": "adaptive"}
}
`;

function answer(request: CapturedRequest): UpstreamScript {
  const path = request.url.split("?")[0]!.replace(/^\/openai-upstream/, "");
  if (path === "/v1/models") return { body: modelsList(["claude-a", "claude-b"]), headers: LEAKY_HEADERS };
  if (path.startsWith("/v1/models/"))
    return {
      body: JSON.stringify({ type: "model", id: path.slice("/v1/models/".length), display_name: "X" }),
      headers: LEAKY_HEADERS,
    };
  if (path === "/v1/messages/count_tokens") return { body: '{"input_tokens":42}', headers: LEAKY_HEADERS };
  if (path === "/v1/messages") {
    const body = JSON.parse(request.body) as { model: string; stream?: boolean };
    if (body.stream)
      return {
        chunks: textStreamChunks({
          model: body.model,
          parts: ["ok"],
          usage: { input_tokens: 1, output_tokens: 1 },
        }),
        headers: LEAKY_HEADERS,
      };
    return {
      body: JSON.stringify(
        blockingMessage({ model: body.model, usage: { input_tokens: 1, output_tokens: 1 } }),
      ),
      headers: LEAKY_HEADERS,
    };
  }
  return { status: 404, body: '{"error":{"message":"no such route"}}' };
}

describe("forwarding through the real server", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: RunningServer;
  let userKey: string;

  beforeAll(async () => {
    upstream = await startUpstream(answer);
    server = await startServer({
      env: {
        ...STRAY_ENV,
        ANTHROPIC_API_KEY: ENTERPRISE_KEY,
        CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url,
        OPENAI_API_KEY: OPENAI_ENTERPRISE_KEY,
        CAUSEWAY_OPENAI_BASE_URL: `${upstream.url}/openai-upstream`,
      },
    });
    userKey = await server.createUser("forwarder");
  });
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
  });

  const send = (path: string, init: RequestInit & { headers?: Record<string, string> }) =>
    fetch(`${server.url}${path}`, init);

  /** The requests the upstream got while `action` ran. */
  async function captured(
    action: () => Promise<Response>,
  ): Promise<{ response: Response; requests: CapturedRequest[] }> {
    const before = upstream.requests.length;
    const response = await action();
    await response.arrayBuffer().catch(() => undefined);
    return { response, requests: upstream.requests.slice(before) };
  }

  it("a key in x-api-key or Authorization: Bearer is replaced by the enterprise key", async () => {
    const styles: Record<string, string>[] = [
      { "x-api-key": userKey },
      { authorization: `Bearer ${userKey}` },
      { "x-api-key": userKey, authorization: "Bearer second-client-secret" },
    ];
    for (const credential of styles) {
      const { response, requests } = await captured(() =>
        send("/anthropic/v1/messages", {
          method: "POST",
          headers: { ...credential, "content-type": "application/json" },
          body: JSON.stringify({
            model: "claude-key",
            max_tokens: 5,
            messages: [{ role: "user", content: "hi" }],
          }),
        }),
      );
      expect(response.status).toBe(200);
      expect(requests).toHaveLength(1);
      const sent = requests[0]!;
      expect(sent.headers["x-api-key"]).toBe(ENTERPRISE_KEY);
      expect(sent.headers.authorization).toBeUndefined();
      expect(JSON.stringify(sent.headers)).not.toContain(userKey);
      expect(JSON.stringify(sent.headers)).not.toContain("second-client-secret");
    }
  });

  it("the query string, anthropic-version, anthropic-beta and other end-to-end headers are forwarded as sent", async () => {
    for (const stream of [false, true]) {
      const { response, requests } = await captured(() =>
        send("/anthropic/v1/messages?beta=true", {
          method: "POST",
          headers: {
            authorization: `Bearer ${userKey}`,
            "content-type": "application/json",
            "anthropic-version": "2026-10-21",
            "anthropic-beta": "interleaved-thinking-2025-05-14,context-management-2025-06-27",
            "x-claude-code-session-id": "3f9c0d4e-1111-2222-3333-444455556666",
            "x-stainless-retry-count": "0",
            "x-app": "cli",
          },
          body: JSON.stringify({
            model: "claude-headers",
            max_tokens: 5,
            stream,
            messages: [{ role: "user", content: "hi" }],
          }),
        }),
      );
      expect(response.status).toBe(200);
      const sent = requests[0]!;
      expect(sent.url).toBe("/v1/messages?beta=true");
      expect(sent.headers).toMatchObject({
        "anthropic-version": "2026-10-21",
        "anthropic-beta": "interleaved-thinking-2025-05-14,context-management-2025-06-27",
        "x-claude-code-session-id": "3f9c0d4e-1111-2222-3333-444455556666",
        "x-stainless-retry-count": "0",
        "x-app": "cli",
        "content-type": "application/json",
      });
    }
  });

  it("the body reaches the upstream byte for byte, blocking and streaming", async () => {
    for (const body of [
      RAW_BODY,
      RAW_BODY.replace('"max_tokens" : 32,', '"max_tokens" : 32, "stream":true,'),
    ]) {
      const { response, requests } = await captured(() =>
        send("/anthropic/v1/messages", {
          method: "POST",
          headers: { "x-api-key": userKey, "content-type": "application/json" },
          body,
        }),
      );
      expect(response.status).toBe(200);
      expect(requests[0]?.body).toBe(body);
    }
  });

  it("response headers of intercepted calls never carry upstream credentials or cookies", async () => {
    for (const stream of [false, true]) {
      const response = await send("/anthropic/v1/messages", {
        method: "POST",
        headers: { "x-api-key": userKey, "content-type": "application/json" },
        body: JSON.stringify({
          model: "claude-resp",
          max_tokens: 5,
          stream,
          messages: [{ role: "user", content: "hi" }],
        }),
      });
      await response.arrayBuffer();
      expect(response.headers.get("set-cookie")).toBeNull();
      expect(response.headers.get("x-api-key")).toBeNull();
      expect(response.headers.get("request-id")).toBe("req_upstream_passthrough");
      expect(response.headers.get("x-causeway-request-id")).toMatch(/^int_/);
    }
  });

  describe("passthrough routes", () => {
    const cases: {
      name: string;
      method: string;
      path: string;
      upstreamUrl: string;
      body?: string;
      expected: string;
    }[] = [
      {
        name: "GET /v1/models with its query",
        method: "GET",
        path: "/anthropic/v1/models?limit=2&after_id=claude-0",
        upstreamUrl: "/v1/models?limit=2&after_id=claude-0",
        expected: modelsList(["claude-a", "claude-b"]),
      },
      {
        name: "GET /v1/models/{id}",
        method: "GET",
        path: "/anthropic/v1/models/claude-sonnet-x",
        upstreamUrl: "/v1/models/claude-sonnet-x",
        expected: '{"type":"model","id":"claude-sonnet-x","display_name":"X"}',
      },
      {
        name: "POST /v1/messages/count_tokens?beta=true",
        method: "POST",
        path: "/anthropic/v1/messages/count_tokens?beta=true",
        upstreamUrl: "/v1/messages/count_tokens?beta=true",
        body: '{ "model":"claude-count",  "messages":[{"role":"user","content":"hi"}], "x_unknown": true }',
        expected: '{"input_tokens":42}',
      },
    ];
    for (const c of cases) {
      it(`${c.name}: enterprise key in, credentials and cookies out`, async () => {
        const { requests } = await captured(async () => {
          const response = await send(c.path, {
            method: c.method,
            headers: {
              authorization: `Bearer ${userKey}`,
              "anthropic-version": "2023-06-01",
              "anthropic-beta": "token-counting-2024-11-01",
              "content-type": "application/json",
            },
            ...(c.body ? { body: c.body } : {}),
          });
          expect(response.status).toBe(200);
          expect(await response.clone().text()).toBe(c.expected);
          expect(response.headers.get("set-cookie")).toBeNull();
          expect(response.headers.get("x-api-key")).toBeNull();
          expect(response.headers.get("request-id")).toBe("req_upstream_passthrough");
          expect(response.headers.get("anthropic-organization-id")).toBe("org-upstream-visible");
          expect(response.headers.get("content-type")).toContain("application/json");
          return response;
        });
        expect(requests).toHaveLength(1);
        const sent = requests[0]!;
        expect(sent.method).toBe(c.method);
        expect(sent.url).toBe(c.upstreamUrl);
        expect(sent.headers["x-api-key"]).toBe(ENTERPRISE_KEY);
        expect(sent.headers.authorization).toBeUndefined();
        expect(sent.headers["anthropic-version"]).toBe("2023-06-01");
        expect(sent.headers["anthropic-beta"]).toBe("token-counting-2024-11-01");
        if (c.body) expect(sent.body).toBe(c.body);
      });
    }

    it("require a valid key: 401 in Anthropic's shape and the upstream untouched", async () => {
      const { response, requests } = await captured(() =>
        send("/anthropic/v1/models", { method: "GET", headers: { "x-api-key": "cw_unknown" } }),
      );
      expect(response.status).toBe(401);
      expect(requests).toHaveLength(0);
      const anonymous = await send("/anthropic/v1/messages/count_tokens", { method: "POST", body: "{}" });
      expect(anonymous.status).toBe(401);
      expect(await anonymous.json()).toMatchObject({
        type: "error",
        error: { type: "authentication_error" },
      });
    });

    it("are not audited as interceptions", async () => {
      const rows = await server.interceptions("--limit", "1000");
      expect(rows.every((row) => row.api === "anthropic.messages")).toBe(true);
      expect(rows.some((row) => row.model === "claude-count")).toBe(false);
    });
  });

  it("OpenAI passthrough gets the OpenAI enterprise key as Bearer, and no stray organisation or project", async () => {
    const { response, requests } = await captured(() =>
      send("/openai/v1/models", { method: "GET", headers: { authorization: `Bearer ${userKey}` } }),
    );
    expect(response.status).toBe(200);
    const sent = requests[0]!;
    expect(sent.url).toBe("/openai-upstream/v1/models");
    expect(sent.headers.authorization).toBe(`Bearer ${OPENAI_ENTERPRISE_KEY}`);
    expect(sent.headers["openai-organization"]).toBeUndefined();
    expect(sent.headers["openai-project"]).toBeUndefined();
  });

  it("SEC-02: provider variables in the bridge's environment never reach any upstream request", () => {
    expect(upstream.requests.length).toBeGreaterThan(10);
    const everything = upstream.requests
      .map((r) => `${r.method} ${r.url}\n${JSON.stringify(r.headers)}\n${r.body}`)
      .join("\n");
    for (const [name, value] of Object.entries(STRAY_ENV)) expect(everything, name).not.toContain(value);
    expect(everything).not.toContain("x-stray");
    expect(everything).not.toContain(userKey);
    // Only the configured keys went out.
    for (const request of upstream.requests) {
      const key = request.headers["x-api-key"] ?? request.headers.authorization;
      expect([ENTERPRISE_KEY, `Bearer ${OPENAI_ENTERPRISE_KEY}`]).toContain(key);
    }
  });
});
