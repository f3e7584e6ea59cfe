/** A small Anthropic Messages stream, split so a test can hold the upstream between events. */
const event = (name: string, data: unknown): string => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;

export const FIRST_EVENT = event("message_start", {
  type: "message_start",
  message: {
    id: "msg_b1",
    type: "message",
    role: "assistant",
    model: "claude-behaviour",
    content: [],
    stop_reason: null,
    usage: { input_tokens: 11, output_tokens: 1 },
  },
});

export const REST_EVENTS = [
  event("content_block_start", {
    type: "content_block_start",
    index: 0,
    content_block: { type: "text", text: "" },
  }),
  event("content_block_delta", {
    type: "content_block_delta",
    index: 0,
    delta: { type: "text_delta", text: "hello" },
  }),
  event("content_block_stop", { type: "content_block_stop", index: 0 }),
  event("message_delta", {
    type: "message_delta",
    delta: { stop_reason: "end_turn" },
    usage: { output_tokens: 7 },
  }),
  event("message_stop", { type: "message_stop" }),
].join("");

export const BLOCKING_BODY = JSON.stringify({
  id: "msg_b2",
  type: "message",
  role: "assistant",
  model: "claude-behaviour",
  content: [{ type: "text", text: "hi" }],
  usage: { input_tokens: 3, output_tokens: 4 },
});

/** Reads from a response body until `text` has arrived; returns everything read so far. */
export async function readUntil(
  reader: ReadableStreamDefaultReader<Uint8Array>,
  text: string,
  timeoutMs = 5_000,
): Promise<string> {
  const decoder = new TextDecoder();
  let seen = "";
  const deadline = Date.now() + timeoutMs;
  while (!seen.includes(text)) {
    const left = deadline - Date.now();
    if (left <= 0) throw new Error(`"${text}" did not arrive within ${timeoutMs} ms; got: ${seen}`);
    const next = await Promise.race([
      reader.read(),
      new Promise<null>((r) => setTimeout(() => r(null), left)),
    ]);
    if (next === null) continue;
    if (next.done) throw new Error(`stream ended before "${text}"; got: ${seen}`);
    seen += decoder.decode(next.value, { stream: true });
  }
  return seen;
}

export function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => {};
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}
