import { describe, expect, it } from "vitest";
import { modelScope } from "../../core/auth/model-scopes.ts";
import type { BridgeConfig } from "../../core/config.ts";
import { estimateRequest } from "../../core/policy/estimate.ts";
import type { Policy } from "../../core/policy/policy.ts";
import { costMicroUsd, type TokenPrices } from "../../core/policy/pricing.ts";
import type { Principal } from "../../core/ports/auth.ts";
import { MemoryLogger } from "../../core/ports/logger.ts";
import { MemoryUsageLedger, type UsageLedger } from "../../core/ports/usage-ledger.ts";
import { bridgeHarness, sseResponse, USER_KEY } from "../helpers/bridge-harness.ts";
import { expectOneTerminalEach, onlyTerminal } from "./support/audit.ts";
import { MESSAGE_END, MESSAGE_START, messagesBody, messagesRequest, TEXT_DELTA } from "./support/requests.ts";
import { pump, scriptedUpstream, settle } from "./support/scripted-upstream.ts";

const PRICES: TokenPrices = { input: 3, output: 15, cacheRead: 0.3, cacheWrite: 3.75 };
const BLOCKING_ANSWER = JSON.stringify({
  type: "message",
  model: "claude-x",
  content: [{ type: "text", text: "ok" }],
  usage: { input_tokens: 1000, output_tokens: 1000 },
});

function governed(
  policy: Policy,
  options: {
    upstream?: (request: Request) => Promise<Response>;
    maxInflight?: number;
    usageLedger?: UsageLedger;
    principal?: Principal;
    logger?: MemoryLogger;
  } = {},
) {
  const governance: Pick<BridgeConfig, "policies" | "pricing" | "maxInflight"> = {
    policies: { default: policy },
    pricing: [{ pattern: "claude-x", prices: PRICES }],
    ...(options.maxInflight ? { maxInflight: options.maxInflight } : {}),
  };
  return bridgeHarness(
    options.upstream ?? (async () => new Response(BLOCKING_ANSWER)),
    {},
    {
      governance,
      ...(options.usageLedger ? { usageLedger: options.usageLedger } : {}),
      ...(options.principal ? { principal: options.principal } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
    },
  );
}

const blocking = (extra: Record<string, unknown> = {}) =>
  messagesRequest({ stream: false, body: messagesBody(false, extra) });

function chatRequest(model: string): Request {
  return new Request("http://bridge.test/openai/v1/chat/completions", {
    method: "POST",
    headers: { authorization: `Bearer ${USER_KEY}`, "content-type": "application/json" },
    body: JSON.stringify({ model, messages: [{ role: "user", content: "hi" }] }),
  });
}

/** An upstream whose answers wait until `release()`: requests pile up in flight. */
function heldUpstream(answer: () => Response) {
  let release!: () => void;
  const released = new Promise<void>((resolve) => {
    release = resolve;
  });
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    release,
    upstream: async () => {
      calls++;
      await released;
      return answer();
    },
  };
}

describe("model access", () => {
  it("refuses a model outside `models` with 403 in each provider's shape; audited rejected; upstream untouched", async () => {
    const h = governed({ models: [modelScope("claude-.*")] });
    const refused = await h.bridge.handle(chatRequest("gpt-5"));
    expect(refused.status).toBe(403);
    expect(await refused.json()).toEqual({
      error: {
        message: 'Your usage policy does not allow the model "gpt-5".',
        type: "invalid_request_error",
        param: null,
        code: "model_not_allowed",
      },
    });
    const denied = await h.bridge.handle(blocking({ model: "gpt-5" }));
    expect(denied.status).toBe(403);
    expect(await denied.json()).toMatchObject({ type: "error", error: { type: "permission_error" } });
    expect((await h.bridge.handle(blocking())).status).toBe(200);
    expect(h.seen).toHaveLength(1);
    const ends = expectOneTerminalEach(h.recorder, 3);
    expect(ends[0]).toMatchObject({ status: "rejected", httpStatus: 403, attempts: 0 });
    expect(ends[0]?.detail).toContain("does not allow the model");
  });

  it("honours the key's scopes as well: both must allow the model", async () => {
    const principal: Principal = { userId: "u1", name: "alice", roles: [], models: [modelScope("claude-y")] };
    const h = governed({ models: [modelScope("claude-.*")] }, { principal });
    expect((await h.bridge.handle(blocking())).status).toBe(403);
    expect(h.seen).toHaveLength(0);
  });
});

