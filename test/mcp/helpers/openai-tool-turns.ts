import type { ChatUsage, ResponsesUsage } from "../../helpers/openai-wire.ts";

/**
 * OpenAI answers of one model turn for the tool-loop end-to-end tests: text and/or calls of
 * function tools, as a blocking body or as the streamed SSE chunks, for Chat Completions
 * and Responses. Written from the OpenAI API reference like test/helpers/openai-wire.ts, but each
 * turn gets its own ids (a real upstream never repeats an id), and Response objects echo the
 * request's `tools` and `store` the way OpenAI does.
 */

const CREATED = 1795840000;

export interface FunctionCall {
  readonly id: string;
  readonly name: string;
  /** Arguments as JSON text. */
  readonly args: string;
}

export interface ChatTurn {
  readonly id: string;
  readonly model: string;
  readonly text?: string;
  readonly calls?: readonly FunctionCall[];
  readonly usage: ChatUsage;
}

const chatUsage = (u: ChatUsage) => ({
  prompt_tokens: u.prompt,
  completion_tokens: u.completion,
  total_tokens: u.prompt + u.completion,
  prompt_tokens_details: { cached_tokens: u.cached, audio_tokens: 0 },
  completion_tokens_details: { reasoning_tokens: u.reasoning, audio_tokens: 0 },
});

const calling = (turn: { calls?: readonly FunctionCall[] }): boolean => (turn.calls ?? []).length > 0;

/** A blocking `chat.completion`: finish_reason `tool_calls` when the turn calls a function. */
export function chatTurnBody(turn: ChatTurn): string {
  const message: Record<string, unknown> = {
    role: "assistant",
    content: turn.text ?? null,
    refusal: null,
    annotations: [],
  };
  if (calling(turn))
    message.tool_calls = turn.calls!.map((c) => ({
      id: c.id,
      type: "function",
      function: { name: c.name, arguments: c.args },
    }));
  return JSON.stringify({
    id: turn.id,
    object: "chat.completion",
    created: CREATED,
    model: turn.model,
    choices: [{ index: 0, message, logprobs: null, finish_reason: calling(turn) ? "tool_calls" : "stop" }],
    usage: chatUsage(turn.usage),
    service_tier: "default",
    system_fingerprint: "fp_e2e",
  });
}

/**
 * The streamed turn: role chunk, text, each tool call (name first, arguments in two fragments),
 * the finish chunk, then (only when the request asked for `stream_options.include_usage`) the
 * usage chunk, and `[DONE]`.
 */
export function chatTurnChunks(turn: ChatTurn, includeUsage: boolean): string[] {
  const chunk = (choices: unknown[], usage?: unknown): string => {
    const body: Record<string, unknown> = {
      id: turn.id,
      object: "chat.completion.chunk",
      created: CREATED + 1,
      model: turn.model,
      service_tier: "default",
      system_fingerprint: "fp_e2e",
      choices,
    };
    if (includeUsage) body.usage = usage ?? null;
    return `data: ${JSON.stringify(body)}\n\n`;
  };
  const delta = (d: Record<string, unknown>, finish: string | null = null) => [
    { index: 0, delta: d, logprobs: null, finish_reason: finish },
  ];
  const chunks = [chunk(delta({ role: "assistant", content: "", refusal: null }))];
  if (turn.text) for (const word of turn.text.split(/(?<= )/)) chunks.push(chunk(delta({ content: word })));
  (turn.calls ?? []).forEach(({ id, name, args }, index) => {
    const half = Math.floor(args.length / 2);
    chunks.push(
      chunk(delta({ tool_calls: [{ index, id, type: "function", function: { name, arguments: "" } }] })),
      chunk(delta({ tool_calls: [{ index, function: { arguments: args.slice(0, half) } }] })),
      chunk(delta({ tool_calls: [{ index, function: { arguments: args.slice(half) } }] })),
    );
  });
  chunks.push(chunk(delta({}, calling(turn) ? "tool_calls" : "stop")));
  if (includeUsage) chunks.push(chunk([], chatUsage(turn.usage)));
  chunks.push("data: [DONE]\n\n");
  return chunks;
}

export interface ResponsesTurn {
  readonly id: string;
  readonly model: string;
  /** A reasoning item first (with `encrypted_content`), as reasoning models send it. */
  readonly reasoning?: string;
  readonly text?: string;
  readonly calls?: readonly FunctionCall[];
  readonly usage: ResponsesUsage;
  /** Echoed from the request, as OpenAI does. */
  readonly tools: unknown[];
  readonly store: boolean;
}

type Item = Record<string, unknown>;

