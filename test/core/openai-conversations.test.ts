import { describe, expect, it } from "vitest";
import { bridgeHarness, ENTERPRISE_OPENAI_KEY, USER_KEY } from "../helpers/bridge-harness.ts";

const json = (body: string, status = 200): Response =>
  new Response(body, { status, headers: { "content-type": "application/json" } });

/** Every call of the Conversations API (openai-node `conversations` and `conversations.items`). */
const CALLS = [
  {
    method: "POST",
    path: "/v1/conversations",
    body: '{"metadata":{"topic":"demo"},"items":[{"type":"message","role":"user","content":"Hello!"}]}',
  },
  { method: "GET", path: "/v1/conversations/conv_123" },
  { method: "POST", path: "/v1/conversations/conv_123", body: '{"metadata":{"topic":"project-x"}}' },
  { method: "DELETE", path: "/v1/conversations/conv_123" },
  { method: "GET", path: "/v1/conversations/conv_123/items?limit=10&order=asc&after=msg_0" },
  {
    method: "POST",
    path: "/v1/conversations/conv_123/items?include=message.output_text.logprobs",
    body: '{"items":[{"type":"message","role":"user","content":[{"type":"input_text","text":"Hi"}]}]}',
  },
  { method: "GET", path: "/v1/conversations/conv_123/items/msg_abc" },
  { method: "DELETE", path: "/v1/conversations/conv_123/items/msg_abc" },
] as const;

describe("OpenAI /v1/conversations[/…] passthrough", () => {
  it.each(CALLS)(
    "$method $path: method, path, query, body and the enterprise key reach the upstream",
    async (call) => {
      const answer = '{"id":"conv_123","object":"conversation","created_at":1741900000,"metadata":{}}';
      const h = bridgeHarness(async () => json(answer));
      const response = await h.bridge.handle(
        new Request(`http://bridge.test/openai${call.path}`, {
          method: call.method,
          headers: {
            authorization: `Bearer ${USER_KEY}`,
            "openai-beta": "conversations=v1",
            ...("body" in call ? { "content-type": "application/json" } : {}),
          },
          ...("body" in call ? { body: call.body } : {}),
        }),
      );
      expect(response.status).toBe(200);
      expect(await response.text()).toBe(answer);

      expect(h.seen).toHaveLength(1);
      const sent = h.seen[0]!;
      expect(sent.method).toBe(call.method);
      expect(sent.url).toBe(`http://upstream.test${call.path}`);
      expect(sent.headers.get("authorization")).toBe(`Bearer ${ENTERPRISE_OPENAI_KEY}`);
      expect(sent.headers.get("openai-beta")).toBe("conversations=v1");
      expect(await sent.text()).toBe("body" in call ? call.body : "");
      // Passthrough routes are not audited.
      expect(h.recorder.entries).toEqual([]);
    },
  );

  it("relays the upstream's errors as sent", async () => {
    const error =
      '{"error":{"message":"Conversation not found","type":"invalid_request_error","param":null,"code":null}}';
    const h = bridgeHarness(async () => json(error, 404));
    const response = await h.bridge.handle(
      new Request("http://bridge.test/openai/v1/conversations/conv_gone", {
        headers: { authorization: `Bearer ${USER_KEY}` },
      }),
    );
    expect(response.status).toBe(404);
    expect(await response.text()).toBe(error);
  });

  it("needs a credential: 401 in OpenAI's shape, the upstream untouched", async () => {
    const h = bridgeHarness(async () => json("{}"));
    const response = await h.bridge.handle(
      new Request("http://bridge.test/openai/v1/conversations", { method: "POST", body: "{}" }),
    );
    expect(response.status).toBe(401);
    expect(await response.json()).toMatchObject({ error: { code: "invalid_api_key" } });
    expect(h.seen).toHaveLength(0);
  });

  it.each([
    ["GET", "/v1/conversations"],
    ["PUT", "/v1/conversations/conv_123"],
    ["DELETE", "/v1/conversations/conv_123/items"],
    ["POST", "/v1/conversations/conv_123/items/msg_abc"],
    ["GET", "/v1/conversations/conv_123/other"],
    ["GET", "/v1/conversations/"],
  ])("%s %s is not a Conversations API call: 404, never forwarded", async (method, path) => {
    const h = bridgeHarness(async () => json("{}"));
    const response = await h.bridge.handle(
      new Request(`http://bridge.test/openai${path}`, {
        method,
        headers: { authorization: `Bearer ${USER_KEY}` },
      }),
    );
    expect(response.status).toBe(404);
    expect(h.seen).toHaveLength(0);
  });
});
