import { type StreamShape, stampedText } from "../lib/shapes.ts";
import { type StreamScript, sseEvent } from "./sse-body.ts";

const CREATED = 1_760_000_000;

export function chatJson(model: string, shape: StreamShape): unknown {
  return {
    id: "chatcmpl-bench",
    object: "chat.completion",
    created: CREATED,
    model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: stampedText(shape.size * Math.max(1, shape.events)) },
        finish_reason: "stop",
      },
    ],
    usage: { prompt_tokens: 12, completion_tokens: shape.events, total_tokens: 12 + shape.events },
  };
}

export function chatScript(model: string): StreamScript {
  const chunk = (delta: Record<string, unknown>, finish: string | null) => ({
    id: "chatcmpl-bench",
    object: "chat.completion.chunk",
    created: CREATED,
    model,
    choices: [{ index: 0, delta, finish_reason: finish }],
  });
  return {
    opening: () => [sseEvent(null, chunk({ role: "assistant", content: "" }, null))],
    content: (_index, text) => sseEvent(null, chunk({ content: text }, null)),
    closing: (events) => [
      sseEvent(null, chunk({}, "stop")),
      sseEvent(null, {
        id: "chatcmpl-bench",
        object: "chat.completion.chunk",
        created: CREATED,
        model,
        choices: [],
        usage: { prompt_tokens: 12, completion_tokens: events, total_tokens: 12 + events },
      }),
      sseEvent(null, "[DONE]"),
    ],
  };
}

function responseObject(
  model: string,
  status: string,
  output: unknown[],
  events: number,
): Record<string, unknown> {
  return {
    id: "resp_bench",
    object: "response",
    created_at: CREATED,
    status,
    model,
    output,
    usage:
      status === "completed" ? { input_tokens: 12, output_tokens: events, total_tokens: 12 + events } : null,
  };
}

const message = (text: string) => ({
  id: "msg_bench",
  type: "message",
  status: "completed",
  role: "assistant",
  content: [{ type: "output_text", text, annotations: [] }],
});

export function responsesJson(model: string, shape: StreamShape): unknown {
  return responseObject(
    model,
    "completed",
    [message(stampedText(shape.size * Math.max(1, shape.events)))],
    shape.events,
  );
}

export function responsesScript(model: string): StreamScript {
  let seq = 0;
  const event = (type: string, body: Record<string, unknown>) =>
    sseEvent(type, { type, sequence_number: seq++, ...body });
  return {
    opening: () => [event("response.created", { response: responseObject(model, "in_progress", [], 0) })],
    content: (_index, text) =>
      event("response.output_text.delta", {
        item_id: "msg_bench",
        output_index: 0,
        content_index: 0,
        delta: text,
      }),
    closing: (events) => [
      event("response.completed", { response: responseObject(model, "completed", [message("")], events) }),
    ],
  };
}
