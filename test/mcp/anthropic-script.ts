/** Builders for scripted Anthropic Messages turns (streaming and blocking) used by the MCP tests. */
export interface ScriptCall {
  readonly id: string;
  readonly name: string;
  readonly input: Record<string, unknown>;
}

export interface ScriptTurn {
  readonly id?: string;
  readonly text?: string;
  readonly calls?: readonly ScriptCall[];
  readonly input?: number;
  readonly output?: number;
  readonly cacheRead?: number;
  readonly stop?: string;
}

const frame = (event: string, data: object) =>
  `event: ${event}\ndata: ${JSON.stringify({ type: event, ...data })}\n\n`;

export function streamTurn(turn: ScriptTurn): string {
  const calls = turn.calls ?? [];
  let out = frame("message_start", {
    message: {
      id: turn.id ?? "msg_1",
      type: "message",
      role: "assistant",
      content: [],
      model: "claude-test",
      stop_reason: null,
      usage: {
        input_tokens: turn.input ?? 10,
        cache_read_input_tokens: turn.cacheRead ?? 0,
        cache_creation_input_tokens: 0,
        output_tokens: 1,
      },
    },
  });
  let index = 0;
  if (turn.text !== undefined) {
    out += frame("content_block_start", { index, content_block: { type: "text", text: "" } });
    out += 'event: ping\ndata: {"type": "ping"}\n\n';
    out += frame("content_block_delta", { index, delta: { type: "text_delta", text: turn.text } });
    out += frame("content_block_stop", { index });
    index++;
  }
  for (const call of calls) {
    out += frame("content_block_start", {
      index,
      content_block: { type: "tool_use", id: call.id, name: call.name, input: {} },
    });
    const json = JSON.stringify(call.input);
    out += frame("content_block_delta", {
      index,
      delta: { type: "input_json_delta", partial_json: json.slice(0, 5) },
    });
    out += frame("content_block_delta", {
      index,
      delta: { type: "input_json_delta", partial_json: json.slice(5) },
    });
    out += frame("content_block_stop", { index });
    index++;
  }
  out += frame("message_delta", {
    delta: { stop_reason: turn.stop ?? (calls.length ? "tool_use" : "end_turn"), stop_sequence: null },
    usage: { output_tokens: turn.output ?? 5 },
  });
  out += frame("message_stop", {});
  return out;
}

export function blockingTurn(turn: ScriptTurn): string {
  const content: object[] = [];
  if (turn.text !== undefined) content.push({ type: "text", text: turn.text });
  for (const call of turn.calls ?? [])
    content.push({ type: "tool_use", id: call.id, name: call.name, input: call.input });
  return JSON.stringify({
    id: turn.id ?? "msg_1",
    type: "message",
    role: "assistant",
    model: "claude-test",
    content,
    stop_reason: turn.stop ?? (turn.calls?.length ? "tool_use" : "end_turn"),
    stop_sequence: null,
    usage: {
      input_tokens: turn.input ?? 10,
      cache_read_input_tokens: turn.cacheRead ?? 0,
      cache_creation_input_tokens: 0,
      output_tokens: turn.output ?? 5,
    },
  });
}