describe("rate limits", () => {
  it("answers 429 with retry-after (seconds until the minute frees up) and admits again after it", async () => {
    const h = governed({ limits: { requests_per_minute: 2 } });
    expect((await h.bridge.handle(blocking())).status).toBe(200);
    expect((await h.bridge.handle(blocking())).status).toBe(200);
    h.clock.advance(15_000);
    const limited = await h.bridge.handle(blocking());
    expect(limited.status).toBe(429);
    expect(limited.headers.get("retry-after")).toBe("45");
    expect(limited.headers.get("x-should-retry")).toBeNull();
    expect(await limited.json()).toMatchObject({
      type: "error",
      error: {
        type: "rate_limit_error",
        message: "You have reached your usage limit of 2 requests per minute. It frees up in 45 s.",
      },
    });
    expect(h.seen).toHaveLength(2);
    expect(expectOneTerminalEach(h.recorder, 3)[2]).toMatchObject({ status: "rejected", httpStatus: 429 });
    h.clock.advance(45_000);
    expect((await h.bridge.handle(blocking())).status).toBe(200);
  });

  it("settles a budget to the real cost and refuses once it is spent, telling SDKs not to retry for hours", async () => {
    const h = governed({ limits: { usd_per_day: 0.05 } });
    // 1000 input and 1000 output tokens at PRICES: $0.018 each. After 0.018, 0.036 and 0.054 the
    // budget is spent; the last admitted request passed it by its own cost.
    for (let i = 0; i < 3; i++) expect((await h.bridge.handle(blocking())).status).toBe(200);
    const spent = await h.bridge.handle(blocking());
    expect(spent.status).toBe(429);
    // A day away: no retry-after (Codex would sleep it out), and SDKs are told not to retry.
    expect(spent.headers.get("retry-after")).toBeNull();
    expect(spent.headers.get("x-should-retry")).toBe("false");
    expect((await spent.json()).error.message).toBe(
      "You have reached your usage limit of $0.05 per day. It frees up in 1 d.",
    );
    expect(h.seen).toHaveLength(3);
  });

  it("holds under concurrency: 50 simultaneous requests against a budget for 10 reach the upstream 10 times", async () => {
    const body = messagesBody(false);
    const estimate = estimateRequest(new TextEncoder().encode(body).byteLength, JSON.parse(body));
    const perRequest = costMicroUsd(
      {
        input: estimate.inputTokens,
        output: estimate.outputTokens,
        cacheRead: 0,
        cacheWrite: 0,
        reasoning: 0,
      },
      PRICES,
    );
    const held = heldUpstream(() => new Response(BLOCKING_ANSWER));
    const h = governed({ limits: { usd_per_day: (perRequest * 10) / 1e6 } }, { upstream: held.upstream });
    const pending = Array.from({ length: 50 }, () =>
      h.bridge.handle(messagesRequest({ stream: false, body })).then((r) => r.status),
    );
    // The refusals answer at once, while the admitted ten are still held upstream.
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(held.calls).toBe(10);
    held.release();
    const statuses = await Promise.all(pending);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    expect(h.seen).toHaveLength(10);
  });

  it("settles a stream on its real tokens, and a request the upstream never answered costs nothing", async () => {
    const ledger = new MemoryUsageLedger();
    let fail = false;
    const h = governed(
      { limits: { tokens_per_day: 1_000_000, requests_per_minute: 100 } },
      {
        usageLedger: ledger,
        upstream: async () => {
          if (fail) throw new TypeError("connect ECONNREFUSED");
          return sseResponse(MESSAGE_START + TEXT_DELTA + MESSAGE_END);
        },
      },
    );
    const response = await h.bridge.handle(messagesRequest({ stream: true }));
    await response.text();
    const day = h.clock.now() - (h.clock.now() % 86_400_000);
    // The stream reported 25 input and 9 output tokens: the estimate is gone, the real use stays.
    expect(ledger.used("u1", "tokens_per_day", day)).toBe(34);
    expect(ledger.used("u1", "requests_per_minute", h.clock.now())).toBe(1);
    fail = true;
    expect((await h.bridge.handle(messagesRequest({ stream: false }))).status).toBe(502);
    expect(ledger.used("u1", "tokens_per_day", day)).toBe(34);
  });

  it("a stream the client cut off keeps its estimate: the provider bills output nobody saw", async () => {
    const ledger = new MemoryUsageLedger();
    const up = scriptedUpstream();
    const h = governed(
      { limits: { tokens_per_day: 1_000_000 } },
      { usageLedger: ledger, upstream: up.upstream },
    );
    const body = messagesBody(true);
    const estimate = estimateRequest(new TextEncoder().encode(body).byteLength, JSON.parse(body));
    const pending = h.bridge.handle(messagesRequest({ stream: true, body }));
    await up.firstCall;
    up.openStream();
    const client = pump(await pending);
    up.push(MESSAGE_START); // 25 input tokens, 1 output token so far
    await settle();
    await client.reader.cancel();
    await settle();
    expect(onlyTerminal(h.recorder).status).toBe("client_cancelled");
    const day = h.clock.now() - (h.clock.now() % 86_400_000);
    expect(ledger.used("u1", "tokens_per_day", day)).toBe(
      Math.max(26, estimate.inputTokens + estimate.outputTokens),
    );
  });

  it("fails closed with 503 when the ledger cannot answer, and the upstream is not called", async () => {
    const broken: UsageLedger = {
      reserve: async () => {
        throw new Error("connection refused");
      },
      settle: async () => {},
    };
    const logger = new MemoryLogger();
    const h = governed({ limits: { usd_per_month: 100 } }, { usageLedger: broken, logger });
    const response = await h.bridge.handle(blocking());
    expect(response.status).toBe(503);
    expect(response.headers.get("retry-after")).toBe("5");
    expect(h.seen).toHaveLength(0);
    expect(onlyTerminal(h.recorder)).toMatchObject({ status: "rejected", httpStatus: 503 });
    // An outage is one error line per 10 s, not one per request.
    for (let i = 0; i < 3; i++) expect((await h.bridge.handle(blocking())).status).toBe(503);
    const down = () => logger.lines.filter((l) => l.message === "usage limits could not be checked");
    expect(down()).toHaveLength(1);
    h.clock.advance(10_000);
    await h.bridge.handle(blocking());
    expect(down()).toHaveLength(2);
    expect(down()[1]?.fields).toMatchObject({ suppressed: 3 });
  });
});

