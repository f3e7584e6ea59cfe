import { describe, expect, it } from "vitest";
import { MemoryAuditSpool } from "../../core/audit/audit-spool.ts";
import { type BatchingOptions, BatchingRecorder } from "../../core/audit/batching-recorder.ts";
import { createBridge } from "../../core/bridge.ts";
import { DEFAULT_LIMITS } from "../../core/config.ts";
import { MemoryAuth } from "../../core/ports/auth.ts";
import { ManualClock } from "../../core/ports/clock.ts";
import { SequentialIds } from "../../core/ports/ids.ts";
import { silentLogger } from "../../core/ports/logger.ts";
import { USER_KEY } from "../helpers/bridge-harness.ts";
import { fakeStore, settle } from "./support/audit-store.ts";

/**
 * The bridge refuses new intercepted requests while their audit could not be kept (store down in
 * `reject` mode, or the spool full): 503 in the provider's shape with Retry-After, upstream untouched.
 */
function setup(options: Partial<BatchingOptions>) {
  const store = fakeStore();
  const clock = new ManualClock();
  const spool = new MemoryAuditSpool();
  const recorder = new BatchingRecorder(store.sink, clock, silentLogger, options, spool);
  const upstreamCalls: string[] = [];
  const bridge = createBridge(
    {
      providers: [
        { name: "anthropic", kind: "anthropic", baseUrl: "http://upstream.test", apiKey: "sk-ant" },
        { name: "openai", kind: "openai", baseUrl: "http://upstream.test", apiKey: "sk-oai" },
      ],
      limits: DEFAULT_LIMITS,
    },
    {
      auth: new MemoryAuth([[USER_KEY, { userId: "u1", name: "alice", roles: [] }]]),
      recorder,
      clock,
      ids: new SequentialIds(),
      upstream: async (request) => {
        upstreamCalls.push(new URL(request.url).pathname);
        const usage = request.url.includes("/chat/")
          ? { prompt_tokens: 3, completion_tokens: 4 }
          : { input_tokens: 3, output_tokens: 4 };
        return Response.json({ id: "x", type: "message", content: [], choices: [], usage });
      },
    },
  );
  const post = (path: string, body: Record<string, unknown>) =>
    bridge.handle(
      new Request(`http://bridge.test${path}`, {
        method: "POST",
        headers: { authorization: `Bearer ${USER_KEY}`, "content-type": "application/json" },
        body: JSON.stringify({
          model: "m",
          max_tokens: 4,
          messages: [{ role: "user", content: "hi" }],
          ...body,
        }),
      }),
    );
  const anthropic = () => post("/anthropic/v1/messages", {});
  const openai = () => post("/openai/v1/chat/completions", {});
  const models = () =>
    bridge.handle(
      new Request("http://bridge.test/anthropic/v1/models", { headers: { "x-api-key": USER_KEY } }),
    );
  const tick = async (ms = 20): Promise<void> => {
    await settle();
    clock.advance(ms);
    await settle();
  };
  return { store, recorder, upstreamCalls, anthropic, openai, models, tick, spool };
}

async function expectRefused(response: Response): Promise<Record<string, unknown>> {
  expect(response.status).toBe(503);
  expect(response.headers.get("retry-after")).toMatch(/^\d+$/);
  const body = (await response.json()) as Record<string, unknown>;
  expect(JSON.stringify(body)).toContain("Audit logging is temporarily unavailable.");
  return body;
}

describe("when_store_down: reject", () => {
  it("refuses new intercepted requests while the store fails, in each provider's shape, then resumes", async () => {
    const t = setup({ whenStoreDown: "reject" });
    t.store.down();
    // The first request is served: nothing has failed yet. Its audit write then fails.
    const first = await t.anthropic();
    expect(first.status).toBe(200);
    await t.tick();
    expect(t.recorder.accepting()).toBe(false);
    const calls = t.upstreamCalls.length;

    const anthropic = await expectRefused(await t.anthropic());
    expect(anthropic).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
    const openai = await expectRefused(await t.openai());
    expect(openai).toMatchObject({ error: { type: "server_error", code: "service_unavailable" } });
    expect(t.upstreamCalls.length).toBe(calls);

    // Passthrough routes keep working: they make no audit records.
    expect((await t.models()).status).toBe(200);

    t.store.up();
    await t.tick(1_000);
    expect(t.recorder.accepting()).toBe(true);
    const response = await t.anthropic();
    expect(response.status).toBe(200);
    await t.tick();
    // The request served at the start of the outage was kept and stored; the refused ones made no record.
    expect(t.store.ended(first.headers.get("x-causeway-request-id")!)).toMatchObject({ status: "completed" });
    const started = [...t.store.rows.values()].filter((entry) => entry.kind === "interception-start");
    expect(started).toHaveLength(2);
  });
});

describe("when_store_down: spool", () => {
  it("serves requests during the outage while the spool has room, and refuses once it is full", async () => {
    const t = setup({ maxSpoolBytes: 500 });
    t.store.down();
    expect((await t.anthropic()).status).toBe(200);
    await t.tick();
    expect(t.spool.lines.length).toBeGreaterThan(0);
    expect((await t.openai()).status).toBe(200);
    await t.tick();
    expect(t.recorder.accepting()).toBe(false);
    const calls = t.upstreamCalls.length;
    await expectRefused(await t.anthropic());
    expect(t.upstreamCalls.length).toBe(calls);

    t.store.up();
    await t.tick(1_000);
    expect((await t.openai()).status).toBe(200);
    await t.tick();
    const ended = [...t.store.rows.values()].filter((entry) => entry.kind === "interception-end");
    expect(ended).toHaveLength(3);
    expect(t.spool.lines).toEqual([]);
  });
});
