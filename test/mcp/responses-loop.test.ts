import { describe, expect, it } from "vitest";
import { openaiResponses } from "../../core/apis/openai-responses/index.ts";
import { openaiResponsesToolLoop } from "../../core/apis/openai-responses/tool-loop.ts";
import { MemoryToolProvider } from "../../core/ports/tool-provider.ts";
import { decodeSse } from "../../core/sse/decoder.ts";
import { sseResponse } from "../helpers/bridge-harness.ts";
import { apiHarness } from "./helpers/api-harness.ts";

const api = { ...openaiResponses, toolLoop: openaiResponsesToolLoop };
const ECHO = {
  server: "srv",
  name: "echo",
  description: "Echoes",
  inputSchema: { type: "object", properties: { message: { type: "string" } } },
};

interface Turn {
  id: string;
  text?: string;
  call?: { call_id: string; name: string; arguments: string };
  reasoning?: boolean;
  input: number;
  output: number;
}

function items(t: Turn): object[] {
  const out: object[] = [];
  if (t.reasoning)
    out.push({ id: `rs_${t.id}`, type: "reasoning", summary: [], encrypted_content: `enc-${t.id}` });
  if (t.text)
    out.push({
      id: `msg_${t.id}`,
      type: "message",
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", text: t.text, annotations: [] }],
    });
  if (t.call) out.push({ id: `fc_${t.id}`, type: "function_call", status: "completed", ...t.call });
  return out;
}

function response(t: Turn, status: string, output: object[]) {
  return {
    id: t.id,
    object: "response",
    status,
    model: "gpt-test",
    output,
    usage:
      status === "completed"
        ? {
            input_tokens: t.input,
            input_tokens_details: { cached_tokens: 0 },
            output_tokens: t.output,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: t.input + t.output,
          }
        : null,
  };
}

function streamTurn(t: Turn): string {
  let seq = 0;
  const ev = (type: string, data: object) =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: seq++ })}\n\n`;
  let out =
    ev("response.created", { response: response(t, "in_progress", []) }) +
    ev("response.in_progress", { response: response(t, "in_progress", []) });
  items(t).forEach((item, i) => {
    out += ev("response.output_item.added", { output_index: i, item: { ...item, status: "in_progress" } });
    if ((item as { type: string }).type === "message")
      out += ev("response.output_text.delta", {
        output_index: i,
        item_id: (item as { id: string }).id,
        content_index: 0,
        delta: t.text,
      });
    if ((item as { type: string }).type === "function_call")
      out += ev("response.function_call_arguments.delta", {
        output_index: i,
        item_id: (item as { id: string }).id,
        delta: t.call!.arguments,
      });
    out += ev("response.output_item.done", { output_index: i, item });
  });
  return out + ev("response.completed", { response: response(t, "completed", items(t)) });
}

function setup(turns: Turn[], stream: boolean) {
  const calls: unknown[] = [];
  const tools = new MemoryToolProvider([ECHO], async (_s, _n, args) => {
    calls.push(args);
    return {
      content: [{ type: "text", text: `Echo: ${(args as { message: string }).message}` }],
      isError: false,
    };
  });
  let n = 0;
  const h = apiHarness(api, "/v1/responses", tools, async () => {
    const turn = turns[Math.min(n++, turns.length - 1)]!;
    return stream ? sseResponse(streamTurn(turn)) : Response.json(response(turn, "completed", items(turn)));
  });
  return { ...h, calls };
}

const CALL = { call_id: "call_1", name: "cw__srv__echo", arguments: '{"message":"hi"}' };
const TURNS: Turn[] = [
  { id: "resp_A", text: "Checking.", call: CALL, reasoning: true, input: 10, output: 5 },
  { id: "resp_B", text: "Done.", input: 20, output: 3 },
];

describe("openai responses tool loop", () => {
  it("streams events as they come with increasing sequence numbers and output indexes", async () => {
    const h = setup(TURNS, true);
    const res = await h.run({ model: "gpt-test", stream: true, store: false, input: "echo hi" });
    const events = decodeSse(await res.text()).map((e) => JSON.parse(e.data));
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));
    expect(events.filter((e) => e.type === "response.created")).toHaveLength(1);
    expect(events.filter((e) => e.type === "response.completed")).toHaveLength(1);
    expect(JSON.stringify(events)).not.toContain("cw__srv__echo");
    const added = events
      .filter((e) => e.type === "response.output_item.added")
      .map((e) => [e.output_index, e.item.type]);
    expect(added).toEqual([
      [0, "reasoning"],
      [1, "message"],
      [2, "message"],
    ]);
    const completed = events.at(-1);
    expect(completed.response.id).toBe("resp_A");
    expect(completed.response.output.map((i: { id: string }) => i.id)).toEqual([
      "rs_resp_A",
      "msg_resp_A",
      "msg_resp_B",
    ]);
    expect(completed.response.usage).toMatchObject({ input_tokens: 30, output_tokens: 8, total_tokens: 38 });

    const second = JSON.parse(await h.seen[1]!.text());
    expect(second.input).toEqual([
      { role: "user", content: "echo hi" },
      { id: "rs_resp_A", type: "reasoning", summary: [], encrypted_content: "enc-resp_A" },
      {
        type: "message",
        status: "completed",
        role: "assistant",
        content: [{ type: "output_text", text: "Checking.", annotations: [] }],
      },
      { type: "function_call", status: "completed", ...CALL },
      { type: "function_call_output", call_id: "call_1", output: "Echo: hi" },
    ]);
    expect(JSON.parse(await h.seen[0]!.text()).tools).toEqual([
      {
        type: "function",
        name: "cw__srv__echo",
        description: "Echoes",
        parameters: ECHO.inputSchema,
        strict: false,
      },
    ]);
    await h.recorder.flush();
    expect(h.recorder.entries.filter((e) => e.kind === "tool-usage")).toEqual([
      expect.objectContaining({ name: "echo", injected: true, error: null }),
    ]);
    expect(h.recorder.entries.at(-1)).toMatchObject({ kind: "interception-end", status: "completed" });
  });

  it("merges a blocking loop: visible items of all turns, last id, summed usage", async () => {
    const h = setup(TURNS, false);
    const res = await h.run({ model: "gpt-test", input: [{ role: "user", content: "echo hi" }] });
    const body = await res.json();
    expect(body.id).toBe("resp_B");
    expect(body.output.map((i: { type: string }) => i.type)).toEqual(["reasoning", "message", "message"]);
    expect(body.usage).toMatchObject({ input_tokens: 30, output_tokens: 8 });
    expect(h.calls).toEqual([{ message: "hi" }]);
    const second = JSON.parse(await h.seen[1]!.text());
    expect(second.input.at(-1)).toEqual({
      type: "function_call_output",
      call_id: "call_1",
      output: "Echo: hi",
    });
    expect(second.input.at(-2).id).toBe("fc_resp_A");
  });
});
