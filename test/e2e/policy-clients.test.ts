import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { textStreamChunks } from "../helpers/anthropic-wire.ts";
import { type CodexOptions, runClaude, runCodex } from "../helpers/client-cli.ts";
import { responsesStreamChunks } from "../helpers/openai-wire.ts";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { type CapturedRequest, startUpstream, type UpstreamScript } from "../helpers/upstream-server.ts";

/**
 * What a developer sees when the bridge's policy refuses them: the real Claude Code CLI
 * (`claude -p`) and the real Codex CLI (`codex exec`, Responses wire API), offline, against the
 * real `causeway serve` process with a fake upstream. Each case counts the client's attempts in
 * the audit (every refusal is a `rejected` row naming the user and the client), times the run and
 * checks that the upstream never saw a refused request. docs/policies.md, "What Claude Code and
 * Codex do when refused", describes what these tests pin.
 */

const ANSWER = "Hello through Causeway.";
/** Worth $0.02 at the test's price of $1 per million tokens: more than a $0.01 budget. */
const COSTLY_USAGE = {
  input_tokens: 19_990,
  output_tokens: 10,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
};
const CODEX_MODEL = "gpt-codex-e2e";

const CONFIG = `
pricing: # one price for every model, so the budget does not depend on Claude Code's default model
  ".*": { input: 1, output: 1 }
policies:
  users:
    cc-spent: { usd_per_month: 0.01 }
    cc-models: { models: ["some-other-model"] }
    cc-rpm: { requests_per_minute: 1 }
    codex-spent: { usd_per_month: 0 }
    codex-models: { models: ["some-other-model"] }
`;

/** An answer to every model request, so that a request the policy should have refused succeeds. */
function answer(request: CapturedRequest): UpstreamScript {
  if (request.url.startsWith("/v1/messages")) {
    const { model } = JSON.parse(request.body) as { model: string };
    return { chunks: textStreamChunks({ model, parts: [ANSWER], usage: COSTLY_USAGE }) };
  }
  if (request.url === "/v1/responses") {
    const { model } = JSON.parse(request.body) as { model: string };
    const usage = { input: 10, cached: 0, output: 5, reasoning: 0 };
    return { chunks: responsesStreamChunks(model, [ANSWER], usage, "") };
  }
  return { status: 404, body: JSON.stringify({ error: { message: "Not found" } }) };
}

/** Far more than any of these runs needs, far less than a client waiting out a retry-after. */
const QUICK_MS = 10_000;
const LIMIT_MESSAGE =
  /You have reached your usage limit of \$\d+\.\d\d per month\. It frees up in \d+ (s|min|h|d)( \d+ (min|h))?\./;

