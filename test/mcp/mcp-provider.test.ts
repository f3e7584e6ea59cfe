import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type McpSettings, McpToolProvider } from "../../adapters/mcp/mcp-tool-provider.ts";
import type { Principal } from "../../core/ports/auth.ts";
import { MemoryLogger } from "../../core/ports/logger.ts";
import { startEverythingServer } from "./helpers/everything-server.ts";
import { startTestMcpServer, TINY_PNG } from "./helpers/test-mcp-server.ts";

const alice: Principal = { userId: "u-alice", name: "alice", roles: [] };
const bob: Principal = { userId: "u-bob", name: "bob", roles: [] };
const never = new AbortController().signal;

function settings(servers: McpSettings["servers"], extra: Partial<McpSettings> = {}): McpSettings {
  return { servers, toolTimeoutMs: 60_000, maxRounds: 10, maxResultBytes: 1024 * 1024, ...extra };
}

async function eventually<T>(probe: () => Promise<T> | T, ok: (value: T) => boolean, ms = 5_000): Promise<T> {
  const until = Date.now() + ms;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > until) return value;
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("McpToolProvider against @modelcontextprotocol/server-everything", () => {
  let everything: Awaited<ReturnType<typeof startEverythingServer>>;
  let provider: McpToolProvider;
  beforeAll(async () => {
    everything = await startEverythingServer();
    provider = new McpToolProvider(
      settings([
        {
          name: "everything",
          url: everything.url,
          allow: ["^(echo|get-sum|get-tiny-image|get-env)$"],
          deny: ["^get-env$"],
        },
      ]),
      {},
      new MemoryLogger(),
    );
    await provider.start(10_000);
  });
  afterAll(async () => {
    await provider?.close();
    await everything?.stop();
  });

  it("lists the allowed tools in a stable order with their schemas (deny wins)", async () => {
    const tools = await provider.listTools(alice);
    expect(tools.map((t) => `${t.server}/${t.name}`)).toEqual([
      "everything/echo",
      "everything/get-sum",
      "everything/get-tiny-image",
    ]);
    expect(tools[0]!.inputSchema).toMatchObject({
      type: "object",
      properties: { message: { type: "string" } },
    });
    expect(await provider.listTools(bob)).toEqual(tools);
  });

  it("calls tools and maps text and image content", async () => {
    expect(await provider.callTool(alice, "everything", "get-sum", { a: 2, b: 40 }, never)).toEqual({
      content: [{ type: "text", text: "The sum of 2 and 40 is 42." }],
      isError: false,
    });
    const image = await provider.callTool(alice, "everything", "get-tiny-image", {}, never);
    expect(
      image.content.some((c) => c.type === "image" && c.mimeType === "image/png" && c.data.length > 100),
    ).toBe(true);
  });

  it("lets a slow tool that reports progress run past tool_timeout_ms, up to the hard cap (MCP-11)", async () => {
    const slow = new McpToolProvider(
      settings([{ name: "everything", url: everything.url, allow: ["^trigger-long-running-operation$"] }], {
        toolTimeoutMs: 700,
      }),
      {},
      new MemoryLogger(),
    );
    try {
      await slow.start(10_000);
      expect(slow.limits.callTimeoutMs).toBe(300_000);
      const result = await slow.callTool(
        alice,
        "everything",
        "trigger-long-running-operation",
        { duration: 1.6, steps: 4 },
        never,
      );
      expect(result.content[0]).toMatchObject({
        type: "text",
        text: expect.stringContaining("Long running operation completed"),
      });
    } finally {
      await slow.close();
    }
  });

  it("refuses to call a tool outside allow/deny even when named directly (MCP-02)", async () => {
    await expect(provider.callTool(alice, "everything", "get-env", {}, never)).rejects.toThrow(/not offered/);
  });
});

