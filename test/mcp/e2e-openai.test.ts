import { spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decodeSse } from "../../core/sse/decoder.ts";
import type { ChatUsage, ResponsesUsage } from "../helpers/openai-wire.ts";
import { ROOT, type RunningServer, startServer } from "../helpers/server-process.ts";
import { type CapturedRequest, startUpstream, type UpstreamScript } from "../helpers/upstream-server.ts";
import { startEverythingServer } from "./helpers/everything-server.ts";
import {
  type ChatTurn,
  chatTurnBody,
  chatTurnChunks,
  type FunctionCall,
  type ResponsesTurn,
  responsesTurnBody,
  responsesTurnChunks,
} from "./helpers/openai-tool-turns.ts";

/**
 * End to end, OpenAI side of the tool loop: the official `openai` SDK (chat and responses,
 * blocking and streamed) and the real Codex CLI → the real `causeway serve` process (Bun) with
 * `@modelcontextprotocol/server-everything` configured over Streamable HTTP → a fake OpenAI
 * upstream whose first turn calls the injected tool(s) and whose second turn answers from the tool
 * results. The client must see one clean answer (no injected call, no `cw__` anywhere, keep-alives
 * while a slow tool runs), the upstream's second request must carry the real tool results, and
 * the audit must show the injected calls and the tokens of both turns.
 */

const ENTERPRISE_KEY = "sk-openai-enterprise-mcp-e2e";
const CODEX = join(ROOT, "node_modules/.bin/codex");
const CODEX_MODEL = "gpt-codex-mcp";
const SUM_RESULT = "The sum of 2 and 40 is 42.";
const SUM_CALL: FunctionCall = {
  id: "call_mcp_sum",
  name: "cw__everything__get-sum",
  args: '{"a":2,"b":40}',
};
const ECHO_CALL: FunctionCall = {
  id: "call_codex_echo",
  name: "cw__everything__echo",
  args: '{"message":"hello from causeway"}',
};
const SLOW_CALL: FunctionCall = {
  id: "call_mcp_slow",
  name: "cw__everything__trigger-long-running-operation",
  args: '{"duration":1,"steps":2}',
};
const SLOW_RESULT = "Long running operation completed. Duration: 1 seconds, Steps: 2.";
/** Injected in this order: servers as configured, tools by name, after the client's own tools. */
const INJECTED = ["cw__everything__echo", "cw__everything__get-sum", SLOW_CALL.name];
const PING_INTERVAL_MS = 150;

const CHAT_USAGE: [ChatUsage, ChatUsage] = [
  { prompt: 120, cached: 64, completion: 18, reasoning: 0 },
  { prompt: 180, cached: 128, completion: 12, reasoning: 0 },
];
const RESPONSES_USAGE: [ResponsesUsage, ResponsesUsage] = [
  { input: 200, cached: 100, output: 40, reasoning: 24 },
  { input: 260, cached: 200, output: 15, reasoning: 0 },
];
/** The audit's view of both turns together: input is the uncached part, cache reads apart. */
const CHAT_TOKENS = { input: 108, cache_read: 192, output: 30, reasoning: 0, cache_write: 0 };
const RESPONSES_TOKENS = { input: 160, cache_read: 300, output: 55, reasoning: 24, cache_write: 0 };

interface ChatBody {
  model: string;
  stream?: boolean;
  stream_options?: { include_usage?: boolean };
  tools?: { type: string; function: { name: string } }[];
  messages: { role: string; content?: unknown; tool_call_id?: string; tool_calls?: unknown }[];
}

interface ResponsesBody {
  model: string;
  stream?: boolean;
  store?: boolean;
  tools?: { type: string; name?: string }[];
  input: string | Record<string, unknown>[];
}

/** Client tools the requests declare; the "mixed" models call one alongside an injected tool. */
const CLIENT_CALL: FunctionCall = {
  id: "call_client_lookup",
  name: "client_lookup",
  args: '{"q":"weather"}',
};
const PARALLEL_ECHO: FunctionCall = {
  id: "call_mcp_echo",
  name: "cw__everything__echo",
  args: '{"message":"hi"}',
};

