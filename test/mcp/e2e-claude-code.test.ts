import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT, type RunningServer, startServer } from "../helpers/server-process.ts";
import { type CapturedRequest, startUpstream, type UpstreamScript } from "../helpers/upstream-server.ts";
import { streamTurn } from "./anthropic-script.ts";
import { startEverythingServer } from "./helpers/everything-server.ts";

const run = promisify(execFile);
const CLAUDE = join(ROOT, "node_modules/.bin/claude");

interface SentBody {
  model: string;
  tools?: { name: string }[];
  messages: { role: string; content: string | { type: string; content?: unknown }[] }[];
}

/** A model that calls the injected echo tool once, then repeats what the tool answered. */
function model(request: CapturedRequest): UpstreamScript {
  const body = JSON.parse(request.body) as SentBody;
  const last = body.messages.at(-1)!;
  const result = Array.isArray(last.content) ? last.content.find((b) => b.type === "tool_result") : undefined;
  if (result) {
    const text = JSON.stringify(result.content).match(/Echo: [a-z ]+/)?.[0] ?? "no result";
    return {
      chunks: [streamTurn({ id: "msg_cc2", text: `The MCP tool answered: ${text}`, input: 40, output: 8 })],
    };
  }
  return {
    chunks: [
      streamTurn({
        id: "msg_cc1",
        calls: [{ id: "toolu_cc", name: "cw__everything__echo", input: { message: "hello from causeway" } }],
      }),
    ],
  };
}

describe("Claude Code with an injected MCP tool", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let everything: Awaited<ReturnType<typeof startEverythingServer>>;
  let server: RunningServer;
  let home: string;
  beforeAll(async () => {
    [upstream, everything] = await Promise.all([startUpstream(model), startEverythingServer()]);
    server = await startServer({
      env: { ANTHROPIC_API_KEY: "sk-ant-enterprise-cc", CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url },
      config: `mcp:\n  servers:\n    - name: everything\n      url: ${everything.url}\n      allow: ["^echo$"]\n`,
    });
    home = mkdtempSync(join(tmpdir(), "cw-claude-"));
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await Promise.all([upstream?.close(), everything?.stop()]);
    if (home) rmSync(home, { recursive: true, force: true });
  });

  it("prints the answer the model built from the tool result; the audit shows the injected call", async () => {
    const key = await server.createUser("cc-user");
    const { stdout } = await run(CLAUDE, ["-p", "say hello through the echo tool"], {
      cwd: home,
      timeout: 60_000,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: home,
        ANTHROPIC_BASE_URL: `${server.url}/anthropic`,
        ANTHROPIC_API_KEY: key,
        CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC: "1",
        DISABLE_TELEMETRY: "1",
      },
    });
    expect(stdout).toContain("The MCP tool answered: Echo: hello from causeway");
    const messages = upstream.requests.filter((r) => r.url.startsWith("/v1/messages"));
    expect(messages.length).toBeGreaterThanOrEqual(2);
    const first = JSON.parse(messages[0]!.body) as SentBody;
    expect(first.tools?.[0]?.name).toBe("cw__everything__echo");
    const [row] = await server.interceptions("--user", "cc-user");
    expect(row).toMatchObject({ client: "claude-code", status: "completed" });
    expect(row!.tools).toContainEqual(
      expect.objectContaining({ name: "echo", server: "everything", injected: true, error: null }),
    );
  });
});
