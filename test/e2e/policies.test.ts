import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import Anthropic from "@anthropic-ai/sdk";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  BUDGET_BODY,
  BUDGET_CONFIG,
  BUDGET_MODEL,
  fiftyAgainstTen,
  heldBudgetUpstream,
  REQUEST_COST,
} from "../helpers/budget-scenario.ts";
import { ROOT, type RunningServer, startServer } from "../helpers/server-process.ts";

/**
 * Budgets on the real `causeway serve` (Bun, SQLite): they hold under concurrency, stop the
 * official SDKs' retries, survive a restart (the ledger is rebuilt from the audit), show in `causeway usage --budgets`, and a typo
 * in `policies` stops the server with a message naming the key.
 */
describe("usage budgets on one instance (SQLite)", () => {
  let held: Awaited<ReturnType<typeof heldBudgetUpstream>>;
  let server: RunningServer;
  let key: string;
  const dir = mkdtempSync(join(tmpdir(), "causeway-budgets-"));
  const env = () => ({
    ANTHROPIC_API_KEY: "sk-ant-enterprise-budgets",
    CAUSEWAY_ANTHROPIC_BASE_URL: held.upstream.url,
    OPENAI_API_KEY: "sk-openai-enterprise-budgets",
    CAUSEWAY_OPENAI_BASE_URL: held.upstream.url,
    // Outside the server's own directory, which `stop` deletes: the restart must find it.
    CAUSEWAY_DB: join(dir, "causeway.db"),
  });
  const send = () =>
    fetch(`${server.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json", "anthropic-version": "2023-06-01" },
      body: BUDGET_BODY,
    });

  beforeAll(async () => {
    held = await heldBudgetUpstream();
    server = await startServer({ env: env(), config: BUDGET_CONFIG });
    key = await server.createUser("alice");
  });
  afterAll(async () => {
    await server?.stop();
    await held?.upstream.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it("50 simultaneous requests against a budget for 10 reach the upstream 10 times; the rest get 429", async () => {
    const statuses = await fiftyAgainstTen([server.url], key, held);
    expect(statuses.filter((s) => s === 200)).toHaveLength(10);
    expect(statuses.filter((s) => s === 429)).toHaveLength(40);
    const rows = await server.interceptions("--limit", "100");
    const rejected = rows.filter((r) => r.status === "rejected");
    expect(rejected).toHaveLength(40);
    expect(rejected.every((r) => r.user === "alice" && r.http_status === 429)).toBe(true);
  });

  it("a spent budget says which limit and until when, and tells SDKs not to retry", async () => {
    const response = await send();
    expect(response.status).toBe(429);
    // Hours away: clients are told not to retry, and no retry-after invites them to wait (in a
    // day's last minute the wait is short enough for a retry-after instead).
    const wait = response.headers.get("retry-after");
    if (wait === null) expect(response.headers.get("x-should-retry")).toBe("false");
    else expect(Number(wait)).toBeLessThanOrEqual(60);
    const body = (await response.json()) as { error: { type: string; message: string } };
    expect(body.error.type).toBe("rate_limit_error");
    expect(body.error.message).toMatch(
      /^You have reached your usage limit of \$0\.\d\d per day\. It frees up in /,
    );
  });

  it("the official SDKs, with their default retries, make one attempt on a spent budget", async () => {
    const rejected = async () =>
      (await server.interceptions("--user", "alice", "--limit", "1000")).filter(
        (r) => r.status === "rejected",
      ).length;
    // In a day's last minute the refusal carries a short retry-after, which the SDKs do wait out.
    const lastMinute = 86_400_000 - (Date.now() % 86_400_000) < 61_000;
    const before = await rejected();
    const anthropic = new Anthropic({ apiKey: key, baseURL: `${server.url}/anthropic` });
    const openai = new OpenAI({ apiKey: key, baseURL: `${server.url}/openai/v1` });
    const messages = [{ role: "user" as const, content: "one more?" }];
    await expect(
      anthropic.messages.create({ model: BUDGET_MODEL, max_tokens: 100, messages }),
    ).rejects.toMatchObject({
      status: 429,
      error: { error: { type: "rate_limit_error" } },
    });
    await expect(openai.chat.completions.create({ model: BUDGET_MODEL, messages })).rejects.toMatchObject({
      status: 429,
      code: "rate_limit_exceeded",
    });
    if (!lastMinute) expect((await rejected()) - before).toBe(2);
  });

  it("`causeway usage --budgets` shows the day's spend against the limit", async () => {
    const run = await server.command("usage", "--budgets", "--user", "alice", "--json");
    expect(run.code).toBe(0);
    const rows = JSON.parse(run.stdout) as {
      limit: string;
      used: number;
      max: number | null;
      remaining: number | null;
    }[];
    const day = rows.find((r) => r.limit === "usd_per_day");
    expect(day).toMatchObject({
      used: (10 * REQUEST_COST) / 1e6,
      max: (10 * REQUEST_COST) / 1e6,
      remaining: 0,
    });
    expect(rows.find((r) => r.limit === "tokens_per_day")?.used).toBe(10 * REQUEST_COST);
    const text = await server.command("usage", "--budgets");
    expect(text.stdout).toMatch(/alice\s+usd_per_day\s+\$0\.\d\d\s+\$0\.\d\d/);
  });

  it("a restart forgets no spend: the budget is rebuilt from the audit", async () => {
    // The user's key lives in the database, which survives the restart.
    await server.stop();
    server = await startServer({ env: env(), config: BUDGET_CONFIG });
    expect((await send()).status).toBe(429);
    expect(held.upstream.requests.filter((r) => r.url.includes("/v1/messages"))).toHaveLength(10);
  });

  it("a typo in `policies` stops the command with the key named, before anything runs", async () => {
    const config = join(dir, "typo.yaml");
    writeFileSync(config, "policies:\n  default:\n    usd_per_dya: 5\n");
    const run = await new Promise<{ code: number; stderr: string }>((resolve) =>
      execFile(
        join(ROOT, "bin/causeway"),
        ["serve"],
        { cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: dir, CAUSEWAY_CONFIG: config } },
        (error, _stdout, stderr) =>
          resolve({ code: error && typeof error.code === "number" ? error.code : 0, stderr }),
      ),
    );
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("policies.default.usd_per_dya");
  });
});