function responsesItems(turn: ResponsesTurn): Item[] {
  const items: Item[] = [];
  if (turn.reasoning !== undefined)
    items.push({
      id: `rs_${turn.id}`,
      type: "reasoning",
      summary: [{ type: "summary_text", text: turn.reasoning }],
      encrypted_content: `gAAAAB-${turn.id}-opaque==`,
    });
  if (turn.text !== undefined)
    items.push({
      id: `msg_${turn.id}`,
      type: "message",
      status: "completed",
      role: "assistant",
      content: [{ type: "output_text", text: turn.text, annotations: [], logprobs: [] }],
    });
  (turn.calls ?? []).forEach((call, i) => {
    items.push({
      id: `fc_${turn.id}_${i}`,
      type: "function_call",
      status: "completed",
      arguments: call.args,
      call_id: call.id,
      name: call.name,
    });
  });
  return items;
}

function responseObject(turn: ResponsesTurn, status: string, output: Item[]) {
  const u = turn.usage;
  return {
    id: turn.id,
    object: "response",
    created_at: CREATED,
    status,
    background: false,
    error: null,
    incomplete_details: null,
    instructions: null,
    max_output_tokens: null,
    model: turn.model,
    output,
    parallel_tool_calls: true,
    previous_response_id: null,
    reasoning: { effort: "medium", summary: "auto" },
    store: turn.store,
    temperature: 1,
    text: { format: { type: "text" } },
    tool_choice: "auto",
    tools: turn.tools,
    top_p: 1,
    truncation: "disabled",
    usage:
      status === "completed"
        ? {
            input_tokens: u.input,
            input_tokens_details: { cached_tokens: u.cached },
            output_tokens: u.output,
            output_tokens_details: { reasoning_tokens: u.reasoning },
            total_tokens: u.input + u.output,
          }
        : null,
    metadata: {},
  };
}

/** A blocking Response object. */
export function responsesTurnBody(turn: ResponsesTurn): string {
  return JSON.stringify(responseObject(turn, "completed", responsesItems(turn)));
}

/**
 * The streamed event sequence: created, in_progress, then per item added / its deltas and done
 * events / done, then completed with the usage.
 */
export function responsesTurnChunks(turn: ResponsesTurn): string[] {
  let sequence = 0;
  const event = (type: string, data: Record<string, unknown>): string =>
    `event: ${type}\ndata: ${JSON.stringify({ type, ...data, sequence_number: sequence++ })}\n\n`;
  const items = responsesItems(turn);
  const out = [
    event("response.created", { response: responseObject(turn, "in_progress", []) }),
    event("response.in_progress", { response: responseObject(turn, "in_progress", []) }),
  ];
  items.forEach((item, output_index) => {
    const item_id = item.id;
    if (item.type === "reasoning") {
      const text = turn.reasoning ?? "";
      const part = { type: "summary_text", text };
      out.push(
        event("response.output_item.added", { output_index, item: { ...item, summary: [] } }),
        event("response.reasoning_summary_part.added", {
          item_id,
          output_index,
          summary_index: 0,
          part: { ...part, text: "" },
        }),
        event("response.reasoning_summary_text.delta", {
          item_id,
          output_index,
          summary_index: 0,
          delta: text,
        }),
        event("response.reasoning_summary_text.done", { item_id, output_index, summary_index: 0, text }),
        event("response.reasoning_summary_part.done", { item_id, output_index, summary_index: 0, part }),
      );
    } else if (item.type === "message") {
      const text = turn.text ?? "";
      const part = { type: "output_text", text, annotations: [], logprobs: [] };
      out.push(
        event("response.output_item.added", {
          output_index,
          item: { ...item, status: "in_progress", content: [] },
        }),
        event("response.content_part.added", {
          item_id,
          output_index,
          content_index: 0,
          part: { ...part, text: "" },
        }),
        ...text.split(/(?<= )/).map((delta) =>
          event("response.output_text.delta", {
            item_id,
            output_index,
            content_index: 0,
            delta,
            logprobs: [],
          }),
        ),
        event("response.output_text.done", { item_id, output_index, content_index: 0, text, logprobs: [] }),
        event("response.content_part.done", { item_id, output_index, content_index: 0, part }),
      );
    } else {
      const args = String(item.arguments);
      const half = Math.floor(args.length / 2);
      out.push(
        event("response.output_item.added", {
          output_index,
          item: { ...item, status: "in_progress", arguments: "" },
        }),
        event("response.function_call_arguments.delta", {
          item_id,
          output_index,
          delta: args.slice(0, half),
        }),
        event("response.function_call_arguments.delta", { item_id, output_index, delta: args.slice(half) }),
        event("response.function_call_arguments.done", { item_id, output_index, arguments: args }),
      );
    }
    out.push(event("response.output_item.done", { output_index, item }));
  });
  out.push(event("response.completed", { response: responseObject(turn, "completed", items) }));
  return out;
}
