import { describe, expect, it } from "vitest";
import {
  bridgeHarness,
  ENTERPRISE_ANTHROPIC_KEY,
  ENTERPRISE_OPENAI_KEY,
  sseResponse,
  USER_KEY,
} from "../helpers/bridge-harness.ts";
import { expectOneTerminalEach, onlyTerminal } from "./support/audit.ts";
import { MESSAGE_START, messagesRequest } from "./support/requests.ts";

const STREAM = `${MESSAGE_START}event: message_stop\ndata: {"type":"message_stop"}\n\n`;
const CREDENTIALS = ["authorization", "x-api-key", "api-key", "x-goog-api-key", "cookie"];

function headerValues(request: Request): string {
  return [...request.headers.entries()].map(([n, v]) => `${n}: ${v}`).join("\n");
}

describe("client credentials never reach the upstream (AUTH-09)", () => {
  it("Anthropic route: only the enterprise key goes upstream, whatever credentials the client sent", async () => {
    const h = bridgeHarness(async () => sseResponse(STREAM));
    const response = await h.bridge.handle(
      messagesRequest({
        headers: {
          authorization: "Bearer client-bearer-CANARY",
          "api-key": "client-azure-CANARY",
          "x-goog-api-key": "client-goog-CANARY",
          cookie: "session=client-cookie-CANARY",
        },
      }),
    );
    await response.arrayBuffer();
    const sent = h.seen[0]!;
    expect(sent.headers.get("x-api-key")).toBe(ENTERPRISE_ANTHROPIC_KEY);
    for (const name of ["authorization", "api-key", "x-goog-api-key", "cookie"])
      expect(sent.headers.has(name), name).toBe(false);
    expect(headerValues(sent)).not.toContain("client-");
    expect(headerValues(sent)).not.toContain(USER_KEY);
    onlyTerminal(h.recorder);
  });

  it("OpenAI passthrough: the bearer is swapped for the enterprise key and other credentials dropped", async () => {
    const h = bridgeHarness(async () => Response.json({ data: [] }));
    await h.bridge.handle(
      new Request("http://bridge.test/openai/v1/models", {
        headers: {
          authorization: `Bearer ${USER_KEY}`,
          "api-key": "client-azure",
          "x-goog-api-key": "client-goog",
          cookie: "a=b",
        },
      }),
    );
    const sent = h.seen[0]!;
    expect(sent.headers.get("authorization")).toBe(`Bearer ${ENTERPRISE_OPENAI_KEY}`);
    for (const name of CREDENTIALS.filter((n) => n !== "authorization"))
      expect(sent.headers.has(name), name).toBe(false);
    expect(headerValues(sent)).not.toContain(USER_KEY);
    expect(headerValues(sent)).not.toContain("client-");
  });
});

describe("hop-by-hop headers are stripped (INP-08)", () => {
  it("drops Connection, the headers it names, Keep-Alive, TE, Upgrade, Proxy-* and Trailer", async () => {
    const h = bridgeHarness(async () => sseResponse(STREAM));
    const response = await h.bridge.handle(
      messagesRequest({
        headers: {
          connection: "keep-alive, X-Foo, x-bar",
          "x-foo": "1",
          "x-bar": "2",
          "keep-alive": "timeout=5",
          te: "trailers",
          trailer: "x-checksum",
          upgrade: "h2c",
          "proxy-authorization": "Basic cHJveHk6c2VjcmV0",
          "proxy-connection": "keep-alive",
          "x-causeway-hops": "0",
          "x-portkey-custom-host": "http://evil.test",
        },
      }),
    );
    await response.arrayBuffer();
    const sent = h.seen[0]!;
    for (const name of [
      "connection",
      "x-foo",
      "x-bar",
      "keep-alive",
      "te",
      "trailer",
      "upgrade",
      "proxy-authorization",
      "proxy-connection",
      "x-portkey-custom-host",
    ]) {
      expect(sent.headers.has(name), name).toBe(false);
    }
    // The bridge sets its own hop count; a client cannot reset it.
    expect(sent.headers.get("x-causeway-hops")).toBe("1");
    onlyTerminal(h.recorder);
  });
});

