/**
 * Valid OpenAI answers for the fake upstream, written from the OpenAI API reference
 * (https://platform.openai.com/docs/api-reference/chat, .../responses and .../responses-streaming):
 * chat completions (blocking and streamed chunks, with or without the usage chunk), Responses
 * objects and their streamed event sequence, and the models list.
 */

export interface ResponsesUsage {
  readonly input: number;
  readonly cached: number;
  readonly output: number;
  readonly reasoning: number;
}

export interface ChatUsage {
  readonly prompt: number;
  readonly cached: number;
  readonly completion: number;
  readonly reasoning: number;
}

const CREATED = 1795840000;

function chatUsage(u: ChatUsage): Record<string, unknown> {
  return {
    prompt_tokens: u.prompt,
    completion_tokens: u.completion,
    total_tokens: u.prompt + u.completion,
    prompt_tokens_details: { cached_tokens: u.cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: u.reasoning, audio_tokens: 0 },
  };
}

/** A blocking `chat.completion` with one text answer. */
export function chatCompletion(model: string, text: string, usage: ChatUsage): string {
  return JSON.stringify({
    id: "chatcmpl-e2e-blocking",
    object: "chat.completion",
    created: CREATED,
    model,
    choices: [
      {
        index: 0,
        message: { role: "assistant", content: text, refusal: null, annotations: [] },
        logprobs: null,
        finish_reason: "stop",
      },
    ],
    usage: chatUsage(usage),
    service_tier: "default",
  });
}

/**
 * A streamed chat completion, one SSE event per piece of text. With `includeUsage` it is what
 * OpenAI sends for `stream_options.include_usage`: `"usage":null` on every chunk, then a chunk
 * with empty choices and the usage. Ends with `data: [DONE]`.
 */
export function chatStreamChunks(
  model: string,
  pieces: readonly string[],
  usage: ChatUsage,
  includeUsage: boolean,
): string[] {
  const chunk = (delta: Record<string, unknown>, finish: string | null): string => {
    const body: Record<string, unknown> = {
      id: "chatcmpl-e2e-stream",
      object: "chat.completion.chunk",
      created: CREATED,
      model,
      choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    };
    if (includeUsage) body.usage = null;
    return `data: ${JSON.stringify(body)}\n\n`;
  };
  const chunks = [
    chunk({ role: "assistant", content: "" }, null),
    ...pieces.map((p) => chunk({ content: p }, null)),
    chunk({}, "stop"),
  ];
  if (includeUsage) {
    const body = {
      id: "chatcmpl-e2e-stream",
      object: "chat.completion.chunk",
      created: CREATED,
      model,
      choices: [],
      usage: chatUsage(usage),
    };
    chunks.push(`data: ${JSON.stringify(body)}\n\n`);
  }
  chunks.push("data: [DONE]\n\n");
  return chunks;
}

function responsesUsage(u: ResponsesUsage): Record<string, unknown> {
  return {
    input_tokens: u.input,
    input_tokens_details: { cached_tokens: u.cached },
    output_tokens: u.output,
    output_tokens_details: { reasoning_tokens: u.reasoning },
    total_tokens: u.input + u.output,
  };
}

function responseObject(
  id: string,
  model: string,
  status: string,
  output: unknown[],
  usage: Record<string, unknown> | null,
) {
  return {
    id,
    object: "response",
    created_at: CREATED,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: null, summary: null },
    store: false,
    temperature: 1,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: [],
    top_p: 1,
    truncation: "disabled",
    usage,
    metadata: {},
  };
}

const reasoningItem = (summary: string) => ({
  id: "rs_e2e_1",
  type: "reasoning",
  summary: [{ type: "summary_text", text: summary }],
  encrypted_content: "gAAAAABe2eOpaqueReasoning==",
});
const messageItem = (text: string) => ({
  id: "msg_e2e_1",
  type: "message",
  status: "completed",
  role: "assistant",
  content: [{ type: "output_text", text, annotations: [], logprobs: [] }],
});

/** A blocking Response: a reasoning summary and a text message. */
export function responsesBlocking(
  model: string,
  text: string,
  usage: ResponsesUsage,
  summary = "Thinking about it.",
): string {
  return JSON.stringify(
    responseObject(
      "resp_e2e_blocking",
      model,
      "completed",
      [reasoningItem(summary), messageItem(text)],
      responsesUsage(usage),
    ),
  );
}

/**
 * The streamed event sequence of a Response with a reasoning summary and a text message:
 * created, in_progress, reasoning item added/summary deltas/done, message item added, content
 * part, text deltas, text done, part done, item done, completed (with usage).
 */
