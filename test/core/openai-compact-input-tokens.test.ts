import { describe, expect, it } from "vitest";
import { REQUEST_ID_HEADER } from "../../core/http/headers.ts";
import { bridgeHarness, ENTERPRISE_OPENAI_KEY, USER_KEY } from "../helpers/bridge-harness.ts";
import { onlyTerminal, tokensOf } from "./support/audit.ts";

const CODEX_HEADERS = {
  "user-agent": "codex_exec/0.171.0 (Debian 12.0.0; x86_64) dumb (codex_exec; 0.171.0)",
  originator: "codex_exec",
  "session-id": "01a2208d-7aca-79d3-9c15-f039bb89f798",
};

/** Codex's remote compaction body (codex-api `CompactionInput`), as raw text the upstream must get. */
const COMPACT_BODY =
  '{"model":"gpt-5.1-codex","input":[' +
  '{"type":"message","role":"developer","content":[{"type":"input_text","text":"<permissions/>"}]},' +
  '{"type":"message","role":"user","content":[{"type":"input_text","text":"fix the failing test"}]},' +
  '{"type":"reasoning","id":"rs_1","summary":[],"encrypted_content":"gAAAAB-opaque=="},' +
  '{"type":"function_call_output","call_id":"call_1","output":"1 failed"}],' +
  '"instructions":"You are Codex...","tools":[],"parallel_tool_calls":false,' +
  '"reasoning":{"effort":"medium","summary":"auto"},"prompt_cache_key":"019a-session"}';

/** OpenAI's documented compacted response. */
const COMPACTED = JSON.stringify({
  id: "resp_001",
  object: "response.compaction",
  created_at: 1764967971,
  output: [
    {
      id: "msg_000",
      type: "message",
      status: "completed",
      role: "user",
      content: [{ type: "input_text", text: "fix the failing test" }],
    },
    { id: "cmp_001", type: "compaction", encrypted_content: "gAAAAABpM0Yj-...=" },
  ],
  usage: {
    input_tokens: 139,
    input_tokens_details: { cached_tokens: 0 },
    output_tokens: 438,
    output_tokens_details: { reasoning_tokens: 64 },
    total_tokens: 577,
  },
});

const COUNT_BODY = '{"model":"gpt-5","input":"Tell me a joke.","instructions":"be brief"}';
const COUNTED = '{"object":"response.input_tokens","input_tokens":11}';

const json = (body: string, status = 200, headers: Record<string, string> = {}): Response =>
  new Response(body, { status, headers: { "content-type": "application/json", ...headers } });

function post(path: string, body: string, headers: Record<string, string> = CODEX_HEADERS): Request {
  return new Request(`http://bridge.test/openai${path}`, {
    method: "POST",
    headers: { authorization: `Bearer ${USER_KEY}`, "content-type": "application/json", ...headers },
    body,
  });
}

describe("POST /openai/v1/responses/compact (intercepted, audited)", () => {
  it("reaches the upstream with the enterprise key and the body as sent; records usage, one completed end", async () => {
    const h = bridgeHarness(async () => json(COMPACTED, 200, { "x-codex-turn-state": "ts_1" }));
    const response = await h.bridge.handle(post("/v1/responses/compact", COMPACT_BODY));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(COMPACTED);
    expect(response.headers.get("x-codex-turn-state")).toBe("ts_1");

    expect(h.seen).toHaveLength(1);
    const sent = h.seen[0]!;
    expect(sent.method).toBe("POST");
    expect(sent.url).toBe("http://upstream.test/v1/responses/compact");
    expect(sent.headers.get("authorization")).toBe(`Bearer ${ENTERPRISE_OPENAI_KEY}`);
    expect(await sent.text()).toBe(COMPACT_BODY);

    const end = onlyTerminal(h.recorder);
    expect(end).toMatchObject({ status: "completed", httpStatus: 200 });
    expect(response.headers.get(REQUEST_ID_HEADER)).toBe(end.interceptionId);
    const entries = h.recorder.of(end.interceptionId);
    expect(entries[0]).toMatchObject({
      kind: "interception-start",
      provider: "openai",
      api: "openai.responses.compact",
      model: "gpt-5.1-codex",
      streaming: false,
      client: "codex",
      sessionId: "01a2208d-7aca-79d3-9c15-f039bb89f798",
    });
    expect(entries.filter((e) => e.kind === "token-usage")).toHaveLength(1);
    expect(tokensOf(h.recorder, end.interceptionId)).toEqual({
      input: 139,
      output: 438,
      cacheRead: 0,
      cacheWrite: 0,
      reasoning: 64,
    });
    expect(entries.filter((e) => e.kind === "prompt")).toMatchObject([{ text: "fix the failing test" }]);
  });
});

