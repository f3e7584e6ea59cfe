import { describe, expect, it } from "vitest";
import {
  bridgeHarness,
  ENTERPRISE_OPENAI_KEY,
  sseResponse,
  USER_KEY,
} from "../../../test/helpers/bridge-harness.ts";

const CODEX_HEADERS = {
  "user-agent": "codex_exec/0.171.0 (Debian 12.0.0; x86_64) dumb (codex_exec; 0.171.0)",
  originator: "codex_exec",
  "session-id": "01a2208d-7aca-79d3-9c15-f039bb89f798",
  accept: "text/event-stream",
};

const item = {
  id: "msg_1",
  type: "message",
  status: "completed",
  role: "assistant",
  content: [{ type: "output_text", text: "Hello there", annotations: [] }],
};
const usage = {
  input_tokens: 1200,
  input_tokens_details: { cached_tokens: 1000 },
  output_tokens: 40,
  output_tokens_details: { reasoning_tokens: 16 },
  total_tokens: 1240,
};
const STREAM = [
  'event: response.created\ndata: {"type":"response.created","sequence_number":0,"response":{"id":"resp_1","object":"response","status":"in_progress","output":[],"usage":null}}\n\n',
  'event: response.output_item.added\ndata: {"type":"response.output_item.added","sequence_number":1,"output_index":0,"item":{"id":"msg_1","type":"message","status":"in_progress","role":"assistant","content":[]}}\n\n',
  'event: response.output_text.delta\ndata: {"type":"response.output_text.delta","sequence_number":2,"item_id":"msg_1","output_index":0,"content_index":0,"delta":"Hello there"}\n\n',
  `event: response.output_item.done\ndata: ${JSON.stringify({ type: "response.output_item.done", sequence_number: 3, output_index: 0, item })}\n\n`,
  `event: response.completed\ndata: ${JSON.stringify({ type: "response.completed", sequence_number: 4, response: { id: "resp_1", object: "response", status: "completed", output: [item], usage } })}\n\n`,
].join("");

/** A Codex-shaped body: every field must reach the upstream byte for byte. */
const CODEX_BODY =
  '{"model":"gpt-mock","stream":true,"store":false,"previous_response_id":null,"include":["reasoning.encrypted_content"],' +
  '"input":[{"type":"message","role":"developer","content":[{"type":"input_text","text":"be brief"}]},' +
  '{"type":"message","role":"user","content":[{"type":"input_text","text":"<environment_context/>"}]},' +
  '{"type":"reasoning","id":"rs_0","summary":[],"encrypted_content":"gAAAAB-opaque=="},' +
  '{"type":"message","role":"user","content":[{"type":"input_text","text":"hello"}]},' +
  '{"type":"function_call_output","call_id":"call_0","output":"ok"}],' +
  '"tools":[{"type":"function","name":"exec_command","parameters":{"type":"object"}},{"type":"namespace","name":"multi_agent_v1","tools":[]},{"type":"web_search"},{"type":"custom","name":"apply_patch","format":{"type":"grammar","syntax":"lark","definition":"start: /.+/"}}],' +
  '"reasoning":{"effort":1.0e0,"summary":"auto"}}';

function responsesRequest(
  body: string,
  headers: Record<string, string> = CODEX_HEADERS,
  path = "/v1/responses",
  method = "POST",
): Request {
  return new Request(`http://bridge.test/openai${path}`, {
    method,
    headers: { authorization: `Bearer ${USER_KEY}`, "content-type": "application/json", ...headers },
    ...(method === "POST" ? { body } : {}),
  });
}

async function audit(h: ReturnType<typeof bridgeHarness>) {
  await h.recorder.flush();
  const of = <K extends string>(kind: K) => h.recorder.entries.filter((e) => e.kind === kind);
  return {
    start: of("interception-start")[0],
    end: of("interception-end")[0],
    usage: of("token-usage")[0],
    prompts: of("prompt"),
    tools: of("tool-usage"),
  };
}

