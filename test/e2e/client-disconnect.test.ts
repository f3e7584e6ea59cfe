import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { textStreamChunks } from "../helpers/anthropic-wire.ts";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { startUpstream } from "../helpers/upstream-server.ts";

/**
 * A client that walks away mid-stream, through the real server: the bridge aborts the upstream
 * request promptly and the interception ends as client_cancelled with the usage seen so far.
 */

describe("client disconnect through the real server", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: RunningServer;
  let client: Anthropic;

  beforeAll(async () => {
    // message_start, content_block_start, ping, one delta; then the upstream goes quiet.
    const start = textStreamChunks({
      model: "claude-long",
      parts: ["first words"],
      usage: { input_tokens: 77, output_tokens: 1 },
    }).slice(0, 4);
    upstream = await startUpstream(() => ({ chunks: start, end: "stall" }));
    server = await startServer({
      env: { ANTHROPIC_API_KEY: "sk-ant-enterprise-disconnect", CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url },
    });
    client = new Anthropic({
      apiKey: await server.createUser("quitter"),
      baseURL: `${server.url}/anthropic`,
      maxRetries: 0,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
  });

  it("aborting the SDK stream aborts the upstream request and records client_cancelled", async () => {
    const stream = client.messages.stream({
      model: "claude-long",
      max_tokens: 1000,
      messages: [{ role: "user", content: "tell me a long story" }],
    });
    const firstText = await new Promise<string>((resolve) => stream.on("text", resolve));
    expect(firstText).toBe("first words");
    const abortedAt = Date.now();
    stream.abort();
    await stream.done().catch(() => undefined);

    while (upstream.aborted.length === 0 && Date.now() - abortedAt < 5000)
      await new Promise((r) => setTimeout(r, 25));
    expect(upstream.aborted).toEqual(["/v1/messages"]);
    // The issue asks for "within a second"; the bound is generous for a loaded machine.
    expect(Date.now() - abortedAt).toBeLessThan(3000);

    const [row] = await server.interceptions("--limit", "1");
    expect(row).toMatchObject({
      user: "quitter",
      model: "claude-long",
      streaming: true,
      status: "client_cancelled",
      prompts: ["tell me a long story"],
      tokens: { input: 77 },
    });
    expect(row?.ended_at).not.toBeNull();
  });
});
