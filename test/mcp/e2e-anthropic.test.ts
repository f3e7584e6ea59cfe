import Anthropic from "@anthropic-ai/sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { type CapturedRequest, startUpstream, type UpstreamScript } from "../helpers/upstream-server.ts";
import { blockingTurn, type ScriptTurn, streamTurn } from "./anthropic-script.ts";
import { startEverythingServer } from "./helpers/everything-server.ts";
import { startTestMcpServer } from "./helpers/test-mcp-server.ts";

/**
 * End to end: the Anthropic SDK → the real `causeway serve` process → a fake Anthropic upstream
 * that asks for injected tools, with the tools run on the real server-everything and on our test
 * MCP server. The SDK must see one clean message; the audit must show the injected calls.
 */

interface SentBody {
  model: string;
  stream?: boolean;
  tools?: { name: string }[];
  messages: { role: string; content: string | { type: string; content?: { text?: string }[] }[] }[];
}

/** The upstream model: first turn calls the tool named by the model id, second turn quotes the result. */
function model(request: CapturedRequest): UpstreamScript {
  const body = JSON.parse(request.body) as SentBody;
  const last = body.messages.at(-1)!;
  const result = Array.isArray(last.content) ? last.content.find((b) => b.type === "tool_result") : undefined;
  const [tool, input] =
    body.model === "claude-sum"
      ? ["cw__everything__get-sum", { a: 2, b: 40 }]
      : body.model === "claude-slow"
        ? ["cw__test__slow", {}]
        : ["cw__test__whoami", {}];
  const turn: ScriptTurn = result
    ? { id: "msg_2", text: `Tool said: ${result.content?.[0]?.text}`, input: 50, output: 9 }
    : {
        id: "msg_1",
        text: "Let me use a tool.",
        calls: [{ id: "toolu_1", name: tool, input }],
        input: 20,
        output: 6,
      };
  return body.stream ? { chunks: [streamTurn(turn)] } : { body: blockingTurn(turn) };
}

