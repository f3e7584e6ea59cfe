import { describe, expect, it } from "vitest";
import { MemoryLogger } from "../../core/ports/logger.ts";
import { bridgeHarness, ENTERPRISE_ANTHROPIC_KEY, sseResponse, USER_KEY } from "../helpers/bridge-harness.ts";
import { expectOneTerminalEach } from "./support/audit.ts";
import { MESSAGE_END, MESSAGE_START, messagesRequest } from "./support/requests.ts";

const STREAM = MESSAGE_START + MESSAGE_END;
const ok = async () => sseResponse(STREAM);

function get(path: string, headers: Record<string, string> = {}): Request {
  return new Request(`http://bridge.test${path}`, { headers: { "x-api-key": USER_KEY, ...headers } });
}

describe("the hop count is parsed strictly (issue 17.2)", () => {
  for (const value of ["-Infinity", "-1e308", "1e308", "-1", "0x1", "1.5", "", "NaN", "0001"]) {
    it(`refuses x-causeway-hops: ${JSON.stringify(value)} with 400, upstream never called`, async () => {
      const h = bridgeHarness(ok);
      const response = await h.bridge.handle(messagesRequest({ headers: { "x-causeway-hops": value } }));
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { message: string } }).error.message).toContain(
        "x-causeway-hops",
      );
      expect(h.seen).toHaveLength(0);
    });
  }

  it("passes a hop below the limit on, counted up; refuses the limit with 508", async () => {
    const h = bridgeHarness(ok);
    const passed = await h.bridge.handle(messagesRequest({ headers: { "x-causeway-hops": "1" } }));
    await passed.text();
    expect(passed.status).toBe(200);
    expect(h.seen[0]!.headers.get("x-causeway-hops")).toBe("2");
    const looped = await h.bridge.handle(messagesRequest({ headers: { "x-causeway-hops": "2" } }));
    expect(looped.status).toBe(508);
    expect(h.seen).toHaveLength(1);
  });
});

describe("query parameters are forwarded by allow-list (issue 17.5)", () => {
  for (const query of ["API_KEY=k", "apikey=k", "token=k", "access_token=k", "Api%5FKey=k", "x-api-key=k"]) {
    it(`refuses ?${query}: 400, the key reaches no URL`, async () => {
      const h = bridgeHarness(ok);
      const response = await h.bridge.handle(get(`/anthropic/v1/models?limit=2&${query}`));
      expect(response.status).toBe(400);
      expect(h.seen).toHaveLength(0);
    });
  }

  it("forwards the APIs' own parameters byte for byte, in order, and drops the rest", async () => {
    const h = bridgeHarness(async () => Response.json({ data: [] }));
    await h.bridge.handle(get("/anthropic/v1/models?limit=2&debug=1&after_id=m%5F1&callback=x&beta=true"));
    expect(new URL(h.seen[0]!.url).search).toBe("?limit=2&after_id=m%5F1&beta=true");
    const messages = await h.bridge.handle(
      new Request("http://bridge.test/anthropic/v1/messages?beta=true", messagesRequest()),
    );
    await messages.text();
    expect(h.seen[1]!.url).toBe("http://upstream.test/v1/messages?beta=true");
  });

  it("an instance's forward_query adds names", async () => {
    const h = bridgeHarness(
      async () => Response.json({ data: [] }),
      {},
      { openai: { forwardQuery: ["region"] } },
    );
    await h.bridge.handle(
      new Request("http://bridge.test/openai/v1/models?region=eu&zone=1", {
        headers: { authorization: `Bearer ${USER_KEY}` },
      }),
    );
    expect(new URL(h.seen[0]!.url).search).toBe("?region=eu");
  });
});

describe("response headers are relayed by allow-list (issue 17.5)", () => {
  const upstreamHeaders = {
    "content-type": "application/json",
    "request-id": "req_1",
    "anthropic-ratelimit-requests-remaining": "9",
    "x-ratelimit-remaining-tokens": "100",
    "retry-after": "3",
    "x-goog-api-key": "AIza-enterprise",
    "x-amz-security-token": "FwoGZXIvYXdzE",
    "alt-svc": 'h3=":443"',
    "x-internal-route": "pod-7",
    "anthropic-organization-id": "org-enterprise",
    "x-debug-echo": `key=${ENTERPRISE_ANTHROPIC_KEY}`,
    "anthropic-echo": ENTERPRISE_ANTHROPIC_KEY,
  };

  it("passthrough and interception: only the allowed headers, none echoing an enterprise key", async () => {
    for (const request of [get("/anthropic/v1/models"), messagesRequest({ stream: false })]) {
      const h = bridgeHarness(async () => new Response("{}", { headers: upstreamHeaders }));
      const response = await h.bridge.handle(request);
      await response.text();
      const names = [...response.headers.keys()].filter((name) => !name.startsWith("x-causeway-"));
      expect(names.sort()).toEqual([
        "anthropic-organization-id",
        "anthropic-ratelimit-requests-remaining",
        "content-type",
        "request-id",
        "retry-after",
        "server-timing", // the bridge's own (docs/operations.md)
        "x-ratelimit-remaining-tokens",
      ]);
      expect([...response.headers.values()].join("\n")).not.toContain("CANARY");
    }
  });

  it("an instance's relay_headers adds names and prefixes", async () => {
    const h = bridgeHarness(
      async () => new Response("{}", { headers: upstreamHeaders }),
      {},
      { anthropic: { relayHeaders: ["x-internal-*", "Alt-Svc"] } },
    );
    const response = await h.bridge.handle(get("/anthropic/v1/models"));
    expect(response.headers.get("x-internal-route")).toBe("pod-7");
    expect(response.headers.get("alt-svc")).toBe('h3=":443"');
  });
});

