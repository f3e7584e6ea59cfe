import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { type AuditSummary, summarize } from "../../conformance/audit-summary.ts";
import type { ModeCase } from "../../conformance/case.ts";
import type { Chunking } from "../../conformance/chunkings.ts";
import { fixtureCase } from "../../conformance/fixture-cases.ts";
import { replayUpstream } from "../../conformance/replay-upstream.ts";
import { parseTxtar, section } from "../../conformance/txtar.ts";
import { anthropicMessages } from "../../core/apis/anthropic-messages/index.ts";
import { openaiChat } from "../../core/apis/openai-chat/index.ts";
import { openaiChatToolLoop } from "../../core/apis/openai-chat/tool-loop.ts";
import { openaiResponses } from "../../core/apis/openai-responses/index.ts";
import { openaiResponsesToolLoop } from "../../core/apis/openai-responses/tool-loop.ts";
import { MemoryToolProvider } from "../../core/ports/tool-provider.ts";
import { apiHarness } from "./helpers/api-harness.ts";

/** The APIs with their tool loop, and where they are served. */
const APIS = {
  "anthropic-messages": { api: anthropicMessages, path: "/v1/messages", kind: "anthropic" as const },
  "openai-chat": {
    api: { ...openaiChat, toolLoop: openaiChatToolLoop },
    path: "/v1/chat/completions",
    kind: "openai" as const,
  },
  "openai-responses": {
    api: { ...openaiResponses, toolLoop: openaiResponsesToolLoop },
    path: "/v1/responses",
    kind: "openai" as const,
  },
};

/** MCP fixtures live with the others (`fixtures/<api>/mcp-*.txtar`): conformance replays them too. */
export const FIXTURES = join(import.meta.dirname, "../../fixtures");

export interface McpFixture {
  readonly id: string;
  readonly api: keyof typeof APIS;
  readonly modes: readonly ModeCase[];
  readonly blockingClient: unknown;
}

export function loadMcpFixtures(): McpFixture[] {
  const out: McpFixture[] = [];
  for (const api of Object.keys(APIS) as (keyof typeof APIS)[]) {
    for (const file of readdirSync(join(FIXTURES, api)).filter((f) => /^mcp-.*\.txtar$/.test(f))) {
      const text = readFileSync(join(FIXTURES, api, file), "utf8");
      const id = `${api}/${file.replace(/\.txtar$/, "")}`;
      const blocking = section(parseTxtar(text), "expect/client/non-streaming");
      out.push({
        id,
        api,
        modes: fixtureCase(id, api, text).modes,
        blockingClient: blocking === undefined ? undefined : JSON.parse(blocking),
      });
    }
  }
  return out;
}

export interface McpReplay {
  readonly status: number;
  readonly body: string;
  readonly audit: AuditSummary;
  readonly upstreamBodies: string[];
  readonly toolArgs: unknown[];
}

/**
 * Replays one mode of an MCP fixture: the upstream answers call 1 with the response section and
 * call 2 with its `/tool-call` section; the fixture's `tools` run in memory with their recorded results.
 */
export async function replayMcp(fixture: McpFixture, mode: ModeCase, chunking: Chunking): Promise<McpReplay> {
  const { api, path, kind } = APIS[fixture.api];
  const fixtureTools = mode.tools ?? [];
  const calls: unknown[] = [];
  const tools = new MemoryToolProvider(
    fixtureTools.map((t) => ({
      server: t.server,
      name: t.name,
      description: t.description ?? "",
      inputSchema: t.inputSchema ?? { type: "object" },
    })),
    async (server, name, args) => {
      calls.push(args);
      const tool = fixtureTools.find((t) => t.server === server && t.name === name);
      if (!tool) throw new Error(`no fixture tool ${server}/${name}`);
      return { content: tool.result.content, isError: tool.result.isError ?? false };
    },
  );
  const { upstream, requests } = replayUpstream(mode.responses, chunking);
  const h = apiHarness(api, path, tools, upstream, kind);
  const response = await h.run(JSON.parse(mode.requestBody) as object);
  const body = await response.text();
  await h.recorder.flush();
  const id = h.recorder.entries.find((e) => e.kind === "interception-start");
  return {
    status: response.status,
    body,
    audit: summarize(h.recorder.entries, id?.kind === "interception-start" ? id.id : ""),
    upstreamBodies: requests.map((r) => new TextDecoder().decode(r.body)),
    toolArgs: calls,
  };
}
