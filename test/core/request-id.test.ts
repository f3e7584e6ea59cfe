import { describe, expect, it } from "vitest";
import { REQUEST_ID_HEADER } from "../../core/http/headers.ts";
import type { Upstream } from "../../core/ports/upstream.ts";
import { bridgeHarness, sseResponse, USER_KEY } from "../helpers/bridge-harness.ts";
import { expectOneTerminalEach } from "./support/audit.ts";
import { MESSAGE_START, messagesRequest } from "./support/requests.ts";
import { scriptedUpstream } from "./support/scripted-upstream.ts";

const STREAM = `${MESSAGE_START}event: message_stop\ndata: {"type":"message_stop"}\n\n`;
const ok: Upstream = async () => sseResponse(STREAM);

/** Each scenario returns the response; the test then checks the id header against the audit. */
const SCENARIOS: [string, () => Promise<{ response: Response; h: ReturnType<typeof bridgeHarness> }>][] = [
  [
    "streaming 200",
    async () => {
      const h = bridgeHarness(ok);
      return { h, response: await h.bridge.handle(messagesRequest()) };
    },
  ],
  [
    "blocking 200",
    async () => {
      const h = bridgeHarness(async () =>
        Response.json({ type: "message", content: [], usage: { input_tokens: 1, output_tokens: 1 } }),
      );
      return { h, response: await h.bridge.handle(messagesRequest({ stream: false })) };
    },
  ],
  [
    "malformed JSON 400",
    async () => {
      const h = bridgeHarness(ok);
      return { h, response: await h.bridge.handle(messagesRequest({ body: "{" })) };
    },
  ],
  [
    "body too large 413",
    async () => {
      const h = bridgeHarness(ok, { maxBodyBytes: 10 });
      return { h, response: await h.bridge.handle(messagesRequest()) };
    },
  ],
  [
    "upstream 429",
    async () => {
      const h = bridgeHarness(
        async () => new Response('{"type":"error"}', { status: 429, headers: { "retry-after": "1" } }),
      );
      return { h, response: await h.bridge.handle(messagesRequest()) };
    },
  ],
  [
    "unreachable 502",
    async () => {
      const h = bridgeHarness(async () => {
        throw new TypeError("fetch failed");
      });
      return { h, response: await h.bridge.handle(messagesRequest()) };
    },
  ],
  [
    "first-byte timeout 504",
    async () => {
      const up = scriptedUpstream();
      const h = bridgeHarness(up.upstream, { firstByteTimeoutMs: 1_000 });
      const pending = h.bridge.handle(messagesRequest());
      await up.firstCall;
      h.clock.advance(1_000);
      return { h, response: await pending };
    },
  ],
];

describe("x-causeway-request-id on every response, equal to the audit id", () => {
  for (const [name, run] of SCENARIOS) {
    it(name, async () => {
      const { response, h } = await run();
      await response.arrayBuffer();
      const id = response.headers.get(REQUEST_ID_HEADER);
      expect(id).toMatch(/^int_\d+$/);
      const [end] = expectOneTerminalEach(h.recorder, 1);
      expect(end?.interceptionId).toBe(id);
    });
  }

  it("is also on 401, 404, passthrough and health responses (no audit record there)", async () => {
    const h = bridgeHarness(async () => Response.json({ data: [] }));
    const requests = [
      new Request("http://bridge.test/anthropic/v1/messages", { method: "POST", body: "{}" }),
      new Request("http://bridge.test/anthropic/v1/unknown", { headers: { "x-api-key": USER_KEY } }),
      new Request("http://bridge.test/anthropic/v1/models", { headers: { "x-api-key": USER_KEY } }),
      new Request("http://bridge.test/healthz"),
    ];
    const ids = new Set<string>();
    for (const request of requests) {
      const response = await h.bridge.handle(request);
      const id = response.headers.get(REQUEST_ID_HEADER);
      expect(id, `${request.method} ${request.url}`).toBeTruthy();
      ids.add(id as string);
    }
    expect(ids.size).toBe(requests.length);
    expectOneTerminalEach(h.recorder, 0);
  });
});