describe("POST /openai/v1/responses/input_tokens (intercepted, audited)", () => {
  it("reaches the upstream with the enterprise key; audited with no token usage", async () => {
    const h = bridgeHarness(async () => json(COUNTED));
    const response = await h.bridge.handle(
      post("/v1/responses/input_tokens", COUNT_BODY, { "user-agent": "OpenAI/JS 7.59.0" }),
    );
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ object: "response.input_tokens", input_tokens: 11 });

    expect(h.seen).toHaveLength(1);
    expect(h.seen[0]!.url).toBe("http://upstream.test/v1/responses/input_tokens");
    expect(h.seen[0]!.headers.get("authorization")).toBe(`Bearer ${ENTERPRISE_OPENAI_KEY}`);
    expect(await h.seen[0]!.text()).toBe(COUNT_BODY);

    const end = onlyTerminal(h.recorder);
    expect(end).toMatchObject({ status: "completed", httpStatus: 200 });
    const entries = h.recorder.of(end.interceptionId);
    expect(entries[0]).toMatchObject({
      kind: "interception-start",
      api: "openai.responses.input_tokens",
      model: "gpt-5",
      streaming: false,
      client: "openai-sdk",
    });
    expect(entries.filter((e) => e.kind === "token-usage")).toEqual([]);
    expect(entries.filter((e) => e.kind === "prompt")).toMatchObject([{ text: "Tell me a joke." }]);
  });
});

const ROUTES = [
  { path: "/v1/responses/compact", body: COMPACT_BODY, api: "openai.responses.compact" },
  { path: "/v1/responses/input_tokens", body: COUNT_BODY, api: "openai.responses.input_tokens" },
] as const;

describe.each(ROUTES)("$path errors", ({ path, body, api }) => {
  it("relays an upstream 4xx in OpenAI's shape, with its headers, audited upstream_error", async () => {
    const error = JSON.stringify({
      error: {
        message: "The model `gpt-nope` does not exist.",
        type: "invalid_request_error",
        param: "model",
        code: "model_not_found",
      },
    });
    const h = bridgeHarness(async () => json(error, 404, { "x-request-id": "req_up_1" }));
    const response = await h.bridge.handle(post(path, body));
    expect(response.status).toBe(404);
    expect(await response.text()).toBe(error);
    expect(response.headers.get("x-request-id")).toBe("req_up_1");
    expect(h.seen).toHaveLength(1);
    const end = onlyTerminal(h.recorder);
    expect(end).toMatchObject({ status: "upstream_error", httpStatus: 404 });
    expect(h.recorder.of(end.interceptionId)[0]).toMatchObject({ api });
    expect(h.recorder.of(end.interceptionId).filter((e) => e.kind === "token-usage")).toEqual([]);
  });

  it("answers a malformed body 400 in OpenAI's shape without calling the upstream, audited rejected", async () => {
    const h = bridgeHarness(async () => json("{}"));
    const response = await h.bridge.handle(post(path, '{"model":7}'));
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: { type: "invalid_request_error" } });
    expect(h.seen).toHaveLength(0);
    expect(onlyTerminal(h.recorder)).toMatchObject({ status: "rejected", httpStatus: 400 });
  });

  it("is 401 in OpenAI's shape without a credential; the upstream and the audit are untouched", async () => {
    const h = bridgeHarness(async () => json("{}"));
    const response = await h.bridge.handle(
      new Request(`http://bridge.test/openai${path}`, { method: "POST", body }),
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_api_key" } });
    expect(h.seen).toHaveLength(0);
    expect(h.recorder.entries).toEqual([]);
  });
});

describe("stored responses beside the new routes", () => {
  it("GET and DELETE /v1/responses/{id}[/…] still pass through with the enterprise key", async () => {
    const h = bridgeHarness(async () => json('{"id":"resp_1","object":"response"}'));
    for (const [method, path] of [
      ["GET", "/v1/responses/resp_1"],
      ["GET", "/v1/responses/resp_1/input_items?limit=5"],
      ["DELETE", "/v1/responses/resp_1"],
    ] as const) {
      const response = await h.bridge.handle(
        new Request(`http://bridge.test/openai${path}`, {
          method,
          headers: { authorization: `Bearer ${USER_KEY}` },
        }),
      );
      expect(response.status).toBe(200);
      expect(h.seen.at(-1)!.method).toBe(method);
      expect(h.seen.at(-1)!.url).toBe(`http://upstream.test${path}`);
      expect(h.seen.at(-1)!.headers.get("authorization")).toBe(`Bearer ${ENTERPRISE_OPENAI_KEY}`);
    }
    expect(h.recorder.entries).toEqual([]);
  });

  it("the operation names are not taken for response ids: GET or cancel on them is 404", async () => {
    const h = bridgeHarness(async () => json("{}"));
    for (const [method, path] of [
      ["GET", "/v1/responses/compact"],
      ["DELETE", "/v1/responses/input_tokens"],
      ["POST", "/v1/responses/compact/cancel"],
    ] as const) {
      const response = await h.bridge.handle(
        new Request(`http://bridge.test/openai${path}`, {
          method,
          headers: { authorization: `Bearer ${USER_KEY}` },
        }),
      );
      expect(response.status, `${method} ${path}`).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: "not_found" } });
    }
    expect(h.seen).toHaveLength(0);
  });
});
