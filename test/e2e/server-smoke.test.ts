import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { startUpstream } from "../helpers/upstream-server.ts";

describe("the real server process", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: RunningServer;
  beforeAll(async () => {
    upstream = await startUpstream(() => ({
      body: '{"type":"message","content":[],"usage":{"input_tokens":3,"output_tokens":4}}',
    }));
    server = await startServer({
      env: { ANTHROPIC_API_KEY: "sk-ent-smoke", CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
  });

  it("answers /healthz without auth", async () => {
    const response = await fetch(`${server.url}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: "ok" });
  });

  it("proxies a blocking Messages call for a user created with the CLI and audits it", async () => {
    const key = await server.createUser("smoke");
    const response = await fetch(`${server.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
      body: JSON.stringify({
        model: "claude-smoke",
        max_tokens: 5,
        messages: [{ role: "user", content: "ping" }],
      }),
    });
    expect(response.status).toBe(200);
    expect(upstream.requests.at(-1)?.headers["x-api-key"]).toBe("sk-ent-smoke");
    expect(upstream.requests.at(-1)?.headers.authorization).toBeUndefined();
    const [row] = await server.interceptions();
    expect(row).toMatchObject({
      user: "smoke",
      model: "claude-smoke",
      status: "completed",
      http_status: 200,
      prompts: ["ping"],
    });
    expect(row?.id).toBe(response.headers.get("x-causeway-request-id"));
    expect(row?.tokens).toMatchObject({ input: 3, output: 4 });
  });
});
