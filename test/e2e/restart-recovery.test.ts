import { afterAll, describe, expect, it } from "vitest";
import { FIRST_EVENT } from "../behaviour/sse.ts";
import { startServer } from "../helpers/server-process.ts";
import { startUpstream } from "../helpers/upstream-server.ts";

type Row = Record<string, unknown>;

/**
 * Issue 17.1 ("the interception never gets a terminal status, not even after a restart"): a
 * bridge killed mid-stream leaves its interception open; the next start on the same store ends
 * it as `failed`, so every interception ends exactly once across a crash.
 */
describe("interceptions left open by a killed bridge", () => {
  const cleanup: (() => Promise<unknown>)[] = [];
  afterAll(async () => {
    for (const step of cleanup.reverse()) await step();
  });

  it("are ended as failed at the next start (SQLite), with a warn line", { timeout: 60_000 }, async () => {
    const upstream = await startUpstream(() => ({
      headers: { "content-type": "text/event-stream" },
      chunks: [FIRST_EVENT],
      end: "stall",
    }));
    cleanup.push(() => upstream.close());
    const env = { ANTHROPIC_API_KEY: "sk-ant-restart", CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url };
    const first = await startServer({ env });
    cleanup.push(() => first.stop());
    const key = await first.createUser("restart");
    const response = await fetch(`${first.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "content-type": "application/json", "x-api-key": key, "anthropic-version": "2023-06-01" },
      body: JSON.stringify({
        model: "claude-restart",
        max_tokens: 8,
        stream: true,
        messages: [{ role: "user", content: "hi" }],
      }),
    });
    const reader = response.body!.getReader();
    await reader.read();
    // The start must be stored before the kill (it is batched): wait until the store shows it open.
    let open: Row[] = [];
    for (let i = 0; i < 100 && open.length === 0; i++) {
      open = (JSON.parse(await first.cli("interceptions", "list", "--json")) as Row[]).filter(
        (row) => row.status === null,
      );
      if (open.length === 0) await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect(open).toHaveLength(1);
    // Killed without its store being removed (stop() would delete the directory).
    const exited = new Promise((resolve) => first.child.once("exit", resolve));
    first.child.kill("SIGKILL");
    await exited;
    await reader.cancel().catch(() => {});

    const second = await startServer({ env: { ...env, CAUSEWAY_DB: first.db } });
    cleanup.push(() => second.stop());
    const rows = JSON.parse(await second.cli("interceptions", "list", "--json")) as Row[];
    expect(rows).toHaveLength(1);
    expect(rows[0]!.id).toBe(open[0]!.id);
    expect(rows[0]!.status).toBe("failed");
    expect(rows[0]!.ended_at).not.toBeNull();
    const warned = second
      .logs()
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as Row)
      .find((line) => line.message === "closed interceptions an earlier run left open");
    expect(warned?.count).toBe(1);
  });
});
