/**
 * Valid Anthropic Messages API answers for the fake upstream, written from the Anthropic API
 * reference (https://docs.anthropic.com/en/api/messages and .../messages-streaming): a blocking
 * message with a thinking block (with signature), text and a tool_use, and the streamed event
 * sequence message_start, content_block_start, ping, content_block_delta×N, content_block_stop,
 * message_delta, message_stop.
 */

export interface Usage {
  readonly input_tokens: number;
  readonly output_tokens: number;
  readonly cache_read_input_tokens?: number;
  readonly cache_creation_input_tokens?: number;
}

/** One SSE event as Anthropic frames it: an `event:` line, a `data:` line, a blank line. */
export function sseEvent(type: string, data: Record<string, unknown>): string {
  return `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;
}

/** A blocking Messages response: thinking (signed), text, then a client tool call. */
export function blockingMessage(options: {
  model: string;
  id?: string;
  usage: Usage;
}): Record<string, unknown> {
  return {
    id: options.id ?? "msg_01XFDUDYJgAACzvnptvVoYEL",
    type: "message",
    role: "assistant",
    model: options.model,
    content: [
      {
        type: "thinking",
        thinking: "The user wants the weather; I should call the tool.",
        signature: "EqQBCgIYAhIM1gbcDa9GJwZA2b3hGgxBdjrkzLoky3dl1pkiMOYds",
      },
      { type: "text", text: "Let me check the weather in Paris." },
      {
        type: "tool_use",
        id: "toolu_01A09q90qw90lq917835lq9",
        name: "get_weather",
        input: { location: "Paris, France", unit: "celsius" },
      },
    ],
    stop_reason: "tool_use",
    stop_sequence: null,
    usage: options.usage,
  };
}

/** A streamed plain-text answer: the normal event sequence, the text split into `parts`. */
export function textStreamChunks(options: {
  model: string;
  parts: readonly string[];
  usage: Usage;
  id?: string;
}): string[] {
  const { usage } = options;
  return [
    sseEvent("message_start", {
      message: {
        id: options.id ?? "msg_01StreamTextA1b2C3d4E5f6",
        type: "message",
        role: "assistant",
        model: options.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: usage.input_tokens,
          output_tokens: 1,
          cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
          cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
        },
      },
    }),
    sseEvent("content_block_start", { index: 0, content_block: { type: "text", text: "" } }),
    sseEvent("ping", {}),
    ...options.parts.map((text) =>
      sseEvent("content_block_delta", { index: 0, delta: { type: "text_delta", text } }),
    ),
    sseEvent("content_block_stop", { index: 0 }),
    sseEvent("message_delta", {
      delta: { stop_reason: "end_turn", stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    }),
    sseEvent("message_stop", {}),
  ];
}

/** A streamed answer with a signed thinking block, text and a client tool call. */
export function thinkingToolStreamChunks(options: { model: string; usage: Usage }): string[] {
  const { usage } = options;
  return [
    sseEvent("message_start", {
      message: {
        id: "msg_01StreamThinkToolZ9y8X7",
        type: "message",
        role: "assistant",
        model: options.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: {
          input_tokens: usage.input_tokens,
          output_tokens: 1,
          cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
          cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
        },
      },
    }),
    sseEvent("content_block_start", {
      index: 0,
      content_block: { type: "thinking", thinking: "", signature: "" },
    }),
    sseEvent("content_block_delta", {
      index: 0,
      delta: { type: "thinking_delta", thinking: "Weather needs " },
    }),
    sseEvent("content_block_delta", {
      index: 0,
      delta: { type: "thinking_delta", thinking: "a tool call." },
    }),
    sseEvent("content_block_delta", {
      index: 0,
      delta: { type: "signature_delta", signature: "EqQBCgIYAhIMstreamSig0123456789" },
    }),
    sseEvent("content_block_stop", { index: 0 }),
    sseEvent("ping", {}),
    sseEvent("content_block_start", { index: 1, content_block: { type: "text", text: "" } }),
    sseEvent("content_block_delta", { index: 1, delta: { type: "text_delta", text: "Checking " } }),
    sseEvent("content_block_delta", { index: 1, delta: { type: "text_delta", text: "now." } }),
    sseEvent("content_block_stop", { index: 1 }),
    sseEvent("content_block_start", {
      index: 2,
      content_block: { type: "tool_use", id: "toolu_01StreamToolCall42", name: "get_weather", input: {} },
    }),
    sseEvent("content_block_delta", { index: 2, delta: { type: "input_json_delta", partial_json: "" } }),
    sseEvent("content_block_delta", {
      index: 2,
      delta: { type: "input_json_delta", partial_json: '{"location": "Par' },
    }),
    sseEvent("content_block_delta", {
      index: 2,
      delta: { type: "input_json_delta", partial_json: 'is, France"}' },
    }),
    sseEvent("content_block_stop", { index: 2 }),
    sseEvent("message_delta", {
      delta: { stop_reason: "tool_use", stop_sequence: null },
      usage: { output_tokens: usage.output_tokens },
    }),
    sseEvent("message_stop", {}),
  ];
}

/** Anthropic's error body shape (https://docs.anthropic.com/en/api/errors). */
export function anthropicErrorBody(type: string, message: string): string {
  return JSON.stringify({
    type: "error",
    error: { type, message },
    request_id: "req_011CSHoEeqs5C35K2UUqR7Fy",
  });
}

/** `GET /v1/models` answer (https://docs.anthropic.com/en/api/models-list). */
export function modelsList(ids: readonly string[]): string {
  return JSON.stringify({
    data: ids.map((id) => ({ type: "model", id, display_name: id, created_at: "2026-02-19T00:00:00Z" })),
    has_more: false,
    first_id: ids[0] ?? null,
    last_id: ids.at(-1) ?? null,
  });
}
