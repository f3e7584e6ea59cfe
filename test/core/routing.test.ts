import { describe, expect, it } from "vitest";
import { bridgeHarness, sseResponse, USER_KEY } from "../helpers/bridge-harness.ts";

const ok = () => sseResponse('event: message_stop\ndata: {"type":"message_stop"}\n\n');

describe("routing and authorisation agree (AUTH-08)", () => {
  const odd = [
    "//anthropic/v1/messages",
    "/anthropic//v1/messages",
    "/anthropic/v1/messages/",
    "/Anthropic/v1/messages",
    "/anthropic/V1/messages",
    "/anthropic/v1/%6dessages",
    "/anthropic/v1/messages%2f",
    "/anthropic/v1/messages;x=1",
    "/%61nthropic/v1/messages",
    "/anthropic/v1/models/../../../healthz/x",
  ];

  it.each(odd)("%s is refused without a key and never reaches the upstream", async (path) => {
    const h = bridgeHarness(async () => ok());
    const response = await h.bridge.handle(
      new Request(`http://bridge.test${path}`, { method: "POST", body: "{}" }),
    );
    expect([401, 404]).toContain(response.status);
    expect(h.seen).toHaveLength(0);
  });

  it.each(odd)("%s is not served as an intercepted route even with a valid key", async (path) => {
    const h = bridgeHarness(async () => ok());
    const response = await h.bridge.handle(
      new Request(`http://bridge.test${path}`, {
        method: "POST",
        headers: { "x-api-key": USER_KEY },
        body: "{}",
      }),
    );
    expect(response.status).toBe(404);
    expect(h.seen).toHaveLength(0);
    expect(h.recorder.entries).toHaveLength(0);
  });

  it("a method the route does not serve is 404, not handled", async () => {
    const h = bridgeHarness(async () => ok());
    const response = await h.bridge.handle(
      new Request("http://bridge.test/anthropic/v1/messages", {
        method: "GET",
        headers: { "x-api-key": USER_KEY },
      }),
    );
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ type: "error", error: { type: "not_found_error" } });
    expect(h.seen).toHaveLength(0);
  });
});

describe("credentials in the query string are refused (AUTH-11)", () => {
  it.each(["api_key", "key", "access_token"])("?%s= gets 400 and the upstream is untouched", async (name) => {
    const h = bridgeHarness(async () => ok());
    const response = await h.bridge.handle(
      new Request(`http://bridge.test/openai/v1/models?${name}=${USER_KEY}`, {
        headers: { authorization: `Bearer ${USER_KEY}` },
      }),
    );
    expect(response.status).toBe(400);
    const text = await response.text();
    expect(text).not.toContain(USER_KEY);
    expect(JSON.parse(text)).toMatchObject({ error: { type: "invalid_request_error" } });
    expect(h.seen).toHaveLength(0);
  });
});