/**
 * The first turn's calls per model id: "parallel" calls two injected tools, "mixed" adds a client
 * call, "slow" calls the long-running tool (1 s, with progress notifications).
 */
function firstTurnCalls(model: string): FunctionCall[] {
  if (model.endsWith("-slow")) return [SLOW_CALL];
  if (model.endsWith("-parallel")) return [PARALLEL_ECHO, SUM_CALL];
  if (model.endsWith("-mixed")) return [SUM_CALL, CLIENT_CALL];
  return [SUM_CALL];
}

function chatModel(request: CapturedRequest): UpstreamScript {
  const body = JSON.parse(request.body) as ChatBody;
  const lastAssistant = body.messages.findLastIndex((m) => m.role === "assistant");
  const results = body.messages.slice(lastAssistant + 1).filter((m) => m.role === "tool");
  const parallel = body.model.endsWith("-parallel") || body.model.endsWith("-slow");
  const turn: ChatTurn =
    results.length > 0
      ? {
          id: "chatcmpl-mcp-2",
          model: body.model,
          text: `The tool said: ${results.map((m) => m.content).join(" | ")}`,
          usage: CHAT_USAGE[1],
        }
      : {
          id: "chatcmpl-mcp-1",
          model: body.model,
          ...(parallel ? {} : { text: "Let me add those." }),
          calls: firstTurnCalls(body.model),
          usage: CHAT_USAGE[0],
        };
  // Like OpenAI, the usage chunk comes only when the request asks for it.
  const includeUsage = body.stream_options?.include_usage === true;
  return body.stream ? { chunks: chatTurnChunks(turn, includeUsage) } : { body: chatTurnBody(turn) };
}

function responsesModel(request: CapturedRequest): UpstreamScript {
  const body = JSON.parse(request.body) as ResponsesBody;
  const input = Array.isArray(body.input) ? body.input : [];
  const results = input.filter((item) => item.type === "function_call_output");
  const codex = body.model === CODEX_MODEL;
  const common = { model: body.model, tools: body.tools ?? [], store: body.store !== false };
  const answer = (text: string): ResponsesTurn => ({
    ...common,
    id: codex ? "resp_codex_2" : "resp_mcp_2",
    text,
    usage: RESPONSES_USAGE[1],
  });
  if (body.model.endsWith("-direct")) return responsesReply(body, answer("No tool needed."));
  const turn: ResponsesTurn =
    results.length > 0
      ? answer(
          `${codex ? "The MCP tool answered" : "The tool said"}: ${results.map((r) => r.output).join(" | ")}`,
        )
      : {
          ...common,
          id: codex ? "resp_codex_1" : "resp_mcp_1",
          reasoning: "I should use the tool.",
          calls: codex ? [ECHO_CALL] : firstTurnCalls(body.model),
          usage: RESPONSES_USAGE[0],
        };
  return responsesReply(body, turn);
}

const responsesReply = (body: ResponsesBody, turn: ResponsesTurn): UpstreamScript =>
  body.stream ? { chunks: responsesTurnChunks(turn) } : { body: responsesTurnBody(turn) };

function model(request: CapturedRequest): UpstreamScript {
  if (request.method === "POST" && request.url === "/v1/chat/completions") return chatModel(request);
  if (request.method === "POST" && request.url === "/v1/responses") return responsesModel(request);
  const error = { message: "Not found", type: "invalid_request_error", param: null, code: null };
  return { status: 404, body: JSON.stringify({ error }) };
}