describe("end-to-end headers and the query string are forwarded as sent (UP-16)", () => {
  it("keeps anthropic-version, anthropic-beta, custom headers and ?beta=true", async () => {
    const h = bridgeHarness(async () =>
      sseResponse(STREAM, {
        headers: {
          "request-id": "req_up",
          "x-should-retry": "false",
          "anthropic-ratelimit-tokens-remaining": "99",
        },
      }),
    );
    const request = messagesRequest({
      headers: {
        "anthropic-beta": "interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14",
        "x-stainless-lang": "js",
        "x-claude-code-session-id": "sess-1",
      },
    });
    const response = await h.bridge.handle(new Request(`${request.url}?beta=true`, request));
    await response.arrayBuffer();
    const sent = h.seen[0]!;
    expect(sent.url).toBe("http://upstream.test/v1/messages?beta=true");
    expect(sent.headers.get("anthropic-version")).toBe("2023-06-01");
    expect(sent.headers.get("anthropic-beta")).toBe(
      "interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14",
    );
    expect(sent.headers.get("x-stainless-lang")).toBe("js");
    expect(sent.headers.get("x-claude-code-session-id")).toBe("sess-1");
    expect(response.headers.get("request-id")).toBe("req_up");
    expect(response.headers.get("x-should-retry")).toBe("false");
    expect(response.headers.get("anthropic-ratelimit-tokens-remaining")).toBe("99");
    onlyTerminal(h.recorder);
  });
});

describe("upstream response headers are filtered (INP-09)", () => {
  const hostile = {
    "set-cookie": "upstream_session=SECRET; Path=/",
    "x-api-key": ENTERPRISE_ANTHROPIC_KEY,
    authorization: `Bearer ${ENTERPRISE_OPENAI_KEY}`,
    "api-key": "azure-echo",
    connection: "x-internal",
    "x-internal": "leak",
    "keep-alive": "timeout=5",
    "request-id": "req_keep",
  };

  for (const path of ["/anthropic/v1/models", "/anthropic/v1/messages/count_tokens", "/openai/v1/models"]) {
    it(`passthrough ${path}: no cookie, credential or Connection-named header reaches the client`, async () => {
      const h = bridgeHarness(async () => Response.json({ data: [] }, { headers: hostile }));
      const method = path.endsWith("count_tokens") ? "POST" : "GET";
      const response = await h.bridge.handle(
        new Request(`http://bridge.test${path}`, {
          method,
          headers: { "x-api-key": USER_KEY, authorization: `Bearer ${USER_KEY}` },
          ...(method === "POST" ? { body: "{}" } : {}),
        }),
      );
      expect(response.status).toBe(200);
      for (const name of [
        "set-cookie",
        "x-api-key",
        "authorization",
        "api-key",
        "connection",
        "x-internal",
        "keep-alive",
      ])
        expect(response.headers.has(name), name).toBe(false);
      expect(response.headers.get("request-id")).toBe("req_keep");
      const all = [...response.headers.values()].join("\n");
      expect(all).not.toContain("CANARY");
      expectOneTerminalEach(h.recorder, 0);
    });
  }

  it("intercepted stream: the same filter applies", async () => {
    const h = bridgeHarness(async () => sseResponse(STREAM, { headers: hostile }));
    const response = await h.bridge.handle(messagesRequest());
    await response.arrayBuffer();
    for (const name of ["set-cookie", "x-api-key", "authorization", "api-key", "x-internal"])
      expect(response.headers.has(name), name).toBe(false);
    expect([...response.headers.values()].join("\n")).not.toContain("CANARY");
    onlyTerminal(h.recorder);
  });
});