describe("McpToolProvider against our test MCP server", () => {
  let server: Awaited<ReturnType<typeof startTestMcpServer>>;
  let provider: McpToolProvider;
  const logger = new MemoryLogger();
  beforeAll(async () => {
    server = await startTestMcpServer();
    provider = new McpToolProvider(
      settings(
        [
          {
            name: "test",
            url: server.url,
            deny: ["^admin_"],
            headers: { authorization: "Bearer ${TEST_MCP_TOKEN}" },
          },
        ],
        { toolTimeoutMs: 300 },
      ),
      { TEST_MCP_TOKEN: "mcp-token-1" },
      logger,
    );
    await provider.start(10_000);
  });
  afterAll(async () => {
    await provider?.close();
    await server?.close();
  });

  it("sends only the configured headers (MCP-04)", async () => {
    await provider.callTool(alice, "test", "echo", { message: "x" }, never);
    for (const headers of server.seenHeaders) {
      expect(headers.authorization).toBe("Bearer mcp-token-1");
      expect(headers["x-api-key"]).toBeUndefined();
    }
  });

  it("never lists denied tools", async () => {
    const names = (await provider.listTools(alice)).map((t) => t.name);
    expect(names).toContain("echo");
    expect(names).not.toContain("admin_delete");
    expect(names).toEqual([...names].sort());
  });

  it("surfaces tool failures: thrown errors reject, error results are flagged", async () => {
    await expect(provider.callTool(alice, "test", "fail", {}, never)).rejects.toThrow(/backend is down/);
    expect(await provider.callTool(alice, "test", "soft_fail", {}, never)).toEqual({
      content: [{ type: "text", text: "not allowed today" }],
      isError: true,
    });
  });

  it("cancels a call on abort: the server receives notifications/cancelled (MCP-11, CLI-04)", async () => {
    const controller = new AbortController();
    const call = provider.callTool(alice, "test", "slow", {}, controller.signal);
    await eventually(
      () => server.calls.filter((c) => c.tool === "slow").length,
      (n) => n > 0,
    );
    controller.abort("client");
    await expect(call).rejects.toThrow();
    expect(
      await eventually(
        () => server.cancelled.length,
        (n) => n > 0,
      ),
    ).toBe(1);
  });

  it("times out a call that never answers and cancels it on the server", async () => {
    const before = server.cancelled.length;
    await expect(provider.callTool(alice, "test", "slow", {}, never)).rejects.toThrow(/timed out/i);
    expect(
      await eventually(
        () => server.cancelled.length,
        (n) => n > before,
      ),
    ).toBe(before + 1);
  });

  it("maps non-text content: images kept, audio and links as placeholders", async () => {
    const result = await provider.callTool(alice, "test", "media", {}, never);
    expect(result.content).toEqual([
      { type: "image", data: TINY_PNG, mimeType: "image/png" },
      { type: "other", description: "audio content (audio/wav) not shown" },
      { type: "other", description: "resource link: report file:///report.pdf" },
    ]);
  });

  it("refreshes the tool list on notifications/tools/list_changed", async () => {
    await server.addTool({ name: "late_tool", description: "added later", inputSchema: { type: "object" } });
    const names = await eventually(
      async () => (await provider.listTools(alice)).map((t) => t.name),
      (n) => n.includes("late_tool"),
    );
    expect(names).toContain("late_tool");
  });
});

describe("McpToolProvider per-user headers and failing servers", () => {
  it("keys sessions per user when headers use user placeholders (MCP-03)", async () => {
    const server = await startTestMcpServer();
    const provider = new McpToolProvider(
      settings([{ name: "test", url: server.url, headers: { "x-user": "${user.name}" } }]),
      {},
      new MemoryLogger(),
    );
    try {
      await provider.start(1_000);
      expect(server.seenHeaders).toHaveLength(0); // per-user sessions open on first use
      const a = await provider.callTool(alice, "test", "whoami", {}, never);
      const b = await provider.callTool(bob, "test", "whoami", {}, never);
      expect(a.content).toEqual([{ type: "text", text: "user=alice" }]);
      expect(b.content).toEqual([{ type: "text", text: "user=bob" }]);
      const sessions = (user: string) =>
        new Set(
          server.seenHeaders
            .filter((h) => h["x-user"] === user)
            .map((h) => h["mcp-session-id"])
            .filter(Boolean),
        );
      expect([...sessions("alice")].some((id) => sessions("bob").has(id))).toBe(false);
    } finally {
      await provider.close();
      await server.close();
    }
  });

  it("does not fail startup on an unreachable server, logs it, and connects once it is up", async () => {
    const logger = new MemoryLogger();
    const server = await startTestMcpServer();
    const url = server.url;
    await server.close();
    const provider = new McpToolProvider(settings([{ name: "down", url }]), {}, logger);
    try {
      await provider.start(2_000);
      expect(await provider.listTools(alice)).toEqual([]);
      expect(
        logger.lines.some(
          (l) => l.message === "mcp server unavailable; retrying" && l.fields?.server === "down",
        ),
      ).toBe(true);
      const revived = await startTestMcpServer(server.port);
      try {
        const names = await eventually(
          async () => (await provider.listTools(alice)).map((t) => t.name),
          (n) => n.length > 0,
          10_000,
        );
        expect(names).toContain("echo");
      } finally {
        await revived.close();
      }
    } finally {
      await provider.close();
    }
  });

  it("disables a server whose header names a missing environment variable", () => {
    const logger = new MemoryLogger();
    new McpToolProvider(
      settings([{ name: "s", url: "http://127.0.0.1:9/mcp", headers: { authorization: "Bearer ${NOPE}" } }]),
      {},
      logger,
    );
    expect(logger.lines).toEqual([
      expect.objectContaining({
        level: "error",
        message: "mcp server disabled",
        fields: { server: "s", error: expect.stringContaining("NOPE") },
      }),
    ]);
  });
});
