import { USER_KEY } from "../../helpers/bridge-harness.ts";

export const MESSAGE_START =
  'event: message_start\ndata: {"type":"message_start","message":{"id":"msg_1","type":"message","role":"assistant","content":[],"model":"claude-x","usage":{"input_tokens":25,"output_tokens":1}}}\n\n';
export const TEXT_DELTA =
  'event: content_block_delta\ndata: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"Hi"}}\n\n';
export const MESSAGE_END =
  'event: message_delta\ndata: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":9}}\n\nevent: message_stop\ndata: {"type":"message_stop"}\n\n';

export function messagesBody(stream: boolean, extra: Record<string, unknown> = {}): string {
  return JSON.stringify({
    model: "claude-x",
    max_tokens: 16,
    stream,
    messages: [{ role: "user", content: "hello" }],
    ...extra,
  });
}

/** A client request to the intercepted Anthropic route. */
export function messagesRequest(
  options: { stream?: boolean; body?: BodyInit; headers?: Record<string, string>; signal?: AbortSignal } = {},
): Request {
  const init: RequestInit & { duplex?: "half" } = {
    method: "POST",
    headers: {
      "x-api-key": USER_KEY,
      "content-type": "application/json",
      "anthropic-version": "2023-06-01",
      ...options.headers,
    },
    body: options.body ?? messagesBody(options.stream ?? true),
  };
  if (options.signal) init.signal = options.signal;
  if (options.body instanceof ReadableStream) init.duplex = "half";
  return new Request("http://bridge.test/anthropic/v1/messages", init);
}