describe("openai responses through the bridge", () => {
  it("relays a Codex stream byte for byte, forwards the body verbatim and audits client, session, usage, prompt", async () => {
    const h = bridgeHarness(async () => sseResponse(STREAM));
    const response = await h.bridge.handle(responsesRequest(CODEX_BODY));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("text/event-stream");
    expect(await response.text()).toBe(STREAM);
    const sent = h.seen[0]!;
    expect(await sent.text()).toBe(CODEX_BODY);
    expect(sent.headers.get("authorization")).toBe(`Bearer ${ENTERPRISE_OPENAI_KEY}`);
    expect(sent.headers.get("originator")).toBe("codex_exec");
    expect(sent.headers.get("session-id")).toBe(CODEX_HEADERS["session-id"]);
    const { start, end, usage: tokens, prompts } = await audit(h);
    expect(start).toMatchObject({
      api: "openai.responses",
      client: "codex",
      sessionId: CODEX_HEADERS["session-id"],
      model: "gpt-mock",
      streaming: true,
    });
    expect(end).toMatchObject({ status: "completed", httpStatus: 200 });
    expect(tokens).toMatchObject({
      tokens: { input: 200, cacheRead: 1000, cacheWrite: 0, output: 40, reasoning: 16 },
    });
    expect(prompts).toMatchObject([{ text: "hello" }]);
  });

  it("accepts Codex's older session_id header", async () => {
    const h = bridgeHarness(async () => sseResponse(STREAM));
    await (
      await h.bridge.handle(
        responsesRequest(CODEX_BODY, { "user-agent": "codex_cli_rs/0.40.0", session_id: "s-old" }),
      )
    ).text();
    expect((await audit(h)).start).toMatchObject({ client: "codex", sessionId: "s-old" });
  });

  it("handles a blocking call with string input from the SDK", async () => {
    const body = JSON.stringify({
      id: "resp_2",
      object: "response",
      status: "completed",
      output: [item],
      usage,
    });
    const h = bridgeHarness(
      async () => new Response(body, { headers: { "content-type": "application/json" } }),
    );
    const sent = '{"model":"gpt-x","input":"hi there","conversation":{"id":"conv_1"},"metadata":{"k":"v"}}';
    const response = await h.bridge.handle(responsesRequest(sent, { "user-agent": "OpenAI/JS 7.59.0" }));
    expect(await response.text()).toBe(body);
    expect(await h.seen[0]!.text()).toBe(sent);
    const { start, end, usage: tokens, prompts } = await audit(h);
    expect(start).toMatchObject({ client: "openai-sdk", sessionId: null, streaming: false });
    expect(end).toMatchObject({ status: "completed" });
    expect(tokens).toMatchObject({ tokens: { input: 200, output: 40 } });
    expect(prompts).toMatchObject([{ text: "hi there" }]);
  });

  it("records a stream that ends without response.completed as failed", async () => {
    const h = bridgeHarness(async () =>
      sseResponse(STREAM.slice(0, STREAM.indexOf("event: response.completed"))),
    );
    await (await h.bridge.handle(responsesRequest(CODEX_BODY))).text();
    expect((await audit(h)).end).toMatchObject({
      status: "failed",
      detail: "the upstream stream ended before its end marker",
    });
  });

  it("relays response.failed and records upstream_error with the usage it carried", async () => {
    const failed = `event: response.failed\ndata: ${JSON.stringify({ type: "response.failed", sequence_number: 1, response: { id: "resp_1", status: "failed", output: [], usage, error: { code: "server_error", message: "The model failed" } } })}\n\n`;
    const h = bridgeHarness(async () =>
      sseResponse(STREAM.split("event: response.output_item.added")[0] + failed),
    );
    const text = await (await h.bridge.handle(responsesRequest(CODEX_BODY))).text();
    expect(text.endsWith(failed)).toBe(true);
    const { end, usage: tokens } = await audit(h);
    expect(end).toMatchObject({ status: "upstream_error", detail: "server_error: The model failed" });
    expect(tokens).toMatchObject({ tokens: { input: 200, output: 40 } });
  });

  it("records a failed blocking response (200 with status failed) as upstream_error", async () => {
    const body = JSON.stringify({
      id: "resp_3",
      object: "response",
      status: "failed",
      output: [],
      usage: null,
      error: { code: "server_error", message: "x" },
    });
    const h = bridgeHarness(
      async () => new Response(body, { headers: { "content-type": "application/json" } }),
    );
    await (await h.bridge.handle(responsesRequest('{"model":"gpt-x","input":"hi"}', {}))).text();
    expect((await audit(h)).end).toMatchObject({ status: "upstream_error", detail: "server_error: x" });
  });

  it("passes background responses through; retrieving, cancelling and deleting them are passthrough routes", async () => {
    const queued = JSON.stringify({
      id: "resp_bg",
      object: "response",
      status: "queued",
      background: true,
      output: [],
      usage: null,
    });
    const h = bridgeHarness(
      async () => new Response(queued, { headers: { "content-type": "application/json" } }),
    );
    const create = await h.bridge.handle(
      responsesRequest('{"model":"gpt-x","input":"long job","background":true}', {}),
    );
    expect(await create.text()).toBe(queued);
    expect(await h.seen[0]!.text()).toBe('{"model":"gpt-x","input":"long job","background":true}');
    const { end, usage: tokens } = await audit(h);
    expect(end).toMatchObject({ status: "completed", httpStatus: 200 });
    expect(tokens).toBeUndefined();
    for (const [method, path] of [
      ["GET", "/v1/responses/resp_bg"],
      ["GET", "/v1/responses/resp_bg/input_items"],
      ["POST", "/v1/responses/resp_bg/cancel"],
      ["DELETE", "/v1/responses/resp_bg"],
    ] as const) {
      const response = await h.bridge.handle(responsesRequest("", {}, path, method));
      expect(response.status, `${method} ${path}`).toBe(200);
      expect(h.seen.at(-1)!.url).toBe(`http://upstream.test${path}`);
      expect(h.seen.at(-1)!.headers.get("authorization")).toBe(`Bearer ${ENTERPRISE_OPENAI_KEY}`);
    }
    // Only the create call is an interception.
    expect(h.recorder.entries.filter((e) => e.kind === "interception-start")).toHaveLength(1);
    expect(
      (await h.bridge.handle(responsesRequest("", {}, "/v1/responses/resp_bg/other", "POST"))).status,
    ).toBe(404);
  });

  it("relays a 400 before the stream unchanged and records upstream_error", async () => {
    const error =
      '{"error":{"message":"Unsupported parameter","type":"invalid_request_error","param":"temperature","code":"unsupported_parameter"}}';
    const h = bridgeHarness(
      async () => new Response(error, { status: 400, headers: { "content-type": "application/json" } }),
    );
    const response = await h.bridge.handle(responsesRequest(CODEX_BODY));
    expect(response.status).toBe(400);
    expect(await response.text()).toBe(error);
    expect((await audit(h)).end).toMatchObject({ status: "upstream_error", httpStatus: 400 });
  });

  it("sends an SSE comment as keep-alive while the upstream is silent", async () => {
    let push = (_text: string): void => {};
    const body = new ReadableStream<Uint8Array>({
      start(controller) {
        push = (text) => (text ? controller.enqueue(new TextEncoder().encode(text)) : controller.close());
      },
    });
    const h = bridgeHarness(async () => sseResponse(body), { pingIntervalMs: 1000 });
    const response = await h.bridge.handle(responsesRequest(CODEX_BODY));
    const reader = response.body!.getReader();
    const first = reader.read();
    await new Promise((r) => setTimeout(r, 0));
    h.clock.advance(1000);
    expect(new TextDecoder().decode((await first).value)).toBe(": keep-alive\n\n");
    push(STREAM);
    push("");
    let rest = "";
    for (let r = await reader.read(); !r.done; r = await reader.read())
      rest += new TextDecoder().decode(r.value);
    expect(rest).toBe(STREAM);
  });

  it("refuses a request without a model in OpenAI's shape, unless a stored prompt supplies it", async () => {
    const h = bridgeHarness(async () => sseResponse(STREAM));
    const bad = await h.bridge.handle(responsesRequest('{"input":"hi"}', {}));
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({
      error: { type: "invalid_request_error", message: "model: a non-empty string is required." },
    });
    const templated = await h.bridge.handle(responsesRequest('{"prompt":{"id":"pmpt_1"},"stream":true}', {}));
    expect(templated.status).toBe(200);
    expect(h.seen).toHaveLength(1);
  });
});