describe("request headers named like credentials never go upstream", () => {
  it("drops any provider's or cloud's credential header the client sent", async () => {
    const h = bridgeHarness(ok);
    const response = await h.bridge.handle(
      messagesRequest({
        headers: {
          "x-amz-security-token": "client-amz",
          "ocp-apim-subscription-key": "client-azure",
          "x-litellm-api-key": "client-litellm",
          "x-stainless-lang": "js",
          "x-claude-code-session-id": "s1",
        },
      }),
    );
    await response.text();
    const sent = h.seen[0]!.headers;
    expect([...sent.values()].join("\n")).not.toContain("client-");
    expect(sent.get("x-stainless-lang")).toBe("js");
    expect(sent.get("x-claude-code-session-id")).toBe("s1");
    expect(sent.get("x-api-key")).toBe(ENTERPRISE_ANTHROPIC_KEY);
  });
});

describe("ids in paths cannot smuggle structure upstream (issue 17.11)", () => {
  const refused = [
    "/openai/v1/responses/resp_1%2F..%2F..%2Fv1%2Ffiles",
    "/openai/v1/responses/resp_1%2finput_items",
    "/openai/v1/models/gpt%5C..%5Cx",
    "/openai/v1/models/a%252Fb",
    "/openai/v1/models/a%00b",
    "/openai/v1/models/%ZZ",
    "/openai/v1/conversations/conv_1/items/%2E%2E",
  ];
  for (const path of refused) {
    it(`refuses ${path} with 400, upstream never called`, async () => {
      const h = bridgeHarness(async () => Response.json({}));
      const response = await h.bridge.handle(
        new Request(`http://bridge.test${path}`, { headers: { authorization: `Bearer ${USER_KEY}` } }),
      );
      expect(response.status).toBe(path.endsWith("%2E%2E") ? 404 : 400);
      expect(h.seen).toHaveLength(0);
    });
  }

  it("passes real ids: fine-tunes with colons, names with slashes, escaped spaces", async () => {
    const h = bridgeHarness(async () => Response.json({}));
    for (const id of ["ft:gpt-4o:acme:custom:abc123", "meta-llama/Llama-3-8B", "my%20model"]) {
      const response = await h.bridge.handle(
        new Request(`http://bridge.test/openai/v1/models/${id}`, {
          headers: { authorization: `Bearer ${USER_KEY}` },
        }),
      );
      expect(response.status, id).toBe(200);
    }
    expect(h.seen.map((r) => new URL(r.url).pathname)).toEqual([
      "/v1/models/ft:gpt-4o:acme:custom:abc123",
      "/v1/models/meta-llama/Llama-3-8B",
      "/v1/models/my%20model",
    ]);
  });
});

describe("refused credentials are logged (issue 17.9)", () => {
  it("one warn line per 401, with the request id and reason, never the credential", async () => {
    const logger = new MemoryLogger();
    const h = bridgeHarness(ok, {}, { logger });
    const missing = await h.bridge.handle(new Request("http://bridge.test/anthropic/v1/models"));
    const wrong = await h.bridge.handle(messagesRequest({ headers: { "x-api-key": "cw_wrong_SECRET_key" } }));
    expect([missing.status, wrong.status]).toEqual([401, 401]);
    expect(logger.lines.map((line) => [line.level, line.message, line.fields?.reason])).toEqual([
      ["warn", "authentication refused", "no credential"],
      ["warn", "authentication refused", "credential not accepted"],
    ]);
    expect(logger.lines[0]!.fields?.requestId).toBe(missing.headers.get("x-causeway-request-id"));
    expect(logger.lines[1]!.fields?.path).toBe("/anthropic/v1/messages");
    expect(JSON.stringify(logger.lines)).not.toContain("SECRET");
    expectOneTerminalEach(h.recorder, 0);
  });
});