export function responsesStreamChunks(
  model: string,
  pieces: readonly string[],
  usage: ResponsesUsage,
  summary = "Thinking about it.",
): string[] {
  let sequence = 0;
  const event = (type: string, data: Record<string, unknown>): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: sequence++ })}\n\n`;
  const id = "resp_e2e_stream";
  const text = pieces.join("");
  const reasoning = reasoningItem(summary);
  const message = messageItem(text);
  const part = message.content[0];
  return [
    event("response.created", { response: responseObject(id, model, "in_progress", [], null) }),
    event("response.in_progress", { response: responseObject(id, model, "in_progress", [], null) }),
    event("response.output_item.added", { output_index: 0, item: { ...reasoning, summary: [] } }),
    event("response.reasoning_summary_part.added", {
      item_id: reasoning.id,
      output_index: 0,
      summary_index: 0,
      part: { type: "summary_text", text: "" },
    }),
    event("response.reasoning_summary_text.delta", {
      item_id: reasoning.id,
      output_index: 0,
      summary_index: 0,
      delta: summary,
    }),
    event("response.reasoning_summary_text.done", {
      item_id: reasoning.id,
      output_index: 0,
      summary_index: 0,
      text: summary,
    }),
    event("response.reasoning_summary_part.done", {
      item_id: reasoning.id,
      output_index: 0,
      summary_index: 0,
      part: { type: "summary_text", text: summary },
    }),
    event("response.output_item.done", { output_index: 0, item: reasoning }),
    event("response.output_item.added", {
      output_index: 1,
      item: { ...message, status: "in_progress", content: [] },
    }),
    event("response.content_part.added", {
      item_id: message.id,
      output_index: 1,
      content_index: 0,
      part: { ...part, text: "" },
    }),
    ...pieces.map((delta) =>
      event("response.output_text.delta", {
        item_id: message.id,
        output_index: 1,
        content_index: 0,
        delta,
        logprobs: [],
      }),
    ),
    event("response.output_text.done", {
      item_id: message.id,
      output_index: 1,
      content_index: 0,
      text,
      logprobs: [],
    }),
    event("response.content_part.done", { item_id: message.id, output_index: 1, content_index: 0, part }),
    event("response.output_item.done", { output_index: 1, item: message }),
    event("response.completed", {
      response: responseObject(id, model, "completed", [reasoning, message], responsesUsage(usage)),
    }),
  ];
}

/** `GET /v1/models`. */
export function openaiModelsList(ids: readonly string[]): string {
  return JSON.stringify({
    object: "list",
    data: ids.map((id) => ({ id, object: "model", created: CREATED, owned_by: "system" })),
  });
}

/**
 * A streamed Response whose output is a reasoning item and one function call (the model asks the
 * client to run a tool): created, reasoning added/done, function_call added, argument deltas,
 * arguments done, item done, completed.
 */
export function responsesFunctionCallChunks(
  model: string,
  call: { callId: string; name: string; args: string },
  usage: ResponsesUsage,
): string[] {
  let sequence = 0;
  const event = (type: string, data: Record<string, unknown>): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: sequence++ })}\n\n`;
  const id = "resp_e2e_tool";
  const reasoning = reasoningItem("I should run the command.");
  const item = {
    id: "fc_e2e_1",
    type: "function_call",
    status: "completed",
    arguments: call.args,
    call_id: call.callId,
    name: call.name,
  };
  const half = Math.floor(call.args.length / 2);
  return [
    event("response.created", { response: responseObject(id, model, "in_progress", [], null) }),
    event("response.output_item.added", { output_index: 0, item: { ...reasoning, summary: [] } }),
    event("response.output_item.done", { output_index: 0, item: reasoning }),
    event("response.output_item.added", {
      output_index: 1,
      item: { ...item, status: "in_progress", arguments: "" },
    }),
    event("response.function_call_arguments.delta", {
      item_id: item.id,
      output_index: 1,
      delta: call.args.slice(0, half),
    }),
    event("response.function_call_arguments.delta", {
      item_id: item.id,
      output_index: 1,
      delta: call.args.slice(half),
    }),
    event("response.function_call_arguments.done", {
      item_id: item.id,
      output_index: 1,
      arguments: call.args,
    }),
    event("response.output_item.done", { output_index: 1, item }),
    event("response.completed", {
      response: responseObject(id, model, "completed", [reasoning, item], responsesUsage(usage)),
    }),
  ];
}