describe("MCP tools end to end with the Anthropic SDK", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let everything: Awaited<ReturnType<typeof startEverythingServer>>;
  let mcp: Awaited<ReturnType<typeof startTestMcpServer>>;
  let server: RunningServer;
  let key: string;
  let client: Anthropic;

  beforeAll(async () => {
    [upstream, everything, mcp] = await Promise.all([
      startUpstream(model),
      startEverythingServer(),
      startTestMcpServer(),
    ]);
    server = await startServer({
      env: {
        ANTHROPIC_API_KEY: "sk-ant-enterprise-mcp-e2e",
        CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url,
        MCP_TEST_TOKEN: "mcp-secret-1",
      },
      config: [
        "mcp:",
        "  tool_timeout_ms: 20000",
        "  servers:",
        "    - name: everything",
        `      url: ${everything.url}`,
        '      allow: ["^(echo|get-sum)$"]',
        "    - name: test",
        `      url: ${mcp.url}`,
        '      headers: { authorization: "Bearer ${MCP_TEST_TOKEN}", x-user: "${user.name}" }',
        '      allow: ["^(whoami|slow)$"]',
        "",
      ].join("\n"),
    });
    key = await server.createUser("mcp-user");
    client = new Anthropic({ apiKey: key, baseURL: `${server.url}/anthropic`, maxRetries: 0 });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await Promise.all([upstream?.close(), everything?.stop(), mcp?.close()]);
  });

  const latest = async () => (await server.interceptions("--limit", "1"))[0]!;
  const params = (model: string) => ({
    model,
    max_tokens: 100,
    messages: [{ role: "user" as const, content: "add 2 and 40" }],
  });

  it("streams one message: the tool ran on server-everything, the call is hidden, usage is summed", async () => {
    const before = upstream.requests.length;
    const stream = client.messages.stream(params("claude-sum"));
    const types: string[] = [];
    stream.on("streamEvent", (event) => types.push(event.type));
    const message = await stream.finalMessage();
    expect(message.content).toEqual(
      [
        { type: "text", text: "Let me use a tool.", citations: null },
        { type: "text", text: "Tool said: The sum of 2 and 40 is 42.", citations: null },
      ].map((b) => expect.objectContaining({ type: b.type, text: b.text })),
    );
    expect(message.stop_reason).toBe("end_turn");
    expect(message.usage).toMatchObject({ input_tokens: 70, output_tokens: 15 });
    expect(types.filter((t) => t === "message_start")).toHaveLength(1);
    expect(types.filter((t) => t === "message_stop")).toHaveLength(1);

    const sent = upstream.requests.slice(before).map((r) => JSON.parse(r.body) as SentBody);
    expect(sent).toHaveLength(2);
    expect(sent[0]!.tools!.map((t) => t.name)).toEqual([
      "cw__everything__echo",
      "cw__everything__get-sum",
      "cw__test__slow",
      "cw__test__whoami",
    ]);
    expect(upstream.requests.at(-1)!.headers["x-api-key"]).toBe("sk-ant-enterprise-mcp-e2e");

    const row = await latest();
    expect(row).toMatchObject({ status: "completed", streaming: true, tokens: { input: 70, output: 15 } });
    expect(row.tools).toEqual([
      {
        name: "get-sum",
        call_id: "toolu_1",
        injected: true,
        server: "everything",
        args: { a: 2, b: 40 },
        error: null,
      },
    ]);
  });

  it("answers a blocking request with one merged message", async () => {
    const message = await client.messages.create(params("claude-sum"));
    expect(message.content.map((b) => (b.type === "text" ? b.text : b.type))).toEqual([
      "Let me use a tool.",
      "Tool said: The sum of 2 and 40 is 42.",
    ]);
    expect(message.id).toBe("msg_1");
    expect(message.usage).toMatchObject({ input_tokens: 70, output_tokens: 15 });
    expect(await latest()).toMatchObject({
      status: "completed",
      streaming: false,
      tools: [expect.objectContaining({ name: "get-sum", injected: true })],
    });
  });

  it("calls per-user MCP servers with that user's header and never the client key (MCP-03, MCP-04)", async () => {
    const message = await client.messages.create(params("claude-who"));
    expect(message.content.at(-1)).toMatchObject({ text: "Tool said: user=mcp-user" });
    for (const headers of mcp.seenHeaders) {
      expect(headers.authorization).toBe("Bearer mcp-secret-1");
      expect(headers["x-user"]).toBe("mcp-user");
      expect(JSON.stringify(headers)).not.toContain(key);
      expect(JSON.stringify(headers)).not.toContain("sk-ant-enterprise");
    }
  });

  it("cancels the running MCP call when the client disconnects, and stops the loop (CLI-04)", async () => {
    const before = upstream.requests.length;
    const controller = new AbortController();
    const response = await fetch(`${server.url}/anthropic/v1/messages`, {
      method: "POST",
      headers: { "x-api-key": key, "content-type": "application/json" },
      body: JSON.stringify({ ...params("claude-slow"), stream: true }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    const pump = (async () => {
      try {
        for (;;) if ((await reader.read()).done) return;
      } catch {}
    })();
    for (let i = 0; i < 100 && !mcp.calls.some((c) => c.tool === "slow"); i++)
      await new Promise((r) => setTimeout(r, 50));
    controller.abort();
    await pump;
    for (let i = 0; i < 100 && mcp.cancelled.length === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(mcp.cancelled).toEqual(["slow"]);
    await new Promise((r) => setTimeout(r, 300));
    expect(upstream.requests.length - before).toBe(1);
    const row = await latest();
    expect(row).toMatchObject({ status: "client_cancelled" });
    expect(row.tools).toEqual([
      expect.objectContaining({
        name: "slow",
        injected: true,
        server: "test",
        error: expect.stringContaining("cancelled"),
      }),
    ]);
  });
});