describe("Claude Code and Codex refused by a usage policy", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: RunningServer;

  beforeAll(async () => {
    upstream = await startUpstream(answer);
    server = await startServer({
      config: CONFIG,
      env: {
        ANTHROPIC_API_KEY: "sk-ant-enterprise-policy",
        CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url,
        OPENAI_API_KEY: "sk-openai-enterprise-policy",
        CAUSEWAY_OPENAI_BASE_URL: upstream.url,
      },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
  });

  /** Model requests the upstream got since `from` (refused requests must never be among them). */
  const modelCalls = (from: number) =>
    upstream.requests
      .slice(from)
      .filter((r) => r.url.startsWith("/v1/messages") || r.url === "/v1/responses");

  /**
   * The user's audit rows, newest first, once each refusal among them is checked: `rejected`,
   * with this HTTP status, naming the user and the client.
   */
  async function audit(user: string, client: "claude-code" | "codex", httpStatus: number) {
    const rows = await server.interceptions("--user", user);
    for (const row of rows.filter((r) => r.status === "rejected"))
      expect(row).toMatchObject({ user, client, http_status: httpStatus });
    return rows;
  }

  /** Killed after `timeoutMs`, under the test's own timeout. */
  const claude = (key: string, timeoutMs = 40_000) =>
    runClaude({ ANTHROPIC_BASE_URL: `${server.url}/anthropic`, ANTHROPIC_API_KEY: key }, "hello", timeoutMs);
  const codex = (key: string, options?: CodexOptions) =>
    runCodex(`${server.url}/openai/v1`, key, "Please greet me", CODEX_MODEL, options);

  it("Claude Code, monthly budget spent by an earlier request: prints the limit, exits 1 after one attempt", async () => {
    const key = await server.createUser("cc-spent");
    const first = await claude(key);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.stdout.trim()).toBe(ANSWER);

    const before = upstream.requests.length;
    const run = await claude(key);
    expect(run.code).toBe(1);
    expect(run.stdout.trim()).toMatch(
      new RegExp(`^API Error: Request rejected \\(429\\) · ${LIMIT_MESSAGE.source}$`),
    );
    // The month's end is far: x-should-retry is false and there is no retry-after (in all but
    // a month's last minute): no second attempt, no waiting.
    expect(run.elapsedMs).toBeLessThan(QUICK_MS);
    const rows = await audit("cc-spent", "claude-code", 429);
    expect(rows.map((r) => r.status)).toEqual(["rejected", "completed"]);
    expect(modelCalls(before)).toEqual([]);
  }, 60_000);

  it("Claude Code, model not allowed: prints the 403 as an authentication failure, exits 1, no retry", async () => {
    const key = await server.createUser("cc-models");
    const before = upstream.requests.length;
    const run = await claude(key);
    const rows = await audit("cc-models", "claude-code", 403);
    expect(rows.map((r) => r.status)).toEqual(["rejected"]);
    expect(run.code).toBe(1);
    expect(run.stdout.trim()).toBe(
      `Failed to authenticate. API Error: 403 Your usage policy does not allow the model "${rows[0]?.model}".`,
    );
    expect(run.elapsedMs).toBeLessThan(QUICK_MS);
    expect(modelCalls(before)).toEqual([]);
  }, 60_000);

  it("Claude Code, requests_per_minute used up: waits for retry-after, retries once and answers", async () => {
    const key = await server.createUser("cc-rpm");
    // The retry can only succeed in the next minute: start 15 s before one ends, so the test
    // waits up to ~50 s here instead of Claude Code waiting up to 75 s (retry-after plus jitter).
    await untilSecondsLeftInMinute(15, 5);
    const first = await claude(key);
    expect(first.code, first.stdout + first.stderr).toBe(0);

    const before = upstream.requests.length;
    const run = await claude(key);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout.trim()).toBe(ANSWER);
    const rows = await audit("cc-rpm", "claude-code", 429);
    expect(rows.map((r) => r.status)).toEqual(["completed", "rejected", "completed"]);
    // The retry came once the minute had ended, not before: Claude Code waited for retry-after.
    const refusedAt = Date.parse(rows[1]?.started_at as string);
    const minuteEnd = Math.ceil((refusedAt + 1) / 60_000) * 60_000;
    expect(Date.parse(rows[0]?.started_at as string)).toBeGreaterThanOrEqual(minuteEnd);
    expect(run.elapsedMs).toBeLessThan(30_000);
    expect(modelCalls(before)).toHaveLength(1);
  }, 100_000);

  it("Codex, budget spent: one attempt, exits 1 at once (no retry-after to sleep out), with its own message", async () => {
    const key = await server.createUser("codex-spent");
    const before = upstream.requests.length;
    const run = await codex(key);
    expect(run.code, run.stdout + run.stderr).toBe(1);
    expect(run.stderr).toContain("ERROR: exceeded retry limit, last status: 429 Too Many Requests");
    // Codex never prints a 429's body: `causeway usage --budgets` tells which limit it was.
    expect(run.stdout + run.stderr).not.toContain("usage limit");
    expect(run.elapsedMs).toBeLessThan(QUICK_MS);
    const rows = await audit("codex-spent", "codex", 429);
    expect(rows.map((r) => r.status)).toEqual(["rejected"]);
    expect(modelCalls(before)).toEqual([]);
  }, 60_000);

  it("Codex, model not allowed: shows the 403 message after stream_max_retries (5) retries with back-off", async () => {
    const key = await server.createUser("codex-models");
    const before = upstream.requests.length;
    const run = await codex(key);
    expect(run.code).toBe(1);
    expect(run.stderr).toContain("ERROR: Reconnecting... 5/5");
    expect(run.stderr).toContain(
      `ERROR: unexpected status 403 Forbidden: Your usage policy does not allow the model "${CODEX_MODEL}".`,
    );
    // The first try and Codex's default stream_max_retries = 5: a bounded, short burst.
    const rows = await audit("codex-models", "codex", 403);
    expect(rows.map((r) => r.status)).toEqual(Array(6).fill("rejected"));
    expect(run.elapsedMs).toBeLessThan(20_000);
    expect(modelCalls(before)).toEqual([]);
  }, 60_000);
});

/** Waits, if need be, until between `min` and `max` seconds are left in the current UTC minute. */
async function untilSecondsLeftInMinute(max: number, min: number): Promise<void> {
  const left = 60 - (Date.now() % 60_000) / 1000;
  if (left >= min && left <= max) return;
  const wait = left > max ? left - max : left + 60 - max;
  await new Promise((resolve) => setTimeout(resolve, wait * 1000));
}
