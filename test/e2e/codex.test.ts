import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCodex } from "../helpers/client-cli.ts";
import { responsesFunctionCallChunks, responsesStreamChunks } from "../helpers/openai-wire.ts";
import { type RunningServer, startServer } from "../helpers/server-process.ts";
import { type CapturedRequest, startUpstream, type UpstreamScript } from "../helpers/upstream-server.ts";

/**
 * The real Codex CLI (`codex exec`, offline) with a custom provider (`wire_api = "responses"`)
 * pointed at the real `causeway serve` process, and a fake OpenAI upstream streaming a valid
 * Responses answer. Codex must print the upstream's answer; the upstream must get Codex's own
 * request with the enterprise key; the audit must name the user, the client (codex), Codex's
 * session, the tokens, the prompt and the reasoning summary.
 */

const ENTERPRISE_KEY = "sk-openai-enterprise-codex";
const PIECES = ["Hello ", "from the fake upstream ", "through Causeway."];
const USAGE = { input: 5100, cached: 4096, output: 48, reasoning: 32 };
const SUMMARY = "**Greeting**\n\nThe user wants a greeting.";

const TOOL_PROMPT = "Run the marker command";
const TOOL_CALL = {
  callId: "call_e2e_exec",
  name: "exec_command",
  args: '{"cmd":"echo causeway-tool-marker"}',
};

function answer(request: CapturedRequest): UpstreamScript {
  if (request.method === "POST" && request.url === "/v1/responses") {
    const { model, input } = JSON.parse(request.body) as { model: string; input: { type?: string }[] };
    // The tool scenario: first a function call, then (once Codex sends its output) the answer.
    const toolTurn =
      request.body.includes(TOOL_PROMPT) && !input.some((item) => item.type === "function_call_output");
    if (toolTurn) return { chunks: responsesFunctionCallChunks(model, TOOL_CALL, USAGE) };
    return { chunks: responsesStreamChunks(model, PIECES, USAGE, SUMMARY) };
  }
  return {
    status: 404,
    body: JSON.stringify({
      error: { message: "Not found", type: "invalid_request_error", param: null, code: null },
    }),
  };
}

describe("Codex through the real server", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let server: RunningServer;

  beforeAll(async () => {
    upstream = await startUpstream(answer);
    server = await startServer({
      env: { OPENAI_API_KEY: ENTERPRISE_KEY, CAUSEWAY_OPENAI_BASE_URL: upstream.url },
    });
  });
  afterAll(async () => {
    await server?.stop();
    await upstream?.close();
  });

  it("codex exec prints the upstream's answer, and the audit names user, client, session, tokens and prompt", async () => {
    const key = await server.createUser("codex-dev");
    const run = await runCodex(`${server.url}/openai/v1`, key, "Please greet me", "gpt-codex-e2e");
    const output = run.stdout + run.stderr;
    expect(run.code, output).toBe(0);
    expect(run.stdout).toContain(PIECES.join(""));

    const calls = upstream.requests.filter((r) => r.method === "POST" && r.url === "/v1/responses");
    expect(calls).toHaveLength(1);
    const call = calls[0]!;
    expect(call.headers.authorization).toBe(`Bearer ${ENTERPRISE_KEY}`);
    expect(JSON.stringify(call.headers)).not.toContain(key);
    expect(call.headers["user-agent"]).toMatch(/^codex/);
    const body = JSON.parse(call.body) as {
      stream: boolean;
      store: boolean;
      input: unknown[];
      tools: { type: string }[];
    };
    // Codex's own request, untouched: its tool types and store:false reach the upstream.
    expect(body.stream).toBe(true);
    expect(body.store).toBe(false);
    expect(body.tools.map((t) => t.type)).toEqual(
      expect.arrayContaining(["function", "namespace", "web_search"]),
    );

    const session = call.headers["session-id"] ?? call.headers.session_id;
    expect(typeof session).toBe("string");
    expect(output).toContain(session as string);
    const [row] = await server.interceptions("--user", "codex-dev");
    expect(row).toMatchObject({
      user: "codex-dev",
      provider: "openai",
      api: "openai.responses",
      model: "gpt-codex-e2e",
      streaming: true,
      client: "codex",
      session_id: session,
      status: "completed",
      http_status: 200,
      prompts: ["Please greet me"],
      thoughts: [SUMMARY],
      tokens: { input: 1004, cache_read: 4096, output: 48, reasoning: 32, cache_write: 0 },
    });
    expect(row?.user_agent).toMatch(/^codex/);
  }, 90_000);

  it("a tool round trip: the call is audited as a client tool, and the reasoning state comes back untouched", async () => {
    const key = await server.createUser("codex-tools");
    const before = upstream.requests.length;
    const run = await runCodex(`${server.url}/openai/v1`, key, TOOL_PROMPT, "gpt-codex-e2e");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain(PIECES.join(""));

    const calls = upstream.requests
      .slice(before)
      .filter((r) => r.method === "POST" && r.url === "/v1/responses");
    expect(calls).toHaveLength(2);
    const second = JSON.parse(calls[1]!.body) as { input: Record<string, unknown>[] };
    const output = second.input.find((item) => item.type === "function_call_output");
    expect(output).toMatchObject({ call_id: TOOL_CALL.callId });
    // Codex sends the reasoning item back (store:false): its encrypted_content survived the bridge.
    expect(second.input.find((item) => item.type === "reasoning")).toMatchObject({
      encrypted_content: "gAAAAABe2eOpaqueReasoning==",
    });

    const rows = await server.interceptions("--user", "codex-tools");
    expect(rows).toHaveLength(2);
    const [answerRow, toolRow] = rows; // newest first
    expect(toolRow).toMatchObject({
      client: "codex",
      status: "completed",
      prompts: [TOOL_PROMPT],
      tools: [
        {
          name: "exec_command",
          call_id: TOOL_CALL.callId,
          injected: false,
          args: { cmd: "echo causeway-tool-marker" },
        },
      ],
    });
    expect(answerRow).toMatchObject({
      client: "codex",
      status: "completed",
      prompts: [TOOL_PROMPT],
      tools: [],
    });
    expect(answerRow?.session_id).toBe(toolRow?.session_id);
  }, 90_000);
});