/** Runs `codex exec` (offline) against the bridge with a throwaway HOME; killed after 45 s. */
async function runCodex(baseUrl: string, key: string, prompt: string) {
  const home = mkdtempSync(join(tmpdir(), "codex-mcp-"));
  const provider = `model_providers.cw={name="cw", base_url="${baseUrl}", wire_api="responses", env_key="CW_KEY"}`;
  const args = [
    "exec",
    "--skip-git-repo-check",
    "-c",
    "model_provider=cw",
    "-c",
    provider,
    "-m",
    CODEX_MODEL,
  ];
  try {
    const child = spawn(CODEX, [...args, prompt], {
      cwd: home,
      env: { PATH: process.env.PATH ?? "", HOME: home, CW_KEY: key },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d: Buffer) => (stdout += d.toString()));
    child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
    const killer = setTimeout(() => child.kill("SIGKILL"), 45_000);
    // "close", not "exit": only then has all of stdout and stderr arrived.
    const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
    clearTimeout(killer);
    return { code, stdout, stderr };
  } finally {
    rmSync(home, { recursive: true, force: true });
  }
}

type Json = Record<string, unknown>;

describe("MCP tools end to end with the OpenAI SDK and Codex", () => {
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let everything: Awaited<ReturnType<typeof startEverythingServer>>;
  let server: RunningServer;
  let client: OpenAI;
  /** The raw bytes of every answer the SDK read, as they came over the wire. */
  const wire: Promise<string>[] = [];

  beforeAll(async () => {
    [upstream, everything] = await Promise.all([startUpstream(model), startEverythingServer()]);
    server = await startServer({
      env: { OPENAI_API_KEY: ENTERPRISE_KEY, CAUSEWAY_OPENAI_BASE_URL: upstream.url },
      config: [
        "limits:",
        `  ping_interval_ms: ${PING_INTERVAL_MS}`,
        "mcp:",
        "  tool_timeout_ms: 20000",
        "  servers:",
        "    - name: everything",
        `      url: ${everything.url}`,
        '      allow: ["^(echo|get-sum|trigger-long-running-operation)$"]',
        "",
      ].join("\n"),
    });
    const key = await server.createUser("openai-mcp-user");
    client = new OpenAI({
      apiKey: key,
      baseURL: `${server.url}/openai/v1`,
      maxRetries: 0,
      fetch: async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
        const response = await fetch(input, init);
        if (!response.body) return response;
        const [sdk, mine] = response.body.tee();
        wire.push(new Response(mine).text());
        return new Response(sdk, { status: response.status, headers: response.headers });
      },
    });
  }, 60_000);
  afterAll(async () => {
    await server?.stop();
    await Promise.all([upstream?.close(), everything?.stop()]);
  });

  const lastWire = (): Promise<string> => wire.at(-1)!;
  const latest = async () => (await server.interceptions("--limit", "1"))[0]!;
  /** The upstream requests made since `before`, parsed. */
  const sentSince = <T>(before: number): T[] =>
    upstream.requests.slice(before).map((r) => JSON.parse(r.body) as T);

  const auditedCall = (call: FunctionCall, args: Json) => ({
    name: call.name.replace("cw__everything__", ""),
    call_id: call.id,
    injected: true,
    server: "everything",
    args,
    error: null,
  });

  describe("Chat Completions", () => {
    const params = {
      model: "gpt-4.1-mini",
      messages: [{ role: "user" as const, content: "add 2 and 40" }],
      tools: [
        {
          type: "function" as const,
          function: { name: "client_lookup", parameters: { type: "object", properties: {} } },
        },
      ],
    };

    /** The upstream saw the injected tools appended, then the real tool result on the second turn. */
    const expectChatRoundTrip = (before: number, stream: boolean) => {
      const sent = sentSince<ChatBody>(before);
      expect(sent).toHaveLength(2);
      expect(sent[0]!.tools!.map((t) => t.function.name)).toEqual(["client_lookup", ...INJECTED]);
      expect(sent[0]!.stream ?? false).toBe(stream);
      expect(sent[1]!.messages).toEqual([
        params.messages[0],
        {
          role: "assistant",
          content: "Let me add those.",
          tool_calls: [
            {
              id: SUM_CALL.id,
              type: "function",
              function: { name: SUM_CALL.name, arguments: SUM_CALL.args },
            },
          ],
        },
        { role: "tool", tool_call_id: SUM_CALL.id, content: SUM_RESULT },
      ]);
      for (const request of upstream.requests.slice(before)) {
        expect(request.headers.authorization).toBe(`Bearer ${ENTERPRISE_KEY}`);
      }
    };

    it("create (blocking): one merged completion, the first turn's id, summed usage; audited", async () => {
      const before = upstream.requests.length;
      const completion = await client.chat.completions.create(params);
      expect(completion.id).toBe("chatcmpl-mcp-1");
      expect(completion.choices).toHaveLength(1);
      const choice = completion.choices[0]!;
      expect(choice.message.content).toBe(`Let me add those.\n\nThe tool said: ${SUM_RESULT}`);
      expect(choice.message.tool_calls ?? []).toEqual([]);
      expect(choice.finish_reason).toBe("stop");
      expect(completion.usage).toMatchObject({
        prompt_tokens: 300,
        completion_tokens: 30,
        total_tokens: 330,
        prompt_tokens_details: { cached_tokens: 192 },
      });
      expect(await lastWire()).not.toContain("cw__");
      expectChatRoundTrip(before, false);

      const row = await latest();
      expect(row).toMatchObject({
        user: "openai-mcp-user",
        api: "openai.chat",
        status: "completed",
        streaming: false,
        tokens: CHAT_TOKENS,
      });
      expect(row.tools).toEqual([auditedCall(SUM_CALL, { a: 2, b: 40 })]);
    });

    it("stream: one coherent stream (one id, one finish, one usage chunk, one [DONE]); audited", async () => {
      const before = upstream.requests.length;
      const stream = client.chat.completions.stream({ ...params, stream_options: { include_usage: true } });
      const completion = await stream.finalChatCompletion();
      expect(completion.id).toBe("chatcmpl-mcp-1");
      expect(completion.choices[0]!.message.content).toBe(
        `Let me add those.\n\nThe tool said: ${SUM_RESULT}`,
      );
      expect(completion.choices[0]!.message.tool_calls ?? []).toEqual([]);
      expect(completion.choices[0]!.finish_reason).toBe("stop");
      expect(completion.usage).toMatchObject({
        prompt_tokens: 300,
        completion_tokens: 30,
        total_tokens: 330,
      });

      const raw = await lastWire();
      expect(raw).not.toContain("cw__");
      const events = decodeSse(raw);
      expect(events.filter((e) => e.data === "[DONE]")).toHaveLength(1);
      expect(events.at(-1)!.data).toBe("[DONE]");
      const chunks = events.slice(0, -1).map((e) => JSON.parse(e.data) as Json & { choices: Json[] });
      expect(new Set(chunks.map((c) => c.id))).toEqual(new Set(["chatcmpl-mcp-1"]));
      expect(new Set(chunks.map((c) => c.created)).size).toBe(1);
      const finishes = chunks.flatMap((c) => c.choices.map((ch) => ch.finish_reason)).filter((f) => f);
      expect(finishes).toEqual(["stop"]);
      const roles = chunks.filter((c) => (c.choices[0]?.delta as Json | undefined)?.role !== undefined);
      expect(roles).toHaveLength(1);
      const usage = chunks.filter((c) => c.usage);
      expect(usage).toHaveLength(1);
      expect(usage[0]).toBe(chunks.at(-1));
      expect(usage[0]!.usage).toMatchObject({ prompt_tokens: 300, completion_tokens: 30, total_tokens: 330 });

      expectChatRoundTrip(before, true);
      const row = await latest();
      expect(row).toMatchObject({
        api: "openai.chat",
        status: "completed",
        streaming: true,
        tokens: CHAT_TOKENS,
      });
      expect(row.tools).toEqual([auditedCall(SUM_CALL, { a: 2, b: 40 })]);
    });

    it("stream without include_usage: the bridge still asks upstream, the client gets no usage, the audit sums", async () => {
      const before = upstream.requests.length;
      const stream = await client.chat.completions.create({ ...params, stream: true });
      let text = "";
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? "";
      expect(text).toBe(`Let me add those.\n\nThe tool said: ${SUM_RESULT}`);
      const raw = await lastWire();
      expect(raw).not.toContain("cw__");
      expect(raw).not.toContain('"usage"');
      expect(decodeSse(raw).filter((e) => e.data === "[DONE]")).toHaveLength(1);
      const sent = sentSince<ChatBody>(before);
      expect(sent.map((b) => b.stream_options)).toEqual([{ include_usage: true }, { include_usage: true }]);
      expect(await latest()).toMatchObject({ status: "completed", streaming: true, tokens: CHAT_TOKENS });
    });
    it("stream, two injected calls in one turn: both run on the MCP server, both results go back", async () => {
      const before = upstream.requests.length;
      const stream = client.chat.completions.stream({ ...params, model: "gpt-4.1-parallel" });
      const completion = await stream.finalChatCompletion();
      const results = `Echo: hi | ${SUM_RESULT}`;
      expect(completion.choices[0]!.message.content).toBe(`The tool said: ${results}`);
      expect(completion.choices[0]!.message.tool_calls ?? []).toEqual([]);
      expect(await lastWire()).not.toContain("cw__");
      const sent = sentSince<ChatBody>(before);
      expect(sent).toHaveLength(2);
      expect(sent[1]!.messages.slice(1)).toEqual([
        {
          role: "assistant",
          content: null,
          tool_calls: [PARALLEL_ECHO, SUM_CALL].map((c) => ({
            id: c.id,
            type: "function",
            function: { name: c.name, arguments: c.args },
          })),
        },
        { role: "tool", tool_call_id: PARALLEL_ECHO.id, content: "Echo: hi" },
        { role: "tool", tool_call_id: SUM_CALL.id, content: SUM_RESULT },
      ]);
      const row = await latest();
      expect(row).toMatchObject({ status: "completed", tokens: CHAT_TOKENS });
      expect(row.tools).toEqual(
        expect.arrayContaining([
          auditedCall(PARALLEL_ECHO, { message: "hi" }),
          auditedCall(SUM_CALL, { a: 2, b: 40 }),
        ]),
      );
      expect(row.tools).toHaveLength(2);
    });

    it("stream, a mixed turn: the client gets only its own call (index 0); the injected one is not run", async () => {
      const before = upstream.requests.length;
      const stream = client.chat.completions.stream({ ...params, model: "gpt-4.1-mixed" });
      const completion = await stream.finalChatCompletion();
      const choice = completion.choices[0]!;
      expect(choice.finish_reason).toBe("tool_calls");
      expect(choice.message.content).toBe("Let me add those.");
      expect(choice.message.tool_calls).toEqual([
        {
          id: CLIENT_CALL.id,
          type: "function",
          function: { name: CLIENT_CALL.name, arguments: CLIENT_CALL.args },
        },
      ]);
      const raw = await lastWire();
      expect(raw).not.toContain("cw__");
      const indexes = decodeSse(raw)
        .filter((e) => e.data !== "[DONE]")
        .flatMap(
          (e) =>
            (JSON.parse(e.data) as { choices: { delta?: { tool_calls?: { index: number }[] } }[] }).choices,
        )
        .flatMap((c) => c.delta?.tool_calls ?? [])
        .map((t) => t.index);
      expect(new Set(indexes)).toEqual(new Set([0]));
      expect(upstream.requests.length - before).toBe(1);
      const row = await latest();
      expect(row).toMatchObject({ status: "completed", streaming: true });
      expect(row.tools).toEqual(
        expect.arrayContaining([
          {
            name: "client_lookup",
            call_id: CLIENT_CALL.id,
            injected: false,
            server: null,
            args: { q: "weather" },
            error: null,
          },
          { ...auditedCall(SUM_CALL, { a: 2, b: 40 }), error: expect.stringContaining("not run") },
        ]),
      );
      expect(row.tools).toHaveLength(2);
    });
    it("stream, a slow tool: keep-alive comments flow while it runs, the SDK ignores them", async () => {
      const stream = client.chat.completions.stream({ ...params, model: "gpt-4.1-slow" });
      const completion = await stream.finalChatCompletion();
      expect(completion.choices[0]!.message.content).toBe(`The tool said: ${SLOW_RESULT}`);
      const raw = await lastWire();
      expect(raw.split(": keep-alive\n\n").length - 1).toBeGreaterThanOrEqual(3);
      expect(raw).not.toContain("cw__");
      expect(decodeSse(raw).filter((e) => e.data === "[DONE]")).toHaveLength(1);
      expect((await latest()).tools).toEqual([auditedCall(SLOW_CALL, { duration: 1, steps: 2 })]);
    });
  });

  describe("Responses", () => {
    const params = {
      model: "gpt-5-mini",
      input: "add 2 and 40",
      tools: [
        {
          type: "function" as const,
          name: "client_lookup",
          parameters: { type: "object", properties: {} },
          strict: false,
        },
      ],
    };

    /** Injected tools appended; the second turn carries the first turn's items and the real result. */
    const expectResponsesRoundTrip = (before: number, stream: boolean) => {
      const sent = sentSince<ResponsesBody>(before);
      expect(sent).toHaveLength(2);
      expect(sent[0]!.tools!.map((t) => t.name)).toEqual(["client_lookup", ...INJECTED]);
      expect(sent[0]!.stream ?? false).toBe(stream);
      expect(sent[1]!.input).toEqual([
        { role: "user", content: "add 2 and 40" },
        expect.objectContaining({ type: "reasoning", encrypted_content: "gAAAAB-resp_mcp_1-opaque==" }),
        expect.objectContaining({
          type: "function_call",
          call_id: SUM_CALL.id,
          name: SUM_CALL.name,
          arguments: SUM_CALL.args,
        }),
        { type: "function_call_output", call_id: SUM_CALL.id, output: SUM_RESULT },
      ]);
      for (const request of upstream.requests.slice(before)) {
        expect(request.headers.authorization).toBe(`Bearer ${ENTERPRISE_KEY}`);
      }
    };

    it("create (blocking): one merged response, the last turn's id, visible items of both turns; audited", async () => {
      const before = upstream.requests.length;
      const response = await client.responses.create(params);
      expect(response.id).toBe("resp_mcp_2");
      expect(response.status).toBe("completed");
      expect(response.output.map((item) => item.type)).toEqual(["reasoning", "message"]);
      expect(response.output_text).toBe(`The tool said: ${SUM_RESULT}`);
      expect(response.usage).toMatchObject({
        input_tokens: 460,
        output_tokens: 55,
        total_tokens: 515,
        input_tokens_details: { cached_tokens: 300 },
        output_tokens_details: { reasoning_tokens: 24 },
      });
      expect(await lastWire()).not.toContain("cw__");
      expectResponsesRoundTrip(before, false);

      const row = await latest();
      expect(row).toMatchObject({
        api: "openai.responses",
        status: "completed",
        streaming: false,
        tokens: RESPONSES_TOKENS,
        thoughts: ["I should use the tool."],
      });
      expect(row.tools).toEqual([auditedCall(SUM_CALL, { a: 2, b: 40 })]);
    });

    it("stream: increasing sequence numbers and output indexes, one identity; the SDK's helper accepts it", async () => {
      const before = upstream.requests.length;
      const stream = client.responses.stream(params);
      const types: string[] = [];
      stream.on("event", (event) => types.push(event.type));
      const response = await stream.finalResponse();
      expect(response.id).toBe("resp_mcp_1");
      expect(response.status).toBe("completed");
      expect(response.output.map((item) => item.type)).toEqual(["reasoning", "message"]);
      expect(response.output_text).toBe(`The tool said: ${SUM_RESULT}`);
      expect(response.usage).toMatchObject({ input_tokens: 460, output_tokens: 55, total_tokens: 515 });
      expect(types.filter((t) => t === "response.created")).toHaveLength(1);
      expect(types.filter((t) => t === "response.completed")).toHaveLength(1);
      expect(types.some((t) => t.startsWith("response.function_call"))).toBe(false);

      const raw = await lastWire();
      expect(raw).not.toContain("cw__");
      const events = decodeSse(raw).map((e) => JSON.parse(e.data) as Json);
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      expect(events[0]!.type).toBe("response.created");
      expect(events.at(-1)!.type).toBe("response.completed");
      const ids = events.filter((e) => e.response).map((e) => (e.response as Json).id);
      expect(new Set(ids)).toEqual(new Set(["resp_mcp_1"]));
      const added = events.filter((e) => e.type === "response.output_item.added");
      expect(added.map((e) => [e.output_index, (e.item as Json).type])).toEqual([
        [0, "reasoning"],
        [1, "message"],
      ]);

      expectResponsesRoundTrip(before, true);
      const row = await latest();
      expect(row).toMatchObject({
        api: "openai.responses",
        status: "completed",
        streaming: true,
        tokens: RESPONSES_TOKENS,
      });
      expect(row.tools).toEqual([auditedCall(SUM_CALL, { a: 2, b: 40 })]);
    });
    it("a direct answer: the response's echoed tools list only the client's tools (blocking and stream)", async () => {
      const direct = { ...params, model: "gpt-5-direct" };
      const blocking = await client.responses.create(direct);
      expect(blocking.id).toBe("resp_mcp_2");
      expect(blocking.output_text).toBe("No tool needed.");
      expect(blocking.tools.map((t) => (t.type === "function" ? t.name : t.type))).toEqual(["client_lookup"]);
      expect(await lastWire()).not.toContain("cw__");

      const streamed = await client.responses.stream(direct).finalResponse();
      expect(streamed.output_text).toBe("No tool needed.");
      expect(streamed.tools.map((t) => (t.type === "function" ? t.name : t.type))).toEqual(["client_lookup"]);
      const raw = await lastWire();
      expect(raw).not.toContain("cw__");
      const events = decodeSse(raw).map((e) => JSON.parse(e.data) as Json);
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      // The injected tools were offered all the same.
      const sent = upstream.requests.slice(-1).map((r) => JSON.parse(r.body) as ResponsesBody);
      expect(sent[0]!.tools!.map((t) => t.name)).toEqual(["client_lookup", ...INJECTED]);
    });

    it("stream, two injected calls in one turn: both run, both outputs go back, the client sees neither", async () => {
      const before = upstream.requests.length;
      const response = await client.responses.stream({ ...params, model: "gpt-5-parallel" }).finalResponse();
      expect(response.output.map((item) => item.type)).toEqual(["reasoning", "message"]);
      expect(response.output_text).toBe(`The tool said: Echo: hi | ${SUM_RESULT}`);
      expect(await lastWire()).not.toContain("cw__");
      const sent = sentSince<ResponsesBody>(before);
      expect(sent).toHaveLength(2);
      const input = sent[1]!.input as Json[];
      expect(input.filter((item) => item.type === "function_call").map((item) => item.call_id)).toEqual([
        PARALLEL_ECHO.id,
        SUM_CALL.id,
      ]);
      expect(input.filter((item) => item.type === "function_call_output")).toEqual([
        { type: "function_call_output", call_id: PARALLEL_ECHO.id, output: "Echo: hi" },
        { type: "function_call_output", call_id: SUM_CALL.id, output: SUM_RESULT },
      ]);
      const row = await latest();
      expect(row).toMatchObject({ status: "completed", tokens: RESPONSES_TOKENS });
      expect(row.tools).toEqual(
        expect.arrayContaining([
          auditedCall(PARALLEL_ECHO, { message: "hi" }),
          auditedCall(SUM_CALL, { a: 2, b: 40 }),
        ]),
      );
      expect(row.tools).toHaveLength(2);
    });

    it("stream, a mixed turn: the client gets reasoning and its own call, renumbered; the injected one is not run", async () => {
      const before = upstream.requests.length;
      const response = await client.responses.stream({ ...params, model: "gpt-5-mixed" }).finalResponse();
      expect(response.id).toBe("resp_mcp_1");
      expect(response.output.map((item) => item.type)).toEqual(["reasoning", "function_call"]);
      expect(response.output[1]).toMatchObject({ name: CLIENT_CALL.name, call_id: CLIENT_CALL.id });
      const raw = await lastWire();
      expect(raw).not.toContain("cw__");
      const events = decodeSse(raw).map((e) => JSON.parse(e.data) as Json);
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
      const added = events.filter((e) => e.type === "response.output_item.added");
      expect(added.map((e) => [e.output_index, (e.item as Json).type])).toEqual([
        [0, "reasoning"],
        [1, "function_call"],
      ]);
      expect(upstream.requests.length - before).toBe(1);
      const row = await latest();
      expect(row.tools).toEqual(
        expect.arrayContaining([
          {
            name: "client_lookup",
            call_id: CLIENT_CALL.id,
            injected: false,
            server: null,
            args: { q: "weather" },
            error: null,
          },
          { ...auditedCall(SUM_CALL, { a: 2, b: 40 }), error: expect.stringContaining("not run") },
        ]),
      );
      expect(row.tools).toHaveLength(2);
    });
    it("stream, a slow tool: keep-alive comments flow while it runs, the SDK's helper accepts the stream", async () => {
      const response = await client.responses.stream({ ...params, model: "gpt-5-slow" }).finalResponse();
      expect(response.output_text).toBe(`The tool said: ${SLOW_RESULT}`);
      const raw = await lastWire();
      expect(raw.split(": keep-alive\n\n").length - 1).toBeGreaterThanOrEqual(3);
      expect(raw).not.toContain("cw__");
      const events = decodeSse(raw).map((e) => JSON.parse(e.data) as Json);
      expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    });
  });

  it("codex exec prints the answer the model built from the injected tool's result", async () => {
    const key = await server.createUser("codex-mcp");
    const before = upstream.requests.length;
    const run = await runCodex(`${server.url}/openai/v1`, key, "Say hello through the echo tool");
    expect(run.code, run.stdout + run.stderr).toBe(0);
    expect(run.stdout).toContain("The MCP tool answered: Echo: hello from causeway");
    expect(run.stdout + run.stderr).not.toContain("cw__");

    const calls = upstream.requests.slice(before).filter((r) => r.url === "/v1/responses");
    expect(calls).toHaveLength(2);
    const [first, second] = calls.map((r) => JSON.parse(r.body) as ResponsesBody);
    // Codex's own tools stay first; the injected ones are appended.
    expect(first!.tools!.slice(-INJECTED.length).map((t) => t.name)).toEqual(INJECTED);
    expect(first!.tools!.length).toBeGreaterThan(INJECTED.length);
    expect(first!.store).toBe(false);
    // store:false: the second turn repeats the items without ids, reasoning with its encrypted_content.
    const input = second!.input as Json[];
    expect(input.find((item) => item.type === "reasoning")).toMatchObject({
      encrypted_content: "gAAAAB-resp_codex_1-opaque==",
    });
    const call = input.find((item) => item.type === "function_call");
    expect(call).toMatchObject({ call_id: ECHO_CALL.id, name: ECHO_CALL.name, arguments: ECHO_CALL.args });
    expect(call).not.toHaveProperty("id");
    expect(input.at(-1)).toEqual({
      type: "function_call_output",
      call_id: ECHO_CALL.id,
      output: "Echo: hello from causeway",
    });

    const rows = await server.interceptions("--user", "codex-mcp");
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      client: "codex",
      api: "openai.responses",
      model: CODEX_MODEL,
      streaming: true,
      status: "completed",
      prompts: ["Say hello through the echo tool"],
      tokens: RESPONSES_TOKENS,
    });
    expect(rows[0]!.tools).toEqual([auditedCall(ECHO_CALL, { message: "hello from causeway" })]);
  }, 60_000);
});
