import { describe, expect, it } from "vitest";
import { onlyTerminal } from "../core/support/audit.ts";
import { messagesRequest } from "../core/support/requests.ts";
import { USER_KEY } from "../helpers/bridge-harness.ts";
import { OK_MESSAGE, resilienceHarness } from "./harness.ts";

const KEYS = ["sk-ent-a", "sk-ent-b", "sk-ent-c"];

describe("key pools: api_keys rotated on 429, 401 and 403", () => {
  it("a rate-limited key is set aside: the request is retried at once on the next key, which later requests keep", async () => {
    const h = resilienceHarness({
      keys: KEYS,
      script: (_n, request) =>
        request.headers.get("x-api-key") === "sk-ent-a"
          ? { status: 429, headers: { "retry-after": "30" } }
          : { status: 200, body: OK_MESSAGE },
    });
    const { response, elapsed } = await h.run(messagesRequest({ stream: false }));
    expect(response.status).toBe(200);
    expect(elapsed).toBeLessThan(100);
    expect(h.calls.map((c) => c.key)).toEqual(["sk-ent-a", "sk-ent-b"]);
    expect(onlyTerminal(h.recorder)).toMatchObject({ status: "completed", attempts: 2, keyIndex: 1 });
    await h.run(messagesRequest({ stream: false }));
    expect(h.calls.map((c) => c.key)).toEqual(["sk-ent-a", "sk-ent-b", "sk-ent-b"]);
  });

  it("a revoked key (401) and a forbidden one (403) are skipped; the audit names keys by index only", async () => {
    const h = resilienceHarness({
      keys: KEYS,
      retry: null,
      script: (_n, request) => {
        const key = request.headers.get("x-api-key");
        if (key === "sk-ent-a") return { status: 401 };
        if (key === "sk-ent-b") return { status: 403 };
        return { status: 200, body: OK_MESSAGE };
      },
    });
    // Without a retry policy the failing answers still go to the client, but the pool moves on.
    expect((await h.run(messagesRequest({ stream: false }))).response.status).toBe(401);
    expect((await h.run(messagesRequest({ stream: false }))).response.status).toBe(403);
    expect((await h.run(messagesRequest({ stream: false }))).response.status).toBe(200);
    expect(h.calls.map((c) => c.key)).toEqual(["sk-ent-a", "sk-ent-b", "sk-ent-c"]);
    const text = JSON.stringify(h.recorder.entries);
    for (const key of KEYS) expect(text).not.toContain(key);
  });

  it("once every key is cooling down, the one that recovers first is used; a cooled key comes back", async () => {
    const h = resilienceHarness({
      keys: ["sk-ent-a", "sk-ent-b"],
      retry: null,
      script: (n) =>
        n < 2
          ? { status: 429, headers: { "retry-after": n === 0 ? "10" : "20" } }
          : { status: 200, body: OK_MESSAGE },
    });
    await h.run(messagesRequest({ stream: false })); // a: cools 10 s
    await h.run(messagesRequest({ stream: false })); // b: cools 20 s
    await h.run(messagesRequest({ stream: false })); // both cooling: a recovers first
    expect(h.calls.map((c) => c.key)).toEqual(["sk-ent-a", "sk-ent-b", "sk-ent-a"]);
    h.clock.advance(20_000);
    await h.run(messagesRequest({ stream: false }));
    expect(h.calls.at(-1)?.key).toBe("sk-ent-a");
  });

  it("passthrough routes use the pool too, and a key they get refused with is set aside", async () => {
    const h = resilienceHarness({
      keys: ["sk-ent-a", "sk-ent-b"],
      script: (_n, request) =>
        request.headers.get("x-api-key") === "sk-ent-a"
          ? { status: 401 }
          : { status: 200, body: '{"data":[]}' },
    });
    const models = () =>
      h.bridge.handle(
        new Request("http://bridge.test/anthropic/v1/models", { headers: { "x-api-key": USER_KEY } }),
      );
    expect((await models()).status).toBe(401); // not retried: relayed as the upstream sent it
    expect((await models()).status).toBe(200);
    expect((await h.run(messagesRequest({ stream: false }))).response.status).toBe(200);
    expect(h.calls.map((c) => c.key)).toEqual(["sk-ent-a", "sk-ent-b", "sk-ent-b"]);
  });
});
