import { createServer, type IncomingHttpHeaders } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { textStreamChunks } from "../helpers/anthropic-wire.ts";
import { runClaude } from "../helpers/client-cli.ts";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { type CapturedRequest, startUpstream } from "../helpers/upstream-server.ts";

/**
 * The real Claude Code CLI (`claude -p`, offline) pointed at the real `causeway serve` process,
 * with a fake Anthropic upstream streaming a normal answer. Claude Code must print the streamed
 * text; the upstream must see Claude Code's own request with the enterprise key instead of the
 * user's; the audit must name the user, the client and Claude Code's session.
 */

const ENTERPRISE_KEY = "sk-ant-enterprise-claude-code";
const PARTS = ["Hello ", "from the ", "fake upstream ", "through Causeway."];
const USAGE = {
  input_tokens: 1234,
  output_tokens: 17,
  cache_read_input_tokens: 4096,
  cache_creation_input_tokens: 512,
};
/** Claude Code is killed after this, under the test timeout. */
const HARD_TIMEOUT_MS = 40_000;

/** Claude Code's main call; anything else it sends (title generation, /api/hello) is answered too. */
function answer(request: CapturedRequest) {
  if (request.url.startsWith("/v1/messages?") || request.url === "/v1/messages") {
    const { model } = JSON.parse(request.body) as { model: string };
    return { chunks: textStreamChunks({ model, parts: PARTS, usage: USAGE }) };
  }
  return {
    status: 404,
    body: JSON.stringify({ type: "error", error: { type: "not_found_error", message: "Not found" } }),
  };
}

