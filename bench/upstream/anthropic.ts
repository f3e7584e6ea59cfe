import { type StreamShape, stampedText } from "../lib/shapes.ts";
import { type StreamScript, sseEvent } from "./sse-body.ts";

const usage = (output: number) => ({
  input_tokens: 12,
  output_tokens: output,
  cache_read_input_tokens: 0,
  cache_creation_input_tokens: 0,
});

export function anthropicJson(model: string, shape: StreamShape): unknown {
  return {
    id: "msg_bench",
    type: "message",
    role: "assistant",
    model,
    content: [{ type: "text", text: stampedText(shape.size * Math.max(1, shape.events)) }],
    stop_reason: "end_turn",
    stop_sequence: null,
    usage: usage(shape.events),
  };
}

export function anthropicScript(model: string): StreamScript {
  return {
    opening: () => [
      sseEvent("message_start", {
        type: "message_start",
        message: {
          id: "msg_bench",
          type: "message",
          role: "assistant",
          model,
          content: [],
          stop_reason: null,
          stop_sequence: null,
          usage: usage(1),
        },
      }),
      sseEvent("content_block_start", {
        type: "content_block_start",
        index: 0,
        content_block: { type: "text", text: "" },
      }),
    ],
    content: (_index, text) =>
      sseEvent("content_block_delta", {
        type: "content_block_delta",
        index: 0,
        delta: { type: "text_delta", text },
      }),
    closing: (events) => [
      sseEvent("content_block_stop", { type: "content_block_stop", index: 0 }),
      sseEvent("message_delta", {
        type: "message_delta",
        delta: { stop_reason: "end_turn", stop_sequence: null },
        usage: { output_tokens: events },
      }),
      sseEvent("message_stop", { type: "message_stop" }),
    ],
  };
}