describe("prices", () => {
  it("warns once about a model without a price, and only where a USD limit needs one", async () => {
    const unpriced = () => blocking({ model: "claude-unpriced" });
    const budgeted = new MemoryLogger();
    const h = governed({ limits: { usd_per_day: 1 } }, { logger: budgeted });
    for (let i = 0; i < 3; i++) expect((await h.bridge.handle(unpriced())).status).toBe(200);
    const warnings = budgeted.lines.filter((l) => l.message.includes("has no price"));
    expect(warnings).toEqual([
      expect.objectContaining({ level: "warn", fields: { model: "claude-unpriced" } }),
    ]);
    const counted = new MemoryLogger();
    const g = governed({ limits: { requests_per_minute: 10 } }, { logger: counted });
    expect((await g.bridge.handle(unpriced())).status).toBe(200);
    expect(counted.lines.filter((l) => l.message.includes("has no price"))).toEqual([]);
  });
});

describe("concurrency", () => {
  it("`concurrent_requests` caps a user's requests in flight, streams until they end", async () => {
    const h = governed(
      { concurrentRequests: 2 },
      { upstream: async () => sseResponse(MESSAGE_START + TEXT_DELTA + MESSAGE_END) },
    );
    const first = await h.bridge.handle(messagesRequest({ stream: true }));
    const second = await h.bridge.handle(messagesRequest({ stream: true }));
    const third = await h.bridge.handle(messagesRequest({ stream: true }));
    expect(third.status).toBe(429);
    expect(third.headers.get("retry-after")).toBe("1");
    expect((await third.json()).error.message).toContain("2 requests in progress");
    await first.text();
    const fourth = await h.bridge.handle(messagesRequest({ stream: true }));
    expect(fourth.status).toBe(200);
    await second.text();
    await fourth.text();
    expect(h.seen).toHaveLength(3);
  });

  it("`server.max_inflight` sheds load with 503 and retry-after while a stream holds the slot", async () => {
    const h = governed(
      {},
      { maxInflight: 1, upstream: async () => sseResponse(MESSAGE_START + TEXT_DELTA + MESSAGE_END) },
    );
    const stream = await h.bridge.handle(messagesRequest({ stream: true }));
    expect(stream.status).toBe(200);
    const shed = await h.bridge.handle(messagesRequest({ stream: true }));
    expect(shed.status).toBe(503);
    expect(shed.headers.get("retry-after")).toBe("1");
    expect(await shed.json()).toMatchObject({ type: "error", error: { type: "overloaded_error" } });
    // Liveness is never shed.
    expect((await h.bridge.handle(new Request("http://bridge.test/healthz"))).status).toBe(200);
    await stream.text();
    const next = await h.bridge.handle(messagesRequest({ stream: false }));
    expect(next.status).toBe(200);
    await next.text();
    expect(h.seen).toHaveLength(2);
  });
});