interface Tapped {
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** Headers a hop may set or recompute: the only ones allowed to differ between client and upstream. */
const HOP_HEADERS = new Set([
  "host",
  "connection",
  "content-length",
  "accept-encoding",
  "transfer-encoding",
  "keep-alive",
]);
const CREDENTIAL_HEADERS = new Set(["x-api-key", "authorization"]);

/**
 * A recording hop between Claude Code and the bridge: it keeps the exact bytes and headers
 * Claude Code sent, so the test can compare them with what reached the upstream.
 */
async function startTap(target: string) {
  const tapped: Tapped[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (chunk: Buffer) => parts.push(chunk));
    req.on("end", async () => {
      const body = Buffer.concat(parts);
      tapped.push({ url: req.url ?? "", headers: req.headers, body });
      const headers = new Headers();
      for (const [name, value] of Object.entries(req.headers)) {
        if (!HOP_HEADERS.has(name) && typeof value === "string") headers.set(name, value);
      }
      const method = req.method ?? "GET";
      const response = await fetch(`${target}${req.url}`, {
        method,
        headers,
        ...(method === "GET" || method === "HEAD" ? {} : { body }),
      });
      const out: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        if (!HOP_HEADERS.has(name) && name !== "content-encoding") out[name] = value;
      });
      res.writeHead(response.status, out);
      const reader = response.body?.getReader();
      for (;;) {
        const chunk = await reader?.read();
        if (!chunk || chunk.done) break;
        res.write(chunk.value);
      }
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tapped,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe("Claude Code through the real server", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: RunningServer;
  let tap: Awaited<ReturnType<typeof startTap>>;
  let userKey: string;

  beforeAll(async () => {
    upstream = await startUpstream(answer);
    server = await startServer({
      env: { ANTHROPIC_API_KEY: ENTERPRISE_KEY, CAUSEWAY_ANTHROPIC_BASE_URL: upstream.url },
    });
    tap = await startTap(server.url);
    userKey = await server.createUser("cc-dev");
  });
  afterAll(async () => {
    await tap?.close();
    await server?.stop();
    await upstream?.close();
  });

  const cases = [
    { name: "ANTHROPIC_API_KEY (x-api-key)", variable: "ANTHROPIC_API_KEY", tapped: false },
    { name: "ANTHROPIC_AUTH_TOKEN (Authorization: Bearer)", variable: "ANTHROPIC_AUTH_TOKEN", tapped: false },
    { name: "ANTHROPIC_API_KEY, recorded on its way in", variable: "ANTHROPIC_API_KEY", tapped: true },
  ];

  for (const { name, variable, tapped } of cases) {
    it(`claude -p prints the streamed answer and is audited, with ${name}`, async () => {
      const before = upstream.requests.length;
      const run = await runClaude(
        { ANTHROPIC_BASE_URL: `${tapped ? tap.url : server.url}/anthropic`, [variable]: userKey },
        "hello",
        HARD_TIMEOUT_MS,
      );
      expect(run.stderr).not.toContain(userKey);
      expect(run.code, `claude failed: ${run.stderr}`).toBe(0);
      expect(run.stdout.trim()).toBe(PARTS.join(""));

      const calls = upstream.requests.slice(before).filter((r) => r.url.startsWith("/v1/messages"));
      expect(calls.length).toBeGreaterThanOrEqual(1);
      for (const call of upstream.requests.slice(before)) {
        expect(JSON.stringify(call.headers)).not.toContain(userKey);
        expect(call.body).not.toContain(userKey);
      }
      const main = calls.find((r) => (JSON.parse(r.body) as { stream?: boolean }).stream === true)!;
      expect(main.method).toBe("POST");
      expect(main.url).toBe("/v1/messages?beta=true");
      expect(main.headers["x-api-key"]).toBe(ENTERPRISE_KEY);
      expect(main.headers.authorization).toBeUndefined();
      expect(main.headers["anthropic-version"]).toBe("2023-06-01");
      expect(main.headers["anthropic-beta"]).toContain("claude-code-20250219");
      expect(main.headers["x-app"]).toBe("cli");
      expect(main.headers["user-agent"]).toMatch(/^claude-cli\//);
      const sessionId = main.headers["x-claude-code-session-id"];
      expect(sessionId).toMatch(/^[0-9a-f-]{36}$/);

      if (tapped) {
        // Exactly what Claude Code sent, minus its credential and hop-by-hop headers.
        const sent = tap.tapped.findLast((t) => t.url === "/anthropic/v1/messages?beta=true")!;
        expect(sent.headers["x-api-key"]).toBe(userKey);
        expect(Buffer.from(main.body, "utf8").equals(sent.body)).toBe(true);
        for (const [header, value] of Object.entries(sent.headers)) {
          if (HOP_HEADERS.has(header) || CREDENTIAL_HEADERS.has(header)) continue;
          expect(main.headers[header], header).toBe(value);
        }
      }

      // Claude Code's body reached the upstream as sent: its unusual parts are intact.
      const body = JSON.parse(main.body) as {
        messages: { role: string }[];
        system: { cache_control?: unknown }[];
        metadata: { user_id: string };
        thinking: unknown;
      };
      expect(body.messages.some((m) => m.role === "system")).toBe(true);
      expect(body.system.some((block) => block.cache_control !== undefined)).toBe(true);
      expect(body.thinking).toBeDefined();
      expect(JSON.parse(body.metadata.user_id)).toMatchObject({ session_id: sessionId });

      const [row] = await server.interceptions("--user", "cc-dev", "--limit", "1");
      expect(row).toMatchObject({
        user: "cc-dev",
        provider: "anthropic",
        api: "anthropic.messages",
        client: "claude-code",
        session_id: sessionId,
        streaming: true,
        status: "completed",
        http_status: 200,
        tokens: { input: 1234, output: 17, cache_read: 4096, cache_write: 512, reasoning: 0 },
        tools: [],
      });
      expect(row?.model).toBe((JSON.parse(main.body) as { model: string }).model);
      expect(row?.user_agent).toBe(main.headers["user-agent"]);
      // Claude Code puts a system-reminder block before what was typed; the audit keeps the typed text.
      expect(row?.prompts).toEqual(["hello"]);
    }, 60_000);
  }
});
