import type { AuditEntry } from "../../../core/ports/recorder.ts";
import { MemoryToolProvider, type ToolResult } from "../../../core/ports/tool-provider.ts";
import { decodeSse } from "../../../core/sse/decoder.ts";
import { bridgeHarness, sseResponse, USER_KEY } from "../../helpers/bridge-harness.ts";
import { blockingTurn, type ScriptTurn, streamTurn } from "../anthropic-script.ts";

/** A bridge on in-memory ports with one injected tool (`cw__srv__echo`) and scripted upstream turns. */
export const ECHO = {
  server: "srv",
  name: "echo",
  description: "Echoes",
  inputSchema: { type: "object", properties: { message: { type: "string" } } },
};
export const text = (t: string): ToolResult => ({ content: [{ type: "text", text: t }], isError: false });

export function setup(
  turns: ScriptTurn[],
  opts: { stream: boolean; handler?: MemoryToolProvider["handler"]; maxRounds?: number },
) {
  const calls: { name: string; args: unknown; signal: AbortSignal }[] = [];
  const tools = new MemoryToolProvider([ECHO], async (server, name, args, signal) => {
    calls.push({ name: `${server}/${name}`, args, signal });
    return opts.handler
      ? opts.handler(server, name, args, signal)
      : text(`Echo: ${(args as { message: string }).message}`);
  });
  if (opts.maxRounds) tools.limits = { maxRounds: opts.maxRounds };
  let n = 0;
  const h = bridgeHarness(
    async () => {
      const turn = turns[Math.min(n++, turns.length - 1)]!;
      return opts.stream
        ? sseResponse(streamTurn(turn))
        : new Response(blockingTurn(turn), { headers: { "content-type": "application/json" } });
    },
    {},
    { tools },
  );
  return { h, calls, tools };
}

export function request(body: object): Request {
  return new Request("http://bridge.test/anthropic/v1/messages", {
    method: "POST",
    headers: { "x-api-key": USER_KEY, "content-type": "application/json", "anthropic-version": "2023-06-01" },
    body: JSON.stringify(body),
  });
}

export const BODY = {
  model: "claude-test",
  max_tokens: 100,
  messages: [{ role: "user", content: "say hi via echo" }],
};
export const CALL = { id: "toolu_1", name: "cw__srv__echo", input: { message: "hi" } };
export const events = async (response: Response) =>
  decodeSse(await response.text()).filter((e) => e.event !== "ping");
export const kinds = (entries: AuditEntry[], kind: AuditEntry["kind"]) =>
  entries.filter((e) => e.kind === kind);
